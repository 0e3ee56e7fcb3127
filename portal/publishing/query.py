"""The query parameters the portal reads, named in one place.

Every view reads its parameters through `arg`, which refuses a name not listed here, so the list
is complete by construction. The page cache and the PDF cache key on `known_query()` — the listed
parameters only — so a link that carries anything else (WeChat adds `from=singlemessage`, a
crawler adds a random `?x=`) is served the same cached page and PDF as the plain link, and junk
parameters cannot force a fresh render each time.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import request

QUERY_PARAMETERS = frozenset({
    "q", "page", "status", "lessee", "parcel", "sort", "kind", "year", "contract", "category", "state",
    "start", "end", "index", "size", "old", "new", "root",  # lists, the /audit API, 核对公告
    "lang", "next", "on",                            # language, 长辈版, where to go back to
    "about", "tracking",                             # a complaint about a record; a tracking code typed
    "area", "find",                                  # the parcel map: an enlarged area, "find my land"
    "sheet",                                         # a record's PDF: ?sheet=qr prints only its QR box
    "actor", "action", "unseen",                     # the committee's log: who, which act, only new
})


def arg(name: str, default: str = "") -> str:
    """The query parameter `name` as sent (`default` when absent)."""
    if name not in QUERY_PARAMETERS:
        raise KeyError(f"query parameter {name!r} is not in publishing.query.QUERY_PARAMETERS")
    args = request.args
    # not args.get(): Werkzeug's get raises and catches an HTTP exception for every absent name
    return args[name] if name in args else default


def known_query(*, without: tuple[str, ...] = ()) -> str:
    """The request's listed parameters (but `without`), in the order sent, encoded: what a cache
    keys on, and the query of a printed page's address."""
    return urlencode([(name, value) for name, value in request.args.items(multi=True)
                      if name in QUERY_PARAMETERS and name not in without and value != ""])


def known_args(*, without: tuple[str, ...] = ()) -> dict[str, str]:
    """The request's listed parameters as a dict (the first value of each), for the links a page
    makes to itself (pager, downloads): a page kept in the cache for every reader must not carry
    one reader's extra parameters in its links."""
    return {name: value for name, value in request.args.items()
            if name in QUERY_PARAMETERS and name not in without and value != ""}


def here() -> str:
    """This page's path with its listed parameters: where the 长辈版 and language links come back to."""
    query = known_query()
    return f"{request.path}?{query}" if query else request.path
