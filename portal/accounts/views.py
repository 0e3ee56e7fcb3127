"""Login and logout for staff, committee members and township officers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.accounts.forms import LoginForm
from portal.accounts.services import authenticate
from portal.app import backend
from portal.publishing.query import arg

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None, desk: str) -> str:
    """Only same-site paths, so the login page cannot bounce people to another site; without
    one, the account's workspace (/staff/, /committee/, /township/)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return desk


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(backend(), form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            flash(f"欢迎，{user.display_name}")
            return redirect(_safe_next(arg("next") or None, f"/{user.role.value}/"))
        form.password.errors = [*form.password.errors, "用户名或密码不正确"]
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" or form.errors == {} else 400


@bp.post("/logout")
@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def logout() -> Response:
    logout_user()
    flash("已退出登录")
    return redirect(url_for("villages.home"))
