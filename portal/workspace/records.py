"""A village's published records of one type, as the staff workspace lists them to correct."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.drafts import services as drafts
from portal.kernel.transaction import Backend
from portal.villages.services import find_village

SHOWN = 500


@dataclass(frozen=True)
class PublishedRow:
    number: str
    title: str
    version: int
    status: str
    page: str | None
    label: str = ""                  # the editor's word for it (a contract's lease kind), if any


def published(backend: Backend, code: str, entity: str) -> list[PublishedRow]:
    """Newest number first; the status as its value (active, withdrawn, …)."""
    record_type = backend.registry.get(entity)
    assert record_type is not None
    editor = drafts.editor_of(backend, entity)
    named = editor.target_of  # records numbered within another
    model: Any = record_type.model
    with backend.db.read() as session:
        village = find_village(session, code)
        rows = session.scalars(select(model).where(model.village_id == village.id)
                               .order_by(model.number.desc()).limit(SHOWN))
        result = []
        for record in rows:
            data = record.public_state()
            name = data.get("title") or data.get("name") or ""
            number = named(data) if named is not None else record.number
            result.append(PublishedRow(str(number), str(name), record.version, str(data.get("status", "")),
                                       record_type.page(code, data), editor.label(data) if editor.label else ""))
        return result
