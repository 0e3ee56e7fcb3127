"""The audit log over HTTP, no login: checkpoint, entries, inclusion and consistency proofs."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, stream_with_context

from portal.app import backend
from portal.auditlog import reads as log_reads
from portal.publishing.query import arg

bp = Blueprint("auditlog", __name__, url_prefix="/v/<code>/audit")
MAX_DIGITS = 18


def _int_arg(name: str, default: int | None = None) -> int:
    """A non-negative integer query parameter; 400 with a message otherwise."""
    raw = arg(name)
    if raw == "":
        if default is None:
            abort(400, f"缺少参数 {name}")
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
        abort(400, f"参数 {name} 必须是非负整数，收到“{raw[:40]}”")
    return int(raw)


@bp.get("/checkpoint")
def checkpoint(code: str) -> Response:
    text = log_reads.checkpoint_text(backend(), code)
    return Response(text, mimetype="text/plain", headers={"Cache-Control": "no-cache"})


@bp.get("/entries.jsonl")
def entries(code: str) -> Response:
    size = log_reads.log_size(backend(), code)
    start, end = _int_arg("start", 0), _int_arg("end", size)
    if start > end or end > size:
        abort(400, f"需要 0 ≤ start ≤ end ≤ {size}（日志当前共 {size} 条），收到 start={start}、end={end}")
    lines = log_reads.entry_lines(backend(), code, start, end)
    return Response(stream_with_context(lines), mimetype="application/jsonl; charset=utf-8")


@bp.get("/proof/inclusion")
def inclusion(code: str) -> Response:
    index, size = _int_arg("index"), _int_arg("size", log_reads.log_size(backend(), code))
    return jsonify(log_reads.inclusion_proof(backend(), code, index, size))


@bp.get("/proof/consistency")
def consistency(code: str) -> Response:
    old, new = _int_arg("old"), _int_arg("new", log_reads.log_size(backend(), code))
    return jsonify(log_reads.consistency_proof(backend(), code, old, new))


@bp.get("/bundle/<int:seq>.json")
def bundle(code: str, seq: int) -> Response:
    """证明包: one entry with its inclusion proof and the signed checkpoint, to keep or check."""
    response = jsonify(log_reads.proof_bundle(backend(), code, seq))
    response.headers["Content-Disposition"] = f'attachment; filename="{code}-entry-{seq}-proof.json"'
    return response
