"""Contract pages, no login: the list (合同公开), one contract with its history, the arrears list."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypedDict

from flask import Blueprint, Response, current_app, get_template_attribute, render_template
from markupsafe import Markup

from portal.app import backend
from portal.contracts import labels as contract_labels
from portal.contracts import reads as contract_reads
from portal.contracts.printing import cached_contract_response
from portal.kernel.area import area_grouped
from portal.kernel.money import format_money
from portal.publishing.formatting import EN_AREA_UNITS, area, area_number, cn_date, en_date
from portal.publishing.listings import Listing
from portal.publishing.lists import choice_arg, respond, text_arg
from portal.publishing.memo import HeadMemo
from portal.signings import reads as signing_reads
from portal.tenders import links as tender_links
from portal.translations import current_translations, in_english

bp = Blueprint("contracts", __name__)


class _Filters(TypedDict):
    """The list's query parameters, as contracts_listing takes them."""

    status: str | None
    lessee: str
    parcel: str
    sort: str


class _Cells(NamedTuple):
    """One row of the contract list as shown: what the template's filters made of it, per cell."""

    link: str | None
    number: str
    title: str
    lessee: str
    kind: str                        # 固定租金 / 保底加分成 / 无偿使用, in the reader's language
    area: str
    rent_rate: str
    rent_unit: str
    start_date: str
    end_date: str
    status: str
    arrears: str                     # "" when nothing is owed


def _contract_cells(rows: Sequence[dict[str, Any]], links: Sequence[str | None]) -> list[_Cells]:
    """The shown page's rows formatted once here rather than by a dozen filter calls per row in
    the template (they were a third of the page's time); in the reader's language, as the filters."""
    english = in_english()
    word = current_translations().ugettext
    day = en_date if english else cn_date
    cells = []
    for row, link in zip(rows, links):
        unit = "m2" if row["rent_unit"] == "m2_month" else "mu"
        size = (f"{area_number(row['area'])} {EN_AREA_UNITS[unit]}" if english else area(row["area"], unit))
        cells.append(_Cells(
            link, row["number"], row["title"], row["lessee"],
            word(contract_labels.CONTRACT_KIND.get(row["kind"], row["kind"])), size, f"{Decimal(row['rent_rate']):,.2f}",
            word(contract_labels.RENT_UNIT.get(row["rent_unit"], row["rent_unit"])),
            day(row["start_date"]), day(row["end_date"]),
            word(contract_labels.CONTRACT_STATUS.get(row["status"], row["status"])),
            "" if row["arrears"] == "0.00" else format_money(Decimal(row["arrears"]))))
    return cells


# (code, as_of, log size, log root, in English) → contract number → its rendered <li>
_ROWS_BY_HEAD: HeadMemo[dict[str, Markup]] = HeadMemo()


def _contract_rows(listing: Listing, rows: Sequence[dict[str, Any]], links: Sequence[str | None]) -> list[Markup]:
    """The shown page's rows as HTML, each rendered once per log head and language: a row shows
    only what the log head and the day fix (see publishing/memo.py)."""
    key = (listing.village_code, listing.as_of, listing.log_size, listing.log_root_hex, in_english())
    engine = backend().db.engine
    rendered = _ROWS_BY_HEAD.get(engine, key)
    if rendered is None:
        rendered = {}
        _ROWS_BY_HEAD.put(engine, key, rendered)
    missing = [(row, link) for row, link in zip(rows, links) if row["number"] not in rendered]
    if missing:
        contract_row = get_template_attribute("public/_contract_row.html", "contract_row")
        for cells in _contract_cells([row for row, _ in missing], [link for _, link in missing]):
            rendered[cells.number] = contract_row(cells)
    return [rendered[row["number"]] for row in rows]


@bp.get("/v/<code>/contracts/<number>")
def contract(code: str, number: str) -> str:
    today = backend().today()
    detail = contract_reads.contract_detail(backend(), code, number, today)
    signings = signing_reads.contract_signings(backend(), code, number)
    tender = tender_links.tender_of_contract(backend(), code, number)
    return render_template("public/contract.html", d=detail, today=today, signings=signings, tender=tender)


@bp.get("/v/<code>/contracts/<number>.pdf")
def contract_pdf(code: str, number: str) -> Response:
    """The contract as a printed notice, rendered once per record version."""
    return cached_contract_response(backend(), code, number, backend().today())


@bp.get("/v/<code>/contracts", defaults={"fmt": None})
@bp.get("/v/<code>/contracts.<fmt>")
def contracts(code: str, fmt: str | None) -> Response | str:
    """合同公开: filter by status, lessee (public name) and parcel; sort; paginate."""
    filters: _Filters = {
        "status": choice_arg("status", tuple(contract_labels.CONTRACT_STATUS)),
        "lessee": text_arg("lessee"),
        "parcel": text_arg("parcel", 32),
        "sort": choice_arg("sort", tuple(contract_reads.CONTRACT_SORTS), "start"),
    }
    # the log head the ETag was made of (publishing/caching.py): the list shows that state
    head = current_app.extensions["log_heads"].get(code)
    listing = contract_reads.contracts_listing(backend(), code, backend().today(), **filters, head=head)
    return respond(listing, fmt, "public/contracts.html", lambda rows, links: _contract_rows(listing, rows, links),
                   filters=filters,
                   statuses=contract_labels.CONTRACT_STATUS)


@bp.get("/v/<code>/arrears", defaults={"fmt": None})
@bp.get("/v/<code>/arrears.<fmt>")
def arrears(code: str, fmt: str | None) -> Response | str:
    """欠租清单, derived, largest first."""
    return respond(contract_reads.arrears_listing(backend(), code, backend().today()), fmt, "public/arrears.html")
