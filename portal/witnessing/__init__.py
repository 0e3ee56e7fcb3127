"""联署 — the supervisory committee witnesses the village log: each member registers an Ed25519
key (only the public key is kept here) and co-signs checkpoints after checking that they extend
the last one co-signed (C2SP tlog-cosignature)."""
