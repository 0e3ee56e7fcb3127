"""Part 3: inclusion proofs at the full size, `audit_log.inclusion` against one primary-key read,
then the HTTP endpoint through the Flask test client; every proof checked."""
from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

from audit import ProofError, merkle
from benchmarks import Report, count, percentile, timed
from benchmarks.audit.common import PORTAL_KEY_NAME, Keys, Paths, bench_app
from benchmarks.audit.generate import Generated
from benchmarks.audit.load import load_database

PROOF_TARGET_MS = 5.0      # p95 of one inclusion proof at the full size


def _time_each(call: Any, indexes: list[int], budget: float) -> tuple[list[float], list[Any]]:
    """Time call(index) for each index, in ms, stopping early once `budget` seconds are spent
    (so a slow implementation cannot make the run take hours). Returns (latencies, results)."""
    clock = time.perf_counter_ns
    deadline = clock() + budget * 1e9
    latencies, results = [], []
    for index in indexes:
        start = clock()
        results.append(call(index))
        end = clock()
        latencies.append((end - start) / 1e6)
        if end > deadline:
            break
    return latencies, results


def _budget_note(timed_count: int, planned: int, budget: float) -> str:
    if timed_count == planned:
        return ""
    return (f" — STOPPED after {count(timed_count)} of {count(planned)}: the {budget:g} s time "
            "budget (--proof-budget) ran out")


def bench_proofs(paths: Paths, generated: Generated, keys: Keys, proofs: int, http_requests: int,
                 budget: float, rng: random.Random, report: Report) -> None:
    report.section(f"3. Inclusion proofs at {count(generated.size)} entries (portal SQLite database)")
    seconds, (entries, nodes) = timed(load_database, paths.database, paths.export, generated)
    db_bytes = paths.database.stat().st_size
    report.line(f"bulk-loaded {count(entries)} audit_entry + {count(nodes)} audit_node rows + head "
                f"in {seconds:.1f} s; database {db_bytes / 2**20:.0f} MiB")
    _service_proofs(paths, generated, proofs, budget, rng, report)
    _http_proofs(paths, generated, keys, http_requests, budget, rng, report)


def _service_proofs(paths: Paths, generated: Generated, proofs: int, budget: float, rng: random.Random,
                    report: Report) -> None:
    """audit_log.inclusion against one primary-key read, a fresh session each."""
    from portal.auditlog import store as audit_log
    from portal.auditlog.models import AuditEntry, AuditHead
    from portal.kernel.database import Database

    size, code = generated.size, generated.code

    def service_proof(index: int) -> dict[str, Any]:
        with database.read() as session:  # a fresh session per proof, as log_reads does
            return audit_log.inclusion(session, code, index, size)

    def primary_key_read(_index: int) -> None:
        with database.read() as session:
            session.get(AuditHead, code)

    database = Database(f"sqlite:///{paths.database}")
    try:
        with database.read() as session:
            head = session.get(AuditHead, code)
            report.check(head is not None and head.size == size and head.root == generated.root,
                         "audit_head after the load holds the generator's size and root")
            first = session.get(AuditEntry, 1)
            report.check(first is not None and first.ts == datetime(2015, 1, 5, 1, 0, tzinfo=UTC),
                         "audit_entry.ts reads back through the ORM as the entry's ts")
        indexes = [rng.randrange(size) for _ in range(proofs)]
        for index in indexes[:3]:  # warm-up: compiled-statement cache, connection pool
            service_proof(index)
            primary_key_read(index)
        latencies, results = _time_each(service_proof, indexes, budget)
        base, _ = _time_each(primary_key_read, indexes[:len(latencies)], budget)
        with database.read() as session:
            report.check(audit_log.root_at(session, code, size) == generated.root,
                         "audit_log.root_at(size) from the stored nodes equals the generator's root")
        bad = _failed_proofs(database, generated, results)
        report.check(not bad, f"{len(results) - len(bad)}/{len(results)} inclusion proofs verified "
                              "with audit.merkle.verify_inclusion against the head root"
                     + _first_failure(bad))
    finally:
        database.dispose()

    p50, p95, p99 = _percentiles(latencies)
    b50, b95, _b99 = _percentiles(base)
    path_len = sum(len(p["path"]) for p in results) / len(results)
    report.line(f"audit_log.inclusion(session, log, index, {size}), fresh session each, "
                f"{count(len(latencies))} random indexes (≈{path_len:.0f} path hashes each)"
                + _budget_note(len(latencies), proofs, budget) + ":")
    report.line(f"  p50 {p50:.3f} ms   p95 {p95:.3f} ms   p99 {p99:.3f} ms   max {latencies[-1]:.3f} ms "
                f"(target p95 ≤ {PROOF_TARGET_MS:g} ms)")
    report.line(f"baseline session.get(AuditHead, log), fresh session each: p50 {b50:.3f} ms   "
                f"p95 {b95:.3f} ms")
    report.line(f"ratio inclusion/primary-key read: p50 {p50 / b50:.1f}×   p95 {p95 / b95:.1f}×")
    report.figure(f"inclusion proof p50 / p99 at {count(size)}", f"{p50:.2f} / {p99:.2f} ms")
    report.figure(f"inclusion proof p95 at {count(size)}", f"{p95:.2f} ms", f"≤ {PROOF_TARGET_MS:g} ms",
                  p95 <= PROOF_TARGET_MS)
    report.figure("inclusion p50 ÷ primary-key get p50", f"{p50 / b50:.1f}×")


def _http_proofs(paths: Paths, generated: Generated, keys: Keys, http_requests: int, budget: float,
                 rng: random.Random, report: Report) -> None:
    """The HTTP endpoint on the same database, through the Flask test client."""
    size, code = generated.size, generated.code
    paths.instance.mkdir(parents=True, exist_ok=True)
    key_file = paths.instance / "audit-signing.key"
    key_file.write_text(keys.portal + "\n", encoding="ascii")
    key_file.chmod(0o600)
    app = bench_app(paths.database, paths.instance, AUDIT_KEY_NAME=PORTAL_KEY_NAME)
    try:
        client = app.test_client()
        url = f"/v/{code}/audit/proof/inclusion?index={{}}&size={size}"

        def http_proof(index: int) -> tuple[int, Any]:
            response = client.get(url.format(index))
            return response.status_code, response.get_json(silent=True)

        http_indexes = [rng.randrange(size) for _ in range(http_requests)]
        for index in http_indexes[:3]:
            http_proof(index)
        http, answers = _time_each(http_proof, http_indexes, budget)
        statuses = {status for status, _body in answers}
        bodies = [body for _status, body in answers]
        report.check(statuses == {200}, f"HTTP inclusion proofs answered {sorted(statuses)}")
        bad = _failed_proofs(app.extensions["portal"].db, generated, [b for b in bodies if b])
        report.check(not bad and all(bodies),
                     f"{len(bodies) - len(bad)}/{len(bodies)} HTTP inclusion proofs verified"
                     + _first_failure(bad))
        out_of_range = client.get(url.format(size))
        report.check(out_of_range.status_code == 400,
                     f"HTTP index=size answers 400 (got {out_of_range.status_code})")
    finally:
        app.extensions["portal"].db.dispose()
    h50, h95, h99 = _percentiles(http)
    report.line(f"HTTP GET /v/{code}/audit/proof/inclusion?index=&size={size} (Flask test client, "
                f"{count(len(http))} requests" + _budget_note(len(http), http_requests, budget) + "):")
    report.line(f"  p50 {h50:.3f} ms   p95 {h95:.3f} ms   p99 {h99:.3f} ms")
    report.figure(f"HTTP inclusion proof p95 at {count(size)}", f"{h95:.2f} ms", f"≤ {PROOF_TARGET_MS:g} ms",
                  h95 <= PROOF_TARGET_MS)


def _percentiles(latencies: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of `latencies`, which this sorts in place."""
    latencies.sort()
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    return p50, p95, p99


def _first_failure(bad: list[str]) -> str:
    return f"; first failure: {bad[0]}" if bad else ""


def _failed_proofs(database: Any, generated: Generated, proofs: list[dict[str, Any]]) -> list[str]:
    """_check_proofs against the generator's size and root and the leaf hashes in `database`."""
    leaves = _leaf_hashes(database, generated.code, {p["index"] for p in proofs})
    return _check_proofs(proofs, generated.size, generated.root, leaves)


def _leaf_hashes(database: Any, code: str, indexes: set[int]) -> dict[int, bytes]:
    """The Merkle leaf hash of each entry seq in `indexes`, from audit_entry.hash."""
    from sqlalchemy import select

    from portal.auditlog.models import AuditEntry

    wanted, found = sorted(indexes), {}
    with database.read() as session:
        for i in range(0, len(wanted), 500):
            rows = session.execute(select(AuditEntry.seq, AuditEntry.hash).where(
                AuditEntry.log == code, AuditEntry.seq.in_(wanted[i:i + 500])))
            found.update({seq: merkle.leaf_hash(bytes.fromhex(h)) for seq, h in rows})
    return found


def _check_proofs(proofs: list[dict[str, Any]], size: int, root: bytes,
                  leaves: dict[int, bytes]) -> list[str]:
    """Check each proof: its root is `root`, its leaf is the entry's, and verify_inclusion accepts
    the path. Returns what failed."""
    bad = []
    for proof in proofs:
        index = proof["index"]
        try:
            leaf, path = bytes.fromhex(proof["leaf_hash"]), [bytes.fromhex(p) for p in proof["path"]]
            if proof["size"] != size or bytes.fromhex(proof["root"]) != root:
                raise ProofError(f"proof names size {proof['size']} root {proof['root']}")
            if leaf != leaves.get(index):
                raise ProofError("leaf_hash is not the leaf hash of the entry at that index")
            merkle.verify_inclusion(index, size, leaf, path, root)
        except (ProofError, ValueError, KeyError, TypeError) as error:
            bad.append(f"index {index}: {error}")
    return bad
