"""The reader's choices (语言、长辈版), kept in the session and in a long-lived cookie of their
own, so they survive closing the browser while a login (the session cookie) does not."""
from __future__ import annotations

from flask import g, request, session
from werkzeug.wrappers import Response

LANGUAGES = ("zh", "en")
COOKIE = "prefs"
YEAR = 365 * 24 * 3600


def _cookie() -> dict[str, str]:
    """`lang=en&large=1` → its pairs; anything unknown is ignored. Read once per request."""
    found: dict[str, str] | None = g.get("_prefs_cookie")
    if found is None:
        cookies = request.cookies
        pairs = (part.partition("=") for part in (cookies[COOKIE] if COOKIE in cookies else "").split("&"))
        found = g._prefs_cookie = {key: value for key, _, value in pairs if key in ("lang", "large")}
    return found


def language() -> str:
    """The chosen language: the session's, else the cookie's, else Chinese."""
    chosen = session.get("lang") or _cookie().get("lang")
    return chosen if chosen in LANGUAGES else "zh"


def large_text() -> bool:
    """长辈版 on? The session's choice, else the cookie's."""
    if "large_text" in session:
        return bool(session["large_text"])
    return _cookie().get("large") == "1"


def remember(response: Response) -> Response:
    """Stores the current choices in the long-lived cookie (after a preference link)."""
    value = f"lang={language()}&large={'1' if large_text() else '0'}"
    response.set_cookie(COOKIE, value, max_age=YEAR, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response
