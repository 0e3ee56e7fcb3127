"""Areas (亩 for land, ㎡ for buildings) as Decimal to four places, shown with two to four.

Land registers (确权) give 亩 to four places (0.0001 亩 ≈ 0.07 ㎡). A value is written with at
least two places and without trailing zeros beyond them (12.30, 12.345, 12.3456), so areas
logged when two places were the limit read exactly as they were logged.
"""
from __future__ import annotations

from decimal import Decimal

AREA_PLACES = 4
_STEP = Decimal(1).scaleb(-AREA_PLACES)


def _trimmed(text: str) -> str:
    """Drops zeros after the second decimal place: 12.3400 → 12.34, 12.3450 → 12.345."""
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return f"{whole}.{decimals}"


def area_text(value: Decimal | str | int) -> str:
    """An area as data (public state, exports): Decimal('12.3000') → '12.30'."""
    return _trimmed(f"{Decimal(value).quantize(_STEP):f}")


def area_grouped(value: Decimal | str | int) -> str:
    """An area as people read it, thousands grouped: Decimal('1234.5') → '1,234.50'."""
    return _trimmed(f"{Decimal(value).quantize(_STEP):,f}")
