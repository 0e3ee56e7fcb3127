"""Flask extensions: CSRF on every form, Babel (zh first, en second), login sessions."""
from __future__ import annotations

from babel import Locale
from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from portal.publishing import prefs
from portal.publishing.prefs import LANGUAGES
from portal.publishing.query import arg
from portal.translations import in_english

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a request without the cookie (most readers) gets its
    empty session without building a signing serializer first (a twentieth of a page's time)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


# Parsed once: Flask-Babel parses the selector's answer on every request unless it is a Locale.
LOCALES = {language: Locale.parse(language) for language in LANGUAGES}


def select_locale() -> Locale:
    """?lang= sticks in the session; else the reader's remembered choice (publishing/prefs.py);
    otherwise Chinese, whatever the browser says."""
    chosen = arg("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return LOCALES[prefs.language()]


def html_lang() -> str:
    """<html lang> of a page: the language Babel chose for this request (so ?lang=en counts
    on the very request that asks for it, before the session says so)."""
    return "en" if in_english() else "zh-CN"


def init_app(app: Flask) -> None:
    from portal.accounts.sessions import COOKIE_KEY, session_user
    from portal.app import backend
    from portal.translations import ensure_compiled, install_gettext, translate, translate_in

    app.session_interface = CookieSessions()
    csrf.init_app(app)
    ensure_compiled()  # the English .mo from its .po (build artefacts, not in git)
    babel.init_app(app, locale_selector=select_locale)
    install_gettext(app.jinja_env)
    app.jinja_env.filters["translate"] = translate
    app.jinja_env.filters["translate_in"] = translate_in
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["large_text"] = prefs.large_text
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    # Valid only with a live server-side session (portal/accounts/sessions.py), not the cookie alone.
    login_manager.user_loader(lambda user_id: session_user(backend(), user_id, session.get(COOKIE_KEY)))
