"""Contract pages, no login: the list (合同公开), one contract with its history, the arrears list."""
from __future__ import annotations

from typing import TypedDict

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.contracts import labels as contract_labels
from portal.contracts import reads as contract_reads
from portal.contracts.printing import contract_response
from portal.publishing.lists import choice_arg, respond, text_arg

bp = Blueprint("contracts", __name__)


class _Filters(TypedDict):
    """The list's query parameters, as contracts_listing takes them."""

    status: str | None
    lessee: str
    parcel: str
    sort: str


@bp.get("/v/<code>/contracts/<number>")
def contract(code: str, number: str) -> str:
    today = backend().today()
    detail = contract_reads.contract_detail(backend(), code, number, today)
    return render_template("public/contract.html", d=detail, today=today)


@bp.get("/v/<code>/contracts/<number>.pdf")
def contract_pdf(code: str, number: str) -> Response:
    """The contract as a printed notice, rendered once per record version."""
    return contract_response(contract_reads.contract_detail(backend(), code, number, backend().today()))


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
    listing = contract_reads.contracts_listing(backend(), code, backend().today(), **filters)
    return respond(listing, fmt, "public/contracts.html", filters=filters,
                   statuses=contract_labels.CONTRACT_STATUS)


@bp.get("/v/<code>/arrears", defaults={"fmt": None})
@bp.get("/v/<code>/arrears.<fmt>")
def arrears(code: str, fmt: str | None) -> Response | str:
    """欠租清单, derived, largest first."""
    return respond(contract_reads.arrears_listing(backend(), code, backend().today()), fmt, "public/arrears.html")
