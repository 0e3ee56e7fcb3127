"""镇 — the township's workspace: villages, and the accounts of their staff and committee members."""
