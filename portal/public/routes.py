"""Public pages, no login: the villages, a village's contracts, one contract with its history."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template

from ..app import backend
from ..formatting import SHANGHAI
from ..services import public_reads
from .lists import choice_arg, respond, text_arg

bp = Blueprint("public", __name__)


def today():
    """Dates of rent and arrears are Beijing dates."""
    return datetime.now(SHANGHAI).date()


@bp.get("/")
def home():
    return render_template("public/home.html", villages=public_reads.villages(backend()))


@bp.get("/v/<code>/")
def village(code: str):
    overview = public_reads.village_overview(backend(), code, today())
    return render_template("public/village.html", o=overview, today=today())


@bp.get("/v/<code>/contracts/<number>")
def contract(code: str, number: str):
    detail = public_reads.contract_detail(backend(), code, number, today())
    return render_template("public/contract.html", d=detail, today=today())


@bp.get("/v/<code>/contracts", defaults={"fmt": None})
@bp.get("/v/<code>/contracts.<fmt>")
def contracts(code: str, fmt: str | None):
    """合同公开: filter by status, lessee (public name) and parcel; sort; paginate."""
    filters = {
        "status": choice_arg("status", tuple(public_reads.CONTRACT_STATUS)),
        "lessee": text_arg("lessee"),
        "parcel": text_arg("parcel", 32),
        "sort": choice_arg("sort", tuple(public_reads.CONTRACT_SORTS), "start"),
    }
    listing = public_reads.contracts_listing(backend(), code, today(), **filters)
    return respond(listing, fmt, "public/contracts.html", filters=filters,
                   statuses=public_reads.CONTRACT_STATUS)
