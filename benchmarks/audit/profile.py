"""Where the time of an audited write goes: SQLite vs Python and the statements of one write
(cursor.execute timed), then cProfile by layer and by step."""
from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
from typing import Any

from benchmarks import Report


def _category(filename: str, name: str) -> str:
    if "sqlalchemy" in filename:
        return "SQLAlchemy (Python)"
    if "sqlite3" in name:
        return "sqlite3 (C: execute, commit, fetch)"
    if "ed25519" in name.lower() or "cryptography" in filename:
        return "Ed25519 (key parsing + signing)"
    if "/portal/" in filename:
        return "portal code"
    if "/audit/" in filename:
        return "audit package (entry, canonical, merkle, note)"
    if "hashlib" in filename or "sha256" in name:
        return "hashlib"
    return "stdlib / builtins (json, re, datetime, decimal, …)"


_SQL_TARGET = re.compile(r"\s*(BEGIN\s+\w+|COMMIT|SELECT\s.*?\sFROM\s+(\w+)(?:\s+AS\s+\w+)?"
                         r"(?:\s+(?:LEFT\s+OUTER\s+|INNER\s+)?JOIN\s+(\w+))?|INSERT\s+INTO\s+(\w+)"
                         r"|UPDATE\s+(\w+)|DELETE\s+FROM\s+(\w+))", re.S | re.I)


def _statement_name(sql: str) -> str:
    match = _SQL_TARGET.match(sql)
    if not match:
        return sql.split(None, 1)[0] if sql.strip() else "?"
    if match.group(1).upper().startswith(("BEGIN", "COMMIT")):
        return match.group(1).upper()
    verb = match.group(1).split(None, 1)[0].upper()
    tables = [t for t in match.groups()[1:] if t]
    return f"{verb} {' JOIN '.join(tables)}"


def trace_statements(backend: Any, staff: Any, code: str, inputs: list[Any], why: str,
                      report: Report) -> None:
    """Run record_receipt with a timer around each DB-API cursor.execute (cheap, unlike a
    profiler): time in SQLite vs in Python, and the statements one write issues."""
    from sqlalchemy import event

    from portal.receipts.services import record_receipt

    engine = backend.db.engine
    clock = time.perf_counter
    in_sqlite = 0.0
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)
        before.started = clock()  # type: ignore[attr-defined]

    def after(*_args: Any) -> None:
        nonlocal in_sqlite
        in_sqlite += clock() - before.started  # type: ignore[attr-defined]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        start = clock()
        for data in inputs:
            del statements[:]
            record_receipt(backend, staff, code, data)
        total = clock() - start
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    n = len(inputs)
    report.line("")
    report.line(f"-- where the time goes ({why}): {n} more record_receipt calls, cursor.execute timed --")
    report.line(f"  {total / n * 1000:.3f} ms per write: {in_sqlite / n * 1000:.3f} ms inside SQLite "
                f"(cursor.execute), {(total - in_sqlite) / n * 1000:.3f} ms in Python (SQLAlchemy, "
                "services, audit, signing) plus COMMIT")
    report.line(f"  statements of the last write ({len(statements)}, the COMMIT not counted): "
                + "; ".join(_statement_name(sql) for sql in statements))


def profile_writes(backend: Any, staff: Any, code: str, inputs: list[Any], report: Report) -> None:
    """Profile record_receipt with cProfile and print where the time goes."""
    from portal.receipts.services import record_receipt

    n = len(inputs)
    profiler = cProfile.Profile()
    profiler.enable()
    for data in inputs:
        record_receipt(backend, staff, code, data)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in raw.values())
    report.line("")
    report.line(f"-- cProfile over {n} more record_receipt calls; cProfile inflates "
                "Python-level overhead, so read shares, not absolute times --")
    by_category: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in raw.items():
        key = _category(filename, name)
        by_category[key] = by_category.get(key, 0.0) + tt
    report.line(f"own time by layer (total {total / n * 1000:.2f} ms per write under the profiler):")
    for key, tt in sorted(by_category.items(), key=lambda item: -item[1]):
        report.line(f"  {tt / total:6.1%}  {tt / n * 1000:6.3f} ms/write  {key}")

    def find(suffix: str, name: str) -> tuple[int, float] | None:
        for (filename, _line, func), (_cc, nc, _tt, ct, _callers) in raw.items():
            if filename.endswith(suffix) and func == name:
                return nc, ct
        return None

    report.line("inclusive time of the steps of one write:")
    steps = [
        ("portal/receipts/services.py", "record_receipt", "record_receipt (whole call)"),
        ("portal/kernel/authorization.py", "authorize", "  authorize: the actor's role and village"),
        ("portal/kernel/database.py", "write", "  Database.write: session, BEGIN IMMEDIATE, COMMIT, close"),
        ("portal/kernel/transaction.py", "village_id", "  Change.village_id: the village's id (remembered)"),
        ("portal/contracts/services.py", "find_contract", "  find_contract: SELECT contract"),
        ("portal/kernel/transaction.py", "record", "  Change.record: flush receipt + append"),
        ("portal/auditlog/store.py", "append", "    audit_log.append"),
        ("audit/entry.py", "build_entry", "      build_entry (canonical JSON + SHA-256)"),
        ("portal/auditlog/signing.py", "checkpoint", "      LogSigner.checkpoint (note.sign)"),
        ("audit/note.py", "_parse_signer", "        note._parse_signer (re-derives the key)"),
        ("sqlalchemy/orm/session.py", "get", "      Session.get (AuditHead; all callers)"),
        ("sqlalchemy/orm/session.py", "flush", "  Session.flush (all callers)"),
        ("sqlalchemy/orm/session.py", "commit", "  Session.commit (all callers)"),
    ]
    for suffix, name, label in steps:
        found = find(suffix, name)
        if found:
            calls, ct = found
            report.line(f"  {ct / n * 1000:6.3f} ms/write {ct / total:6.1%}  {calls / n:4.1f} calls/write"
                        f"  {label}")
    statements = find("~", "<method 'execute' of 'sqlite3.Cursor' objects>")
    if statements:
        report.line(f"SQL statements per write: {statements[0] / n:.1f} (sqlite3 Cursor.execute calls)")
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(12)
    report.line("top functions by own time:")
    for line in buffer.getvalue().splitlines():
        skip = line.startswith(("   Ordered", "   List reduced")) or "function calls" in line
        if line.strip() and not skip:
            report.line(f"  {line.strip()[:150]}")
