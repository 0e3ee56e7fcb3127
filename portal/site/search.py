"""Search across a village's records, over what the log says is public."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.auditlog.models import AuditEntry
from portal.kernel.transaction import Backend
from portal.publishing.sanitizer import body_text
from portal.villages.services import find_village


@dataclass(frozen=True)
class SearchHit:
    entity: str
    label: str
    link: str | None
    snippet: str
    amount: str | None = None      # a receipt's amount and day, shown with the hit
    day: str | None = None


def _public_values(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [v for value in data.values() for v in _public_values(value)]
    if isinstance(data, list):
        return [v for value in data for v in _public_values(value)]
    return [body_text(data)] if isinstance(data, str) else []  # a notice's HTML body by its text


def search_records(backend: Backend, code: str, query: str, limit: int = 50) -> list[SearchHit]:
    """Finds records whose current public state contains every word of `query`.

    Searches what the log says is public (the latest entry of each record), so a search can
    never find a record by a person's full name: only the masked form is public.
    """
    from sqlalchemy import func

    words = [w for w in query.split() if w]
    with backend.db.read() as session:
        find_village(session, code)
        latest = (select(func.max(AuditEntry.seq)).where(AuditEntry.log == code)
                  .group_by(AuditEntry.entity, AuditEntry.entity_id))
        lines = session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == code, AuditEntry.seq.in_(latest), AuditEntry.entity.in_(backend.registry.public_entities()))
            .order_by(AuditEntry.seq.desc()))
        hits = []
        for line in lines:
            entry = json.loads(line)
            values = _public_values(entry["data"])
            text = " ".join(values)
            if all(word.lower() in text.lower() for word in words):
                label, link = backend.registry.describe(code, entry)
                matched = next((v for v in values if words[0].lower() in v.lower()), "")
                title = (entry["data"] or {}).get("title") or (entry["data"] or {}).get("name") or ""
                snippet = " · ".join(dict.fromkeys(v for v in (title, matched) if v))[:100]
                data = entry["data"] or {}
                hits.append(SearchHit(entry["entity"], label, link, snippet,
                                      data.get("amount"), data.get("received_on")))
                if len(hits) >= limit:
                    break
        return hits
