"""Public pages, no login: the villages, a village's contracts, one contract with its history."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, send_file, url_for
from flask_login import current_user

from ..app import backend
from ..formatting import SHANGHAI
from ..printing import contract_response
from ..qr import qr_svg
from ..services import public_reads
from ..urls import public_url
from .lists import choice_arg, respond, text_arg

bp = Blueprint("public", __name__)
SCAN_SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def today():
    """Dates of rent and arrears are Beijing dates."""
    return datetime.now(SHANGHAI).date()


@bp.get("/")
def home():
    query = text_arg("q")
    villages = [v for v in public_reads.villages(backend())
                if not query or query in v.name or query in v.township or query in v.county or query == v.code]
    return render_template("public/home.html", villages=villages, q=query)


@bp.get("/v/<code>/")
def village(code: str):
    overview = public_reads.village_overview(backend(), code, today())
    page_url = public_url(url_for("public.village", code=code))
    return render_template("public/village.html", o=overview, today=today(), page_url=page_url,
                           qr=qr_svg(page_url, title=f"{overview.village.name} 三资公开"))


@bp.get("/v/<code>/contracts/<number>")
def contract(code: str, number: str):
    detail = public_reads.contract_detail(backend(), code, number, today())
    return render_template("public/contract.html", d=detail, today=today())


@bp.get("/v/<code>/contracts/<number>.pdf")
def contract_pdf(code: str, number: str):
    """The contract as a printed notice, rendered once per record version."""
    return contract_response(public_reads.contract_detail(backend(), code, number, today()))


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


@bp.get("/v/<code>/arrears", defaults={"fmt": None})
@bp.get("/v/<code>/arrears.<fmt>")
def arrears(code: str, fmt: str | None):
    """欠租清单, derived, largest first."""
    return respond(public_reads.arrears_listing(backend(), code, today()), fmt, "public/arrears.html")


@bp.get("/v/<code>/receipts", defaults={"fmt": None})
@bp.get("/v/<code>/receipts.<fmt>")
def receipts(code: str, fmt: str | None):
    """收益凭证 per year and per contract."""
    years = public_reads.receipt_years(backend(), code)
    year = choice_arg("year", tuple(str(y) for y in years))
    contract = text_arg("contract", 40)
    listing = public_reads.receipts_listing(backend(), code, today(), year=int(year) if year else None,
                                            contract=contract)
    return respond(listing, fmt, "public/receipts.html", years=years, year=year, contract=contract)


@bp.get("/v/<code>/receipts/<number>/scan")
def receipt_scan(code: str, number: str):
    """收据扫描件, served by its SHA-256 (so it can never change under the same address)."""
    scan = public_reads.receipt_scan(backend(), code, number)
    if not scan.public and not (current_user.is_authenticated and current_user.village_id == scan.village_id):
        abort(403, "这张收据的交款人是个人，扫描件含个人信息，只有本村工作人员登录后可以查看。")
    if not scan.path.exists():
        abort(404, "扫描件文件缺失，请联系村务工作人员")
    response = send_file(scan.path, mimetype=scan.media_type, etag=scan.sha256, max_age=365 * 24 * 3600,
                         download_name=f"{number}-{scan.sha256[:12]}{SCAN_SUFFIXES.get(scan.media_type, '')}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
