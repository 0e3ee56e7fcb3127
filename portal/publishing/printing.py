"""Printed notices (公开栏打印版): any public list or a contract as an A4 PDF for the bulletin board.

Each notice ends with a witness block: a QR code of the online page, that page's address in
text, and the audit-log checkpoint (size and base64 root, as in the signed checkpoint) it was
printed at, so a sheet on the board can be compared with the online log years later.

PDFs are cached under ``<instance>/pdf-cache``:
- a list is keyed by (list, query, as-of date, log size and root): any change to the village's
  records grows the log, so an unchanged log means an unchanged list;
- a record (contract, notice, plan, parcel) is keyed by its version, the versions of the records
  its page shows with it (a contract's receipts, a plan's comments and votes, a parcel's
  contracts), the as-of date (which moves paid/overdue, open/closed, leased/expiring) and the
  page's address, NOT by the log size: an unchanged record version is rendered once, and the copy
  keeps the checkpoint it was printed at (the log is append-only, so that checkpoint stays
  provable against any later one).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from urllib.parse import quote

from flask import Response, request, url_for

from portal.app import backend
from portal.kernel.base import NumberedRecord, VillageRecord
from portal.publishing.listing_pdf import listing_pdf
from portal.publishing.listings import Listing
from portal.publishing.pdf_cache import pdf_cache
from portal.publishing.query import arg, known_query
from portal.publishing.sheets import Checkpoint, now_checkpoint, qr_sheet_pdf
from portal.publishing.urls import public_url
from portal.villages import reads as village_reads
from portal.villages.models import Village

# Bump when the print templates change, so cached copies of the old layout are not served.
LAYOUT = 5


class RecordDetail(Protocol):
    """What a record page's data (ContractDetail, NoticeDetail, …) offers for printing."""

    @property
    def village(self) -> Village: ...

    @property
    def proof(self) -> dict[str, Any] | None: ...


def pdf_response(body: bytes, filename: str) -> Response:
    """Inline PDF with a content ETag; `no-cache` = keep it, but ask (a cheap 304) before reuse."""
    disposition = f'inline; filename="{filename}"'
    if not filename.isascii():  # a contract number in Chinese: RFC 6266 filename* for browsers
        disposition = (f'inline; filename="{filename.encode("ascii", "replace").decode().replace("?", "_")}"; '
                       f"filename*=UTF-8''{quote(filename)}")
    response = Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": disposition, "Cache-Control": "public, no-cache"})
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)  # turns `response` itself into a 304 when the ETag matches
    return response


def is_demo_village(code: str) -> bool:
    return any(v.is_demo for v in village_reads.villages(backend()) if v.code == code)


def listing_response(listing: Listing) -> Response:
    """/v/<code>/<list>.pdf: all rows of the filtered list; the QR leads to the same list online."""
    # The PDF holds every row, so ?page= neither changes it nor belongs in its address.
    query = known_query(without=("page",))
    page_url = public_url(request.path.removesuffix(".pdf"), query)
    key = ("list", LAYOUT, listing.village_code, listing.name, page_url,
           listing.as_of.isoformat(), listing.log_size, listing.log_root_hex)
    body = pdf_cache().get_or_render(
        key, lambda: listing_pdf(listing, page_url, demo=is_demo_village(listing.village_code)))
    return pdf_response(body, f"{listing.village_code}-{listing.name}-{listing.as_of.isoformat()}.pdf")


def versions_of(records: Iterable[VillageRecord]) -> list[tuple[int, int]]:
    """(id, version) of each record, in id order: the same key however the records were listed."""
    return sorted((r.id, r.version) for r in records)


@dataclass(frozen=True)
class PrintStamp:
    """What a record's printed copy is keyed by: its village, id, number and version and the
    versions of what its page shows with it. Read on its own (a few small queries), it finds a
    cached copy without the page's data being loaded (`stamped_record_response`)."""

    village: Village
    record_id: int
    number: str
    version: int
    shown_with: Sequence[object]


def _record_copy(kind: str, endpoint: str, stamp: PrintStamp, as_of: date) -> tuple[tuple[object, ...], str, str]:
    """The cache key of the record's copy, its page's address and the PDF's file name."""
    village = stamp.village
    page_url = public_url(url_for(endpoint, code=village.code, number=stamp.number))
    key: tuple[object, ...] = (kind, LAYOUT, village.code, village.version, stamp.record_id, stamp.version,
                               list(stamp.shown_with), as_of.isoformat(), page_url)
    qr = arg("sheet") == "qr"  # only the QR box, for a notice the village printed itself
    filename = f"{village.code}-{stamp.number}-v{stamp.version}{'-qr' if qr else ''}.pdf"
    return (("qr", *key) if qr else key), page_url, filename


def record_response(kind: str, endpoint: str, detail: RecordDetail, record: NumberedRecord,
                    shown_with: Sequence[object], as_of: date,
                    render: Callable[[str, Checkpoint], bytes]) -> Response:
    """<record page>.pdf, rendered once per (record version, versions of what its page shows with
    it, day, page address) and then served from the cache. `render(page_url, checkpoint)` draws it
    at the log state of the record's proof (the log as read with the record)."""
    stamp = PrintStamp(detail.village, record.id, record.number, record.version, shown_with)
    key, page_url, filename = _record_copy(kind, endpoint, stamp, as_of)
    proof = detail.proof or {}

    def checkpoint() -> Checkpoint:
        return now_checkpoint(proof.get("size", 0), proof.get("root", ""))

    if key[0] == "qr":
        title = str(getattr(record, "title", "") or record.number)
        body = pdf_cache().get_or_render(key, lambda: qr_sheet_pdf(detail, record.number, title, page_url,
                                                                   checkpoint()))
    else:
        body = pdf_cache().get_or_render(key, lambda: render(page_url, checkpoint()))
    return pdf_response(body, filename)


def stamped_record_response(kind: str, endpoint: str, stamp: PrintStamp, as_of: date,
                            respond: Callable[[], Response]) -> Response:
    """The cached copy of the record `stamp` names, if there is one; else `respond()`, which
    loads the page's data and calls `record_response` (keyed by what it loaded, so a record
    changed in between is stored under its new version). A cached contract is then two small
    reads instead of its page's data (its schedule, receipts, history and proof)."""
    key, _, filename = _record_copy(kind, endpoint, stamp, as_of)
    body = pdf_cache().get(key)
    return respond() if body is None else pdf_response(body, filename)


