"""Login, logout and changing one's own password, for staff, committee members and township officers."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.accounts import throttle
from portal.accounts.forms import ChangePasswordForm, LoginForm, show_errors
from portal.accounts.models import User
from portal.accounts.passwords import HashingBusy
from portal.accounts.services import LoginAttempt, actor_for, authenticate, change_password
from portal.accounts.sessions import COOKIE_KEY, end_all_sessions, start_session
from portal.app import backend
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.publishing.query import arg
from portal.translations import translate

bp = Blueprint("accounts", __name__)
# What a new session keeps of the old one: the reader's choices, nothing about who they were.
PREFERENCES = ("lang", "large_text")


def _safe_next(target: str | None, desk: str) -> str:
    """Only same-site paths, so the login page cannot bounce people to another site; without
    one, the account's workspace (/staff/, /committee/, /township/)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return desk


def login_limits() -> throttle.Limits:
    config = current_app.config
    return throttle.Limits(config["LOGIN_LIMIT_ACCOUNT"], config["LOGIN_LIMIT_ADDRESS"],
                           timedelta(minutes=config["LOGIN_LIMIT_MINUTES"]))


def client_address() -> str:
    """The client's address: the peer's, or the one a trusted proxy (TRUSTED_PROXIES) gave."""
    return request.remote_addr or "unknown"


def _new_session(user: User) -> None:
    """Replaces the whole cookie session (a new CSRF token with it) by a new server-side session."""
    kept = {key: session[key] for key in PREFERENCES if key in session}
    session.clear()
    session.update(kept)
    g.pop("csrf_token", None)  # Flask-WTF keeps this request's token here: make a new one
    session[COOKIE_KEY] = start_session(backend(), user)
    login_user(user)


def _end_session() -> None:
    kept = {key: session[key] for key in PREFERENCES if key in session}
    logout_user()
    session.clear()
    session.update(kept)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        attempt = LoginAttempt(form.username.data or "", form.password.data or "", client_address(), login_limits())
        try:
            user = authenticate(backend(), attempt)
        except throttle.TooManyFailedLogins as err:
            form.form_errors.append(str(err))
            return render_template("auth/login.html", form=form), 429
        except HashingBusy as err:
            form.form_errors.append(str(err))
            return render_template("auth/login.html", form=form), 503
        if user is not None:
            _new_session(user)
            flash(translate(say("欢迎，%(name)s", name=user.display_name)))
            return redirect(_safe_next(arg("next") or None, f"/{user.role.value}/"))
        form.password.errors = [*form.password.errors, "用户名或密码不正确"]
    if request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def logout() -> Response:
    end_all_sessions(backend(), current_user.id)  # every browser of the account, copied cookies too
    _end_session()
    flash(say("已退出登录"))
    return redirect(url_for("villages.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = change_password(backend(), actor_for(current_user), form.old_password.data or "",
                                   form.new_password.data or "", client_address(), login_limits())
        except ValidationError as err:
            show_errors(form, err.errors)
        except (throttle.TooManyFailedLogins, HashingBusy) as err:
            form.form_errors.append(str(err))
            status = 429 if isinstance(err, throttle.TooManyFailedLogins) else 503
            return render_template("auth/password.html", form=form), status
        else:
            _new_session(user)  # every other session ended with the change
            flash(say("密码已修改，其他设备上的登录已全部退出"))
            return redirect(url_for("accounts.password"))
    return render_template("auth/password.html", form=form), 400 if request.method == "POST" else 200


@bp.after_request
def private_pages(response: Response) -> Response:
    """Pages about an account are nobody else's: never kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response
