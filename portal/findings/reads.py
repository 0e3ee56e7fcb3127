"""What the findings pages show (public, and the committee's desk), read in one session each."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal.auditlog.records import record_entries, record_proof
from portal.findings.labels import FIELDS, FINDING_STATUS
from portal.findings.models import Finding, FindingStatus
from portal.findings.services import find_finding
from portal.kernel.history import Version, versions
from portal.kernel.transaction import Backend
from portal.publishing.listings import Column, Listing, village_listing
from portal.villages.models import Village
from portal.villages.services import find_village

FINDING_COLUMNS = [
    Column("number", "问题编号"),
    Column("title", "问题"),
    Column("description", "问题说明"),
    Column("records", "涉及的记录"),
    Column("responsible", "整改责任单位"),
    Column("responsible_person", "整改责任人"),
    Column("found_on", "发现日期", "date"),
    Column("due_on", "整改期限", "date"),
    Column("status", "状态", "choice", choices=FINDING_STATUS),
]


@dataclass(frozen=True)
class RecordLink:
    ref: str            # contract:HT-001
    label: str          # 合同 HT-001
    link: str | None


@dataclass(frozen=True)
class FindingDetail:
    village: Village
    finding: Finding
    records: list[RecordLink]
    history: list[Version]
    proof: dict[str, Any] | None
    overdue: bool


def record_links(backend: Backend, code: str, refs: list[str]) -> list[RecordLink]:
    """Each `entity:number` as its record's name and public page."""
    links = []
    for ref in refs:
        entity, _, number = ref.partition(":")
        record_type = backend.registry.get(entity)
        if record_type is None:
            links.append(RecordLink(ref, ref, None))
            continue
        try:
            page = record_type.page(code, {"number": number})
        except (KeyError, TypeError, ValueError):
            page = None
        links.append(RecordLink(ref, record_type.named(number), page))
    return links


def findings_listing(backend: Backend, code: str, as_of: date, status: str | None = None) -> Listing:
    """问题清单 — open ones first (overdue on top), then by number, newest first."""
    with backend.db.read() as session:
        village = find_village(session, code)
        query = select(Finding).where(Finding.village_id == village.id)
        if status:
            query = query.where(Finding.status == FindingStatus(status))
        found = sorted(session.scalars(query), key=lambda f: (not f.pending, f.due_on))
        rows = [f.public_state() | {"records": "、".join(f.record_refs), "overdue": f.overdue(as_of)} for f in found]
        totals = {"count": len(rows), "open": sum(1 for f in found if f.pending),
                  "overdue": sum(1 for f in found if f.overdue(as_of))}
        return village_listing(session, village, "findings", "问题清单", as_of, FINDING_COLUMNS, rows,
                               [f"/v/{code}/findings/{f.number}" for f in found], totals)


def finding_detail(backend: Backend, code: str, number: str, as_of: date) -> FindingDetail:
    with backend.db.read() as session:
        village = find_village(session, code)
        finding = find_finding(session, village.id, number)
        entries = record_entries(session, code, "finding", finding.audit_id())
        detail = FindingDetail(village, finding, [], versions(entries, FIELDS), record_proof(session, code, entries),
                               finding.overdue(as_of))
    return FindingDetail(detail.village, detail.finding, record_links(backend, code, finding.record_refs),
                         detail.history, detail.proof, detail.overdue)


def page_path(code: str, data: Mapping[str, Any]) -> str | None:
    return f"/v/{code}/findings/{data['number']}" if data.get("number") else None
