"""Numbers, dates and money as Chinese readers expect them (¥1,234.50 · 2026年11月23日)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .money import amount_in_words, format_money

SHANGHAI = ZoneInfo("Asia/Shanghai")
AREA_UNITS = {"mu": "亩", "m2": "㎡"}


def cn_date(value: date | str | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(value: datetime | None) -> str:
    """UTC in storage, Asia/Shanghai on screen."""
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def area(value: Decimal | str, unit: str = "mu") -> str:
    return f"{Decimal(value):,.2f} {AREA_UNITS.get(unit, unit)}"


def action_word(verb: str) -> str:
    """contract.correct → 更正 (the verb after the dot, or the verb itself)."""
    from .history import ACTIONS

    verb = verb.rsplit(".", 1)[-1]
    return ACTIONS.get(verb, verb)


FILTERS = {
    "action_word": action_word,
    "money": lambda v: format_money(Decimal(v)),
    "money_words": lambda v: amount_in_words(Decimal(v)),
    "cn_date": cn_date,
    "cn_datetime": cn_datetime,
    "area": area,
}
