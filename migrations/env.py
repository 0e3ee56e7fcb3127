"""Alembic's environment for the portal.

It runs inside the connection and transaction that `portal.migrate` opens (one lock, one
commit), so use `flask --app portal db …` rather than the `alembic` command.
"""
from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import MigrationScript
from sqlalchemy.types import TypeDecorator

from portal.migrate import MigrationError, target_metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Renders the portal's own column types as what they store (BigInteger, DateTime), so a
    revision never imports model code, which moves and changes after the revision is written."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def skip_empty_revision(_context: Any, _revision: Any, directives: list[MigrationScript]) -> None:
    """`db revision` writes no file when autogenerate finds nothing to change (`db check` needs
    the empty script to say so; a revision asked for with --empty never runs env.py)."""
    if not context.config.attributes.get("skip_empty_revision"):
        return
    if directives and directives[0].upgrade_ops is not None and directives[0].upgrade_ops.is_empty():
        directives[:] = []


connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise MigrationError("请用 flask --app portal db … 运行迁移（不支持 alembic 命令与 --sql 离线模式）。")

context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    render_as_batch=True,  # SQLite alters a table by copying it: batch mode writes that for us
    compare_type=True,
    render_item=render_item,
    process_revision_directives=skip_empty_revision,
)
with context.begin_transaction():
    context.run_migrations()
