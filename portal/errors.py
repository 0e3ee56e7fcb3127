"""One place that turns errors into friendly Chinese pages (or JSON for the audit API)."""
from __future__ import annotations

from flask import Flask, Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from portal.kernel.errors import (
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from portal.kernel.messages import Message, say
from portal.publishing.pdf import RenderTimeout
from portal.translations import N_, translate

CSRF_REFUSED = N_("这个表单已过期，或不是从本站的页面提交的。请回到上一页，刷新后重新填写提交。")
MESSAGES = {
    400: "请求有误",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持这种操作",
    413: "上传的文件太大",
    429: "请求太频繁",
    500: "系统出了点问题，请稍后再试",
    503: "系统繁忙，请稍后再试",
}


# Flask picks the handler of the most specific class, so ServiceError is only the fallback.
SERVICE_STATUS = {ValidationError: 400, NotFound: 404, PermissionDenied: 403, ServiceError: 400}


def _wants_json() -> bool:
    return "/audit/" in request.path or request.path.endswith(".json")


def _answer(status: int, detail: str) -> tuple[Response | str, int]:
    if _wants_json():
        # In the reader's language, as the error page says it (translate is Chinese for Chinese readers).
        return jsonify({"error": translate(MESSAGES.get(status, "错误")), "detail": translate(detail)}), status
    return render_template("error.html", status=status, title=MESSAGES.get(status, "错误"), detail=detail), status


def _nul_in_request() -> str | None:
    """Where the request carries a NUL character (path, query, form field, file name), or None.
    PostgreSQL refuses NUL in text, so it must be stopped before any query."""
    if "\x00" in request.path:
        return say("网址")
    if any("\x00" in key + value for key, value in request.args.items(multi=True)):
        return say("网址的查询参数")
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for key, value in request.form.items(multi=True):
            if "\x00" in key + value:
                return say("表单中的“%(field)s”", field=key.replace(chr(0), "")[:40])
        if any("\x00" in key + (upload.filename or "") for key, upload in request.files.items(multi=True)):
            return say("上传文件的文件名")
    return None


def refuse_nul() -> None:
    """400 for a NUL byte anywhere a view or a query could read it (first of the request hooks)."""
    where = _nul_in_request()
    if where:
        abort(400, say("%(where)s中含有空字符（\\0），无法处理。请检查后重新输入，不要从其他程序中复制不可见的字符。", where=where))


def too_large_detail() -> str:
    """What a 413 page says: the limits, and what to do."""
    mib = 1024 * 1024
    files, text = current_app.config["MAX_CONTENT_LENGTH"] // mib, current_app.config["MAX_FORM_MEMORY_SIZE"] // mib
    return say("一次上传的文件合计不能超过 %(files)s MB，填写的文字不能超过 %(text)s MB。"
               "请把扫描件调小（例如扫描时选 150 dpi、黑白）或分几次上传。", files=files, text=text)


def init_app(app: Flask) -> None:
    # Before every other hook: the page cache looks up the village named in the path.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[Response | str, int] | tuple[Response | str, int, dict[str, str]]:
        # Our own abort() messages are Chinese and meant for the reader; werkzeug's defaults are not.
        description = err.description or ""
        own = description and description != type(err).description
        detail = description if own else too_large_detail() if err.code == 413 else ""
        body, status = _answer(err.code or 500, detail)
        retry_after = getattr(err, "retry_after", None)  # 429 and 503 say when to come back
        if retry_after:
            return body, status, {"Retry-After": str(retry_after)}
        return body, status

    @app.errorhandler(CSRFError)
    def stale_form(err: CSRFError) -> tuple[Response | str, int]:
        # Flask-WTF's reasons are English ("The CSRF token is missing."): say it in the page's language.
        return _answer(400, CSRF_REFUSED)

    @app.errorhandler(SecurityError)
    def untrusted_host(err: SecurityError) -> Response:
        # A Host not in TRUSTED_HOSTS: no page can be built for it (url_for has no adapter), so
        # plain text in the reader's language, pointing to the portal's own address.
        return Response(gettext("400 请求有误：网址中的主机名不是本站的地址。本站地址：%(address)s",
                                address=current_app.config["PUBLIC_BASE_URL"]) + "\n",
                        status=400, mimetype="text/plain")

    @app.errorhandler(RenderTimeout)
    def render_too_slow(err: RenderTimeout) -> tuple[Response | str, int, dict[str, str]]:
        app.logger.warning("PDF render over budget (%s s): %s", err.seconds, request.path)
        body, status = _answer(503, gettext(
            "打印版（PDF）这次没能在 %(seconds)s 秒内生成，可能是内容太多或系统正忙。"
            "请稍后再试；网页上的内容与打印版相同，可以先在网页上查看。", seconds=f"{err.seconds:g}"))
        return body, status, {"Retry-After": "30"}

    for kind, status in SERVICE_STATUS.items():
        # A service's message keeps what translates it (kernel/messages.py): the page's `translate`.
        app.register_error_handler(kind, lambda err, status=status: _answer(
            status, err.args[0] if len(err.args) == 1 and isinstance(err.args[0], Message) else str(err)))

    @app.errorhandler(Exception)
    def crashed(err: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unhandled error")
        return _answer(500, "")
