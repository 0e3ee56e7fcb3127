"""Column types: exact decimals stored as scaled integers, timezone-aware UTC datetimes."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def trimmed(value: Decimal, least: int) -> Decimal:
    """`value` without trailing zeros beyond `least` places: 12.5000 → 12.50, 1.2340 → 1.234.
    Areas kept to 4 places read back like this, so an area typed as 12.5 stays "12.50" in the
    log and on pages, as before areas had more than two places."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int), f"{value} is not a finite number"
    return value.quantize(Decimal(1).scaleb(min(-least, exponent)))


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of 10^-places units (money: places=2, i.e. fen).

    Integers keep SQLite and PostgreSQL exact and identical; a value with more places is refused.
    With `least` (< places) a value reads back with only as many places as it needs, `least`
    at the fewest (see `trimmed`).
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2, least: int | None = None) -> None:
        super().__init__()
        self.places = places
        self.least = places if least is None else least

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        number = Decimal(int(value)).scaleb(-self.places)
        return number if self.least == self.places else trimmed(number, self.least)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetime; naive values are refused so no local time sneaks in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use UTC")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite returns naive values; they were stored as UTC
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
