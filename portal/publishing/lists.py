"""The list pages and their downloads: /v/<code>/<list> and /v/<code>/<list>.<csv|xlsx|json|pdf>."""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, overload

from flask import Response, abort, render_template

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
        abort(400, f"参数 {name} 的值“{value[:40]}”无效，可选：{'、'.join(allowed)}")
    return value


def text_arg(name: str, max_len: int = 50) -> str:
    value = arg(name).strip()
    if len(value) > max_len:
        abort(400, f"参数 {name} 太长（最多 {max_len} 个字）")
    return value


def page_arg(total_rows: int) -> tuple[int, int]:
    """(page, pages) from ?page=; 400 for a non-number, 404 past the last page."""
    raw = arg("page", "1").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        abort(400, f"页码“{raw[:20]}”无效，请填写从 1 开始的整数")
    pages = max(1, -(-total_rows // PAGE_SIZE))
    if int(raw) > pages:
        abort(404, f"没有第 {raw} 页（共 {pages} 页）")
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
        abort(404, f"不支持的格式“{fmt[:10]}”，可选：{'、'.join(FORMATS)}")
    if fmt == "pdf":
        return listing_response(listing)
    body = WRITERS[fmt](listing)
    filename = f"{listing.village_code}-{listing.name}-{listing.as_of.isoformat()}.{fmt}"
    return Response(body, content_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
