"""QR codes (segno) as inline SVG, for 一村一码 on pages and on printed notices."""
from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, scale: int = 4, title: str = "") -> Markup:
    """An inline <svg> QR code of `url` (error correction M, quiet zone of 2 modules)."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=scale, border=2, title=title or url, dark="#000", light="#fff"))
