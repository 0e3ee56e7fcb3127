"""Signing pages, no login: 签约记录, one signing with its files and history."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.app import backend
from portal.publishing.lists import respond
from portal.publishing.scans import send_scan
from portal.signings import labels as signing_labels
from portal.signings import reads as signing_reads

bp = Blueprint("signings", __name__)


@bp.get("/v/<code>/signings", defaults={"fmt": None})
@bp.get("/v/<code>/signings.<fmt>")
def signings(code: str, fmt: str | None) -> Response | str:
    listing = signing_reads.signings_listing(backend(), code, backend().today())
    return respond(listing, fmt, "public/signings.html")


@bp.get("/v/<code>/signings/<number>")
def signing(code: str, number: str) -> str:
    detail = signing_reads.signing_detail(backend(), code, number)
    return render_template("public/signing.html", d=detail, statuses=signing_labels.SIGNING_STATUS)


@bp.get("/v/<code>/signings/<number>/files/<sha256>")
def signing_file(code: str, number: str, sha256: str) -> Response:
    """A photo or the signed scan, by the SHA-256 the log names (so it never changes under the
    same address). The scan of a person's contract only for the village's own staff, not cached."""
    return send_scan(signing_reads.signing_file(backend(), code, number, sha256), number,
                     "承包方是个人的合同扫描件含身份证号等个人信息，只有本村的工作人员登录后可以查看。")
