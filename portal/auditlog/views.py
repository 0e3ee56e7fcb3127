"""The audit log over HTTP, no login: checkpoint, entries, inclusion and consistency proofs."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, stream_with_context
from flask_babel import gettext as _

from portal.app import backend
from portal.auditlog import reads as log_reads
from portal.kernel.messages import say
from portal.publishing.formatting import parse_count
from portal.publishing.query import arg
from portal.villages import reads as village_reads

bp = Blueprint("auditlog", __name__, url_prefix="/v/<code>/audit")
MAX_DIGITS = 18


def _int_arg(name: str, default: int | None = None) -> int:
    """A non-negative integer query parameter; 400 with a message otherwise."""
    raw = arg(name)
    if raw == "":
        if default is None:
            abort(400, say("缺少参数 %(name)s", name=name))
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS:
        abort(400, say("参数 %(name)s 必须是非负整数，收到“%(raw)s”", name=name, raw=raw[:40]))
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
        abort(400, say("需要 0 ≤ start ≤ end ≤ %(size)s（日志当前共 %(size)s 条），收到 start=%(start)s、end=%(end)s",
                       size=size, start=start, end=end))
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


@bp.get("/keys")
def keys(code: str) -> Response:
    """The signed-note verifier keys, one a line, the portal's first: the `keys` file of
    `python -m audit.verify DIR`."""
    text = "".join(key + "\n" for key in log_reads.verifier_keys(backend(), code))
    return Response(text, mimetype="text/plain", headers={"Cache-Control": "no-cache"})


@bp.get("/check")
def paper_check(code: str) -> str:
    """核对公告: the size and root printed on a notice, checked against today's log by the server,
    so it works without JavaScript. The form is a GET: a notice's QR code carries both values."""
    village = village_reads.village_name(backend(), code)
    size_text, root_text = arg("size").strip(), arg("root").strip()
    errors: dict[str, str] = {}
    result = None
    if size_text or root_text:
        # printed with separators (1,234), typed either way
        size = parse_count(size_text) if len(size_text) <= 2 * MAX_DIGITS else None
        if size is None or size >= 10 ** MAX_DIGITS:
            errors["size"] = _("请输入公告上印的条数（一个整数），例如 1234。")
        root = log_reads.parse_root(root_text) if len(root_text) <= 200 else None
        if root is None:
            errors["root"] = _("请输入公告上印的根哈希：44 个字符，以“=”结尾，大小写要一致。")
        if not errors and size is not None and root is not None:
            result = log_reads.paper_check(backend(), code, size, root)
    return render_template("public/paper_check.html", village=village, code=code, size=size_text,
                           root=root_text, errors=errors, result=result,
                           fingerprint=log_reads.portal_key_fingerprint(backend()))


@bp.get("/verifier.zip")
def verifier_zip(code: str) -> Response:
    """The offline verifier's source (the `audit` package, standard library only) as a zip, so
    the village page's how-to needs nothing but Python: unzipped next to the downloaded files,
    `python3 -m audit.verify .` runs it. Its source is the same for every village."""
    log_reads.log_size(backend(), code)
    response = Response(log_reads.verifier_source_zip(), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="verifier.zip"'
    return response
