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

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, current_app, render_template, request, url_for
from markupsafe import Markup

from .app import backend
from .formatting import cn_datetime
from .listings import Column, Listing
from .money import amount_in_words, format_money
from .pdf import render_pdf
from .qr import qr_svg
from .rent import annual_rent
from .services import notice_reads, public_reads
from .urls import public_url

# Bump when the print templates change, so cached copies of the old layout are not served.
LAYOUT = 2
CACHE_MAX_BYTES = 200 * 1024 * 1024
CACHE_PRUNE_TO = 0.8  # after pruning, the cache holds at most this share of the cap

INSTALMENT_STATES = {"paid": "已缴清", "partly": "部分缴纳", "overdue": "逾期", "due": "今日到期",
                     "future": "未到期"}
RENT_UNITS = {"mu_year": "元/亩/年", "m2_month": "元/㎡/月"}
NUMERIC_KINDS = ("money", "area", "number")
WRAP_WIDTH_MAX = 7
SHORT_TEXT_EM = 6
PORTRAIT_EM = 50  # what fits across A4 portrait at the table's 10pt; wider lists print landscape
CELL_PADDING_EM = 0.8
CODE_MAX = 24  # ASCII values up to this long (contract and receipt numbers) are never broken


@dataclass(frozen=True)
class Checkpoint:
    """The log state a notice is printed at: size and root of the village's audit log, and when."""

    size: int
    root_hex: str
    printed_at: datetime

    @property
    def root_b64(self) -> str:
        """The root as the signed checkpoint (``/v/<code>/audit/checkpoint``) writes it."""
        return base64.b64encode(bytes.fromhex(self.root_hex)).decode("ascii") if self.root_hex else ""


def now_checkpoint(size: int, root_hex: str) -> Checkpoint:
    return Checkpoint(size, root_hex, datetime.now(timezone.utc))


def _witness(page_url: str, checkpoint: Checkpoint) -> dict[str, Any]:
    """What the witness block at the end of every notice shows."""
    return {"url": page_url, "qr": qr_svg(page_url, scale=3, title="扫码查看网页版"),
            "size": checkpoint.size, "root": checkpoint.root_b64,
            "printed_at": cn_datetime(checkpoint.printed_at)}


def money_with_words(value: Decimal | str) -> str:
    """¥20,241.00（贰万零贰佰肆拾壹元整）"""
    amount = Decimal(value)
    return f"{format_money(amount)}（{amount_in_words(amount)}）"


def _totals_lines(listing: Listing) -> list[str]:
    """The list's totals in words: 共 N 条 and, for money, the sum with its 大写."""
    totals = dict(listing.totals or {})
    lines = [f"共 {totals.pop('count')} 条"] if "count" in totals else []
    columns = {c.key: c for c in listing.columns}
    for key, value in totals.items():
        column = columns.get(key)
        if column is None or value in (None, ""):
            continue
        if column.kind == "money":
            lines.append(f"{column.label}合计 {money_with_words(value)}")
        else:
            lines.append(f"{column.label}合计 {column.display(value)}")
    return lines


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a <style> element (for @page margin boxes)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>\n\r' else ch for ch in text)
    return Markup(f'"{escaped}"')


def _cell(column: Column, value: Any) -> tuple[str | Markup, str]:
    """A table cell's text and CSS class: numbers right-aligned, dates, choices and codes unbroken."""
    text = column.display(value)
    if column.kind in NUMERIC_KINDS:
        return text, "num"
    if column.kind == "date" and "年" in text:  # may break after 年 only: 2026年 / 11月23日
        year, rest = text.split("年", 1)
        return Markup('<span class="nowrap">{}年</span><span class="nowrap">{}</span>').format(year, rest), ""
    if column.kind == "choice" or (text.isascii() and len(text) <= CODE_MAX):
        return text, "nowrap"
    return text, "code" if text.isascii() else ""


def _em_width(text: str) -> float:
    """Roughly how wide `text` is, in em: a Chinese character 1, a Latin letter or digit about half."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in str(text))


def _fit_text_column(rows: list[list[tuple[Any, str]]], index: int) -> str | None:
    """Keeps a Chinese text column from being squeezed to one or two characters a line: short
    values (names, 第一村民小组) are set unbroken, longer ones get a width hint (at most
    WRAP_WIDTH_MAX em). Returns the hint, and marks the cells in place."""
    wrapping = [row for row in rows if row[index][1] == ""]
    longest = max((_em_width(row[index][0]) for row in wrapping), default=0)
    if longest <= SHORT_TEXT_EM:
        for row in wrapping:
            row[index] = (row[index][0], "nowrap")
        return None
    return f"{min(longest, WRAP_WIDTH_MAX):.1f}em"


def _wanted_em(rows: list[list[tuple[Any, str]]], index: int, hint: str | None) -> float:
    """The width a column would like, in em, padding included: its hint, or its longest value."""
    if hint:
        return float(hint.removesuffix("em")) + CELL_PADDING_EM
    texts = [Markup(text).striptags() if isinstance(text, Markup) else text for text, _ in (r[index] for r in rows)]
    return max((_em_width(text) for text in texts), default=0) + CELL_PADDING_EM


def listing_pdf(listing: Listing, page_url: str, *, demo: bool = False,
                checkpoint: Checkpoint | None = None) -> bytes:
    """The whole list (every row, not one page of it) as an A4 notice; needs an app context."""
    checkpoint = checkpoint or now_checkpoint(listing.log_size, listing.log_root_hex)
    rows = [[_cell(column, row.get(column.key)) for column in listing.columns] for row in listing.rows]
    widths = [_fit_text_column(rows, i) if column.kind == "text" else None
              for i, column in enumerate(listing.columns)]
    wanted = sum(_wanted_em(rows, i, widths[i]) for i in range(len(listing.columns)))
    html = render_template("print/listing.html", listing=listing, rows=rows, demo=demo,
                           widths=widths, running_head=css_string(f"{listing.village_name} · {listing.title}"),
                           totals=_totals_lines(listing), witness=_witness(page_url, checkpoint),
                           wide=wanted > PORTRAIT_EM)
    return render_pdf(html)


def _plain_number(value: Decimal) -> str:
    """Decimal('5.00') → '5', Decimal('2.50') → '2.5', Decimal('10.00') → '10'."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _contract_year(start: date, end: date, as_of: date) -> int:
    """0-based contract year of `as_of`, clamped to the term."""
    day = min(max(as_of, start), end)
    years = day.year - start.year - ((day.month, day.day) < (start.month, start.day))
    return max(years, 0)


def _record_pdf(template: str, detail: Any, heading: str, page_url: str, checkpoint: Checkpoint,
                **context: Any) -> bytes:
    """One record (`detail` has .village and .history) as an A4 notice: running head
    "<village> · <heading>", the 演示数据 mark, the versions, the witness block."""
    html = render_template(template, d=detail, demo=detail.village.is_demo,
                           running_head=css_string(f"{detail.village.name} · {heading}"),
                           latest=detail.history[-1] if detail.history else None,
                           witness=_witness(page_url, checkpoint), **context)
    return render_pdf(html)


def contract_pdf(detail: public_reads.ContractDetail, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A contract as an A4 notice: parties (masked), parcels,
    term, rent, the schedule with paid/overdue, receipts, versions; needs an app context."""
    contract, balance = detail.contract, detail.balance
    year = _contract_year(contract.start_date, contract.end_date, balance.as_of)
    yearly = [(1, annual_rent(contract.rent_terms, 0))]
    if year and annual_rent(contract.rent_terms, year) != yearly[0][1]:
        yearly.append((year + 1, annual_rent(contract.rent_terms, year)))
    schedule_total = sum((s.instalment.amount for s in balance.instalments), Decimal("0.00"))
    return _record_pdf(
        "print/contract.html", detail, f"合同公示 {contract.number}", page_url, checkpoint,
        c=contract, b=balance,
        status=public_reads.CONTRACT_STATUS[public_reads.contract_state(contract, balance.as_of)],
        escalation=_plain_number(contract.escalation_percent),
        yearly=yearly, schedule_total=schedule_total, states=INSTALMENT_STATES,
        rent_unit=RENT_UNITS.get(contract.rent_unit.value, ""), money_words=money_with_words)


def _latest_change(history: list) -> Any:
    """The newest version that changed the record (更正, 撤回…), or None if it was never changed."""
    return next((v for v in reversed(history) if v.version and v.version > 1), None)


def notice_pdf(detail: notice_reads.NoticeDetail, as_of: date, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A notice (公告) as an A4 notice: title, category, date, the full text with its line breaks,
    its version and the reason of its latest correction; needs an app context."""
    notice = detail.notice
    return _record_pdf(
        "print/notice.html", detail, f"公告 {notice.number}", page_url, checkpoint,
        n=notice, as_of=as_of, category=notice_reads.NOTICE_CATEGORY[notice.category.value],
        changed=_latest_change(detail.history))


def plan_pdf(detail: notice_reads.PlanDetail, as_of: date, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A plan (方案公示) as an A4 notice: comment period and state, the current text, every comment
    (names masked) with its reply, and the vote tallies with percentages; needs an app context."""
    plan = detail.plan
    return _record_pdf(
        "print/plan.html", detail, f"方案公示 {plan.number}", page_url, checkpoint,
        p=plan, as_of=as_of, state=notice_reads.PLAN_STATE[detail.state],
        comments=[(c.public_state(), logged) for c, logged in detail.comments],
        repliers=notice_reads.REPLIER, changed=_latest_change(detail.history))


def parcel_pdf(detail: public_reads.ParcelDetail, as_of: date, outline: Markup | None,
               extent: list[str] | None, page_url: str, checkpoint: Checkpoint) -> bytes:
    """A parcel as an A4 notice: its facts and status, its outline (when surveyed), every contract
    on it (lessees masked); needs an app context."""
    asset = detail.asset
    return _record_pdf(
        "print/parcel.html", detail, f"地块 {asset.number}", page_url, checkpoint,
        a=asset, s=detail.state, as_of=as_of, outline=outline, extent=extent,
        status=public_reads.PARCEL_STATUS[detail.state.status.value],
        kind=public_reads.ASSET_KIND.get(asset.kind.value, asset.kind.value),
        contract_state=lambda c: public_reads.CONTRACT_STATUS[public_reads.contract_state(c, as_of)],
        changed=_latest_change(detail.history))


class PdfCache:
    """Rendered PDFs on disk, one file per key, written atomically; oldest-used pruned past a cap."""

    def __init__(self, directory: Path, max_bytes: int = CACHE_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def path(self, key: tuple) -> Path:
        digest = hashlib.sha256(json.dumps(key, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.pdf"

    def get(self, key: tuple) -> bytes | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            os.utime(path)  # mark as recently used, for pruning
        except FileNotFoundError:  # pruned by another worker meanwhile; the bytes are still good
            pass
        return data

    def put(self, key: tuple, data: bytes) -> None:
        """Store `data` under `key`: a complete file or none, even with concurrent writers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.prune()

    def prune(self) -> None:
        """Past the cap, delete least recently used files down to CACHE_PRUNE_TO of it."""
        files = []
        for path in self.directory.glob("*.pdf"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(files, key=lambda f: f[0]):
            path.unlink(missing_ok=True)
            total -= size
            if total <= self.max_bytes * CACHE_PRUNE_TO:
                return

    def get_or_render(self, key: tuple, render: Callable[[], bytes]) -> bytes:
        """The cached PDF, or a fresh one (stored if the disk allows; served either way)."""
        data = self.get(key)
        if data is None:
            data = render()
            try:
                self.put(key, data)
            except OSError:
                current_app.logger.warning("PDF cache not writable: %s", self.directory, exc_info=True)
        return data


def pdf_cache() -> PdfCache:
    return PdfCache(Path(current_app.instance_path) / "pdf-cache")


def _pdf_response(body: bytes, filename: str) -> Response:
    """Inline PDF with a content ETag; `no-cache` = keep it, but ask (a cheap 304) before reuse."""
    disposition = f'inline; filename="{filename}"'
    if not filename.isascii():  # a contract number in Chinese: RFC 6266 filename* for browsers
        disposition = (f'inline; filename="{filename.encode("ascii", "replace").decode().replace("?", "_")}"; '
                       f"filename*=UTF-8''{quote(filename)}")
    response = Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": disposition, "Cache-Control": "public, no-cache"})
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def _is_demo(code: str) -> bool:
    return any(v.is_demo for v in public_reads.villages(backend()) if v.code == code)


def listing_response(listing: Listing) -> Response:
    """/v/<code>/<list>.pdf: all rows of the filtered list; the QR leads to the same list online."""
    # The PDF holds every row, so ?page= neither changes it nor belongs in its address.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page" and v != ""]
    query = urlencode(args)
    page_url = public_url(request.path.removesuffix(".pdf"), query)
    key = ("list", LAYOUT, listing.village_code, listing.name, page_url,
           listing.as_of.isoformat(), listing.log_size, listing.log_root_hex)
    body = pdf_cache().get_or_render(
        key, lambda: listing_pdf(listing, page_url, demo=_is_demo(listing.village_code)))
    return _pdf_response(body, f"{listing.village_code}-{listing.name}-{listing.as_of.isoformat()}.pdf")


def _versions(records: Any) -> list[tuple[int, int]]:
    return [(r.id, r.version) for r in records]


def _record_response(kind: str, endpoint: str, detail: Any, record: Any, shown_with: list, as_of: date,
                     render: Callable[[str, Checkpoint], bytes]) -> Response:
    """<record page>.pdf, rendered once per (record version, versions of what its page shows with
    it, day, page address) and then served from the cache. `render(page_url, checkpoint)` draws it
    at the log state of the record's proof (the log as read with the record)."""
    village = detail.village
    page_url = public_url(url_for(endpoint, code=village.code, number=record.number))
    key = (kind, LAYOUT, village.code, village.version, record.id, record.version, shown_with,
           as_of.isoformat(), page_url)
    proof = detail.proof or {}
    body = pdf_cache().get_or_render(
        key, lambda: render(page_url, now_checkpoint(proof.get("size", 0), proof.get("root", ""))))
    return _pdf_response(body, f"{village.code}-{record.number}-v{record.version}.pdf")


def contract_response(detail: public_reads.ContractDetail) -> Response:
    """/v/<code>/contracts/<number>.pdf, rendered once per record version (and receipts, day)."""
    return _record_response("contract", "public.contract", detail, detail.contract, _versions(detail.receipts),
                            detail.balance.as_of, lambda url, cp: contract_pdf(detail, url, cp))


def notice_response(detail: notice_reads.NoticeDetail, as_of: date) -> Response:
    """/v/<code>/notices/<number>.pdf, rendered once per notice version (and day)."""
    return _record_response("notice", "notices.notice", detail, detail.notice, [], as_of,
                            lambda url, cp: notice_pdf(detail, as_of, url, cp))


def plan_response(detail: notice_reads.PlanDetail, as_of: date) -> Response:
    """/v/<code>/plans/<number>.pdf, rendered once per plan version, its comments' and votes'
    versions, and day (which moves open/closed and the days left)."""
    shown_with = [_versions(c for c, _ in detail.comments), _versions(v for v, _ in detail.votes)]
    return _record_response("plan", "notices.plan", detail, detail.plan, shown_with, as_of,
                            lambda url, cp: plan_pdf(detail, as_of, url, cp))


def parcel_response(detail: public_reads.ParcelDetail, as_of: date, outline: Markup | None,
                    extent: list[str] | None) -> Response:
    """/v/<code>/parcels/<number>.pdf, rendered once per parcel version, its contracts' versions,
    and day (which moves leased/expiring/vacant)."""
    return _record_response("parcel", "parcels.parcel", detail, detail.asset, _versions(detail.contracts), as_of,
                            lambda url, cp: parcel_pdf(detail, as_of, outline, extent, url, cp))
