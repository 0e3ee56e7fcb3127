"""One place that turns errors into friendly Chinese pages (or JSON for the audit API)."""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from portal.kernel.errors import (
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
)

MESSAGES = {
    400: "请求有误",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持这种操作",
    413: "上传的文件太大",
    500: "系统出了点问题，请稍后再试",
}


# Flask picks the handler of the most specific class, so ServiceError is only the fallback.
SERVICE_STATUS = {ValidationError: 400, NotFound: 404, PermissionDenied: 403, ServiceError: 400}


def _wants_json() -> bool:
    return "/audit/" in request.path or request.path.endswith(".json")


def _answer(status: int, detail: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify({"error": MESSAGES.get(status, "错误"), "detail": detail}), status
    return render_template("error.html", status=status, title=MESSAGES.get(status, "错误"), detail=detail), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> tuple[Response | str, int]:
        # Our own abort() messages are Chinese and meant for the reader; werkzeug's defaults are not.
        description = err.description or ""
        own = description and description != type(err).description
        detail = description if own else ""
        return _answer(err.code or 500, detail)

    @app.errorhandler(SecurityError)
    def untrusted_host(err: SecurityError) -> Response:
        # A Host not in TRUSTED_HOSTS: no page can be built for it (url_for has no adapter), so
        # plain text, pointing to the portal's own address.
        return Response(f"400 请求有误：网址中的主机名不是本站的地址。本站地址："
                        f"{current_app.config['PUBLIC_BASE_URL']}\n",
                        status=400, mimetype="text/plain")

    for kind, status in SERVICE_STATUS.items():
        app.register_error_handler(kind, lambda err, status=status: _answer(status, str(err)))

    @app.errorhandler(Exception)
    def crashed(err: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unhandled error")
        return _answer(500, "")
