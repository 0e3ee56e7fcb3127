"""开放数据 (OCDS), no login: /v/<code>/ocds/releases.json and records.json."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response

from portal.app import backend
from portal.ocds import reads as ocds_reads

bp = Blueprint("ocds", __name__)


def _json(body: dict[str, Any], name: str) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = Response(text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/v/<code>/ocds/releases.json")
def releases(code: str) -> Response:
    """Every change of a tender, contract or receipt as an OCDS release, in log order."""
    return _json(ocds_reads.release_package(backend(), code), f"{code}-ocds-releases.json")


@bp.get("/v/<code>/ocds/records.json")
def records(code: str) -> Response:
    """One record per contracting process: its releases and the compiled release."""
    return _json(ocds_reads.record_package(backend(), code), f"{code}-ocds-records.json")
