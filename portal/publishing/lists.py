"""The list pages and their downloads: /v/<code>/<list> and /v/<code>/<list>.<csv|xlsx|json|pdf>."""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, overload

from flask import Response, abort, render_template

from portal.kernel.messages import say
from portal.publishing.exports import MEDIA_TYPES, WRITERS
from portal.publishing.listings import Listing
from portal.publishing.printing import listing_response
from portal.publishing.query import arg

PAGE_SIZE = 20
FORMATS = (*WRITERS, "pdf")


@overload
def choice_arg(name: str, allowed: Collection[str], default: str) -> str: ...
@overload
def choice_arg(name: str, allowed: Collection[str], default: None = None) -> str | None: ...


def choice_arg(name: str, allowed: Collection[str], default: str | None = None) -> str | None:
    """A query parameter that must be one of `allowed`; 400 with a message otherwise."""
    value = arg(name).strip()
    if not value:
        return default
    if value not in allowed:
        abort(400, say("参数 %(name)s 的值“%(value)s”无效，可选：%(allowed)s",
                       name=name, value=value[:40], allowed='、'.join(allowed)))
    return value


def text_arg(name: str, max_len: int = 50) -> str:
    value = arg(name).strip()
    if len(value) > max_len:
        abort(400, say("参数 %(name)s 太长（最多 %(most)s 个字）", name=name, most=max_len))
    return value


def page_arg(total_rows: int) -> tuple[int, int]:
    """(page, pages) from ?page=; 400 for a non-number, 404 past the last page."""
    raw = arg("page", "1").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        abort(400, say("页码“%(raw)s”无效，请填写从 1 开始的整数", raw=raw[:20]))
    pages = max(1, -(-total_rows // PAGE_SIZE))
    if int(raw) > pages:
        abort(404, say("没有第 %(raw)s 页（共 %(pages)s 页）", raw=raw, pages=pages))
    return int(raw), pages


CellsOf = Callable[[Sequence[dict[str, Any]], Sequence[str | None]], list[Any]]


def respond(listing: Listing, fmt: str | None, template: str, cells: CellsOf | None = None,
            **context: Any) -> Response | str:
    """The HTML page (one page of rows) or the whole filtered list in the asked format. With
    `cells`, the template gets `cells(rows, links)` of the page shown instead of (row, link) pairs."""
    if fmt is None:
        page, pages = page_arg(len(listing.rows))
        start = (page - 1) * PAGE_SIZE
        shown = listing.rows[start:start + PAGE_SIZE]
        links = (listing.links or [None] * len(listing.rows))[start:start + PAGE_SIZE]
        return render_template(template, listing=listing, page=page, pages=pages, formats=FORMATS,
                               rows=cells(shown, links) if cells else list(zip(shown, links)), **context)
    if fmt not in FORMATS:
        abort(404, say("不支持的格式“%(fmt)s”，可选：%(allowed)s", fmt=fmt[:10], allowed='、'.join(FORMATS)))
    if fmt == "pdf":
        return listing_response(listing)
    body = WRITERS[fmt](listing)
    filename = f"{listing.village_code}-{listing.name}-{listing.as_of.isoformat()}.{fmt}"
    return Response(body, content_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
