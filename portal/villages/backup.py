"""村数据备份与恢复 — one village, whole, to a file and back into an empty database.

The file is one JSON document: every row of the village in every table (its records, accounts,
drafts, stored derived figures), its log's tables (entries, Merkle nodes, head, kept
checkpoints, private records) and the files its rows name, with their bytes. Rows keep their
ids, so a restore is the same village row for row, and its log verifies with the same root.
Values are typed (dates, times, money, bytes, enums), so a SQLite export restores into
PostgreSQL and back. The signing key is not in the file (it is kept apart, see README): a
restored log's checkpoints verify under the portal's own key, so restore onto the portal that
signed them, or with its instance key.
"""
from __future__ import annotations

import base64
import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import Column, Enum, Integer, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from portal.auditlog.files import path_for, write_once
from portal.kernel.base import Base
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Backend

FORMAT = "sanzi-village-backup"
VERSION = 1
SKIPPED = frozenset({"login_session", "login_failure", "page_visit"})  # sessions and counters


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return {"$enum": value.name}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, raw), = value.items()
    if tag == "$enum":
        enum_class = column.type.enum_class if isinstance(column.type, Enum) else None
        return enum_class[raw] if enum_class is not None else raw
    if tag == "$datetime":
        return datetime.fromisoformat(raw)
    if tag == "$date":
        return date.fromisoformat(raw)
    if tag == "$decimal":
        return Decimal(raw)
    if tag == "$bytes":
        return base64.b64decode(raw)
    raise ValueError(f"unknown value {value!r} in column {column}")


def _village_rows(conn: Connection, table: Table, code: str, village_id: int,
                  exported: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The rows of `table` that belong to the village, or [] for a table of no village; a table of
    parts (a contract's parcels, an entrustment's, an entry's private record) follows its parent,
    whose ids `exported` holds (tables come parents first)."""
    c = table.c
    if table.name == "village":
        query = select(table).where(c.id == village_id)
    elif "log" in c:
        query = select(table).where(c.log == code)
    elif "village_id" in c:
        query = select(table).where(c.village_id == village_id)
    else:
        parents = [(fk.parent, fk.column.table.name) for fk in table.foreign_keys
                   if fk.column.table.name in exported and fk.column.table.name != "village"]
        if not parents:
            return []
        column, parent = parents[0]
        query = select(table).where(column.in_(exported[parent]))
    order = list(table.primary_key.columns)
    return [dict(row) for row in conn.execute(query.order_by(*order)).mappings()]


def export_village(backend: Backend, code: str, out: IO[str]) -> dict[str, int]:
    """Writes village `code` to `out`; returns the number of rows per table. ValidationError
    when there is no such village."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with backend.db.engine.connect() as conn:
        if not backend.db.is_sqlite:  # one snapshot for every table
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        village_id = conn.execute(text("SELECT id FROM village WHERE code = :code"), {"code": code}).scalar()
        if village_id is None:
            raise ValidationError({"village": say("没有编码为“%(code)s”的村", code=code)})
        exported: dict[str, list[Any]] = {}  # ids of each table's rows, for the tables of parts
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED or table.name == "stored_file":
                continue
            tables[table.name] = _village_rows(conn, table, code, village_id, exported)
            if "id" in table.c:
                exported[table.name] = [row["id"] for row in tables[table.name]]
        named = {value for rows in tables.values() for row in rows for key, value in row.items()
                 if key.endswith("sha256") and isinstance(value, str)}
        stored = Base.metadata.tables["stored_file"]
        tables["stored_file"] = [dict(row) for row in conn.execute(
            select(stored).where(stored.c.sha256.in_(sorted(named))).order_by(stored.c.sha256)).mappings()]
    files = {row["sha256"]: base64.b64encode(path_for(backend.files_dir, row["sha256"]).read_bytes()).decode("ascii")
             for row in tables["stored_file"] if path_for(backend.files_dir, row["sha256"]).exists()}
    json.dump({"format": FORMAT, "version": VERSION, "village": code,
               "tables": {name: [{k: _encode(v) for k, v in row.items()} for row in rows]
                          for name, rows in tables.items()},
               "files": files}, out, ensure_ascii=False)
    return {name: len(rows) for name, rows in tables.items()}


def import_village(backend: Backend, source: IO[str]) -> str:
    """Restores a village written by `export_village` into a database that holds no village yet,
    in one transaction; returns its code. ValidationError when the file is not such a backup or
    the database is not empty (nothing written)."""
    try:
        backup = json.load(source)
    except ValueError as err:
        raise ValidationError({"file": say("不是村数据备份文件（%(err)s）", err=err)}) from None
    if not isinstance(backup, dict) or backup.get("format") != FORMAT or backup.get("version") != VERSION:
        raise ValidationError({"file": say("不是本系统导出的村数据备份文件（格式或版本不对）")})
    code = backup["village"]
    with backend.db.engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM village")).scalar():
            raise ValidationError({"file": say("只能导入到还没有任何村的空数据库（行号保持原样，不能与已有数据混合）")})
        for table in Base.metadata.sorted_tables:
            rows = backup["tables"].get(table.name) or []
            if rows:
                conn.execute(insert(table), [{k: _decode(table.c[k], v) for k, v in row.items()} for row in rows])
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
    for sha256, content in backup.get("files", {}).items():
        write_once(path_for(backend.files_dir, sha256), base64.b64decode(content))
    return str(code)


def _advance_sequences(conn: Connection) -> None:
    """Rows came with their ids: each id sequence must start after the largest, or the next
    insert would collide."""
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer) and keys[0].autoincrement in (True, "auto"):
            largest = conn.execute(select(func.max(keys[0])).select_from(table)).scalar()
            if largest is not None:
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:table, :column), :value)"),
                             {"table": table.name, "column": keys[0].name, "value": largest})

