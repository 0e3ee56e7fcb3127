"""Field checks shared by the services: collect a clear Chinese message per field, then raise."""
from __future__ import annotations

import enum
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from portal.kernel.errors import ValidationError
from portal.kernel.messages import joined, say
from portal.kernel.money import MoneyError, parse_money
from portal.kernel.types import trimmed

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")
REASON_MAX = 500
AREA_PLACES = {"mu": 4, "m2": 2}  # 亩 to 4 decimals (0.0001 亩 ≈ 0.07 ㎡), ㎡ to 2

# 2026-11-23, 2026/11/23, 2026.11.23 (one separator throughout), 2026年11月23日, 20261123
_DAY = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日?|(\d{4})(\d\d)(\d\d)")


def parse_day(text: str) -> date:
    """A date as people write it in China: 2026-11-23, 2026/11/23 (Excel's own), 2026.11.23,
    2026年11月23日 or 20261123, full-width digits too; ValueError for anything else."""
    raw = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    match = _DAY.fullmatch(raw)
    if match is None:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = (int(part) for part in match.groups() if part and part not in "-/.")
    return date(year, month, day)


class Checker:
    """Collects per-field errors; `done()` raises ValidationError if any were found."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def result(self, checked: T | None) -> T:
        """`checked` (the values a service built from its checks) once no check failed; raises
        ValidationError with every message otherwise. Services build None only for a value that
        failed a check, so None here with no message is a bug in the service."""
        self.done()
        if checked is None:
            raise AssertionError("checked values missing, yet no check failed")
        return checked

    def text(self, field: str, value: object, label: str, *, max_len: int, required: bool = True) -> str:
        # Not named `text`: inside a say() call pybabel would read that name as this method and drop the message.
        typed = "" if value is None else str(value).strip()
        if required and not typed:
            self.fail(field, say("请填写%(label)s", label=label))
        elif len(typed) > max_len:
            self.fail(field, say("%(label)s不能超过 %(most)s 个字（现有 %(count)s 个）", label=label, most=max_len, count=len(typed)))
        elif any(ord(ch) < 32 and ch not in "\n\t" for ch in typed):
            self.fail(field, say("%(label)s含有无法显示的控制字符", label=label))
        return typed

    def money(self, field: str, value: object, label: str, *, allow_zero: bool = False) -> Decimal:
        try:
            return parse_money(value if isinstance(value, (Decimal, int)) else str(value or ""),
                               allow_zero=allow_zero)
        except MoneyError as err:
            self.fail(field, say("%(label)s：%(problem)s", label=label, problem=err.args[0]))
            return Decimal("0.00")

    def decimal(self, field: str, value: object, label: str, *, places: int, minimum: Decimal,
                maximum: Decimal, strictly_positive: bool = False) -> Decimal:
        raw = str(value if value is not None else "").strip().replace(",", "")
        try:
            number = Decimal(raw)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.fail(field, say("%(label)s必须是数字", label=label) if raw else say("请填写%(label)s", label=label))
            return Decimal(0)
        step = Decimal(1).scaleb(-places)
        if strictly_positive and number <= 0:
            self.fail(field, say("%(label)s必须大于零", label=label))
        elif number < minimum or number > maximum:
            self.fail(field, say("%(label)s必须在 %(least)s 到 %(most)s 之间", label=label, least=minimum, most=maximum))
        elif number != number.quantize(step):
            self.fail(field, say("%(label)s最多保留 %(places)s 位小数", label=label, places=places))
        else:
            return number.quantize(step)
        return Decimal(0)

    def integer(self, field: str, value: object, label: str, *, minimum: int, maximum: int) -> int:
        raw = str(value if value is not None else "").strip()
        if not raw.lstrip("-").isdigit():
            self.fail(field, say("%(label)s必须是整数", label=label) if raw else say("请填写%(label)s", label=label))
            return minimum
        number = int(raw)
        if not minimum <= number <= maximum:
            self.fail(field, say("%(label)s必须在 %(least)s 到 %(most)s 之间", label=label, least=minimum, most=maximum))
        return number

    def area(self, field: str, value: object, label: str, *, unit: str, maximum: Decimal) -> Decimal:
        """An area in `unit` ("mu" or "m2") with the places AREA_PLACES allows, greater than zero,
        at most `maximum`; as the database reads it back (two places at least, see `trimmed`)."""
        places = AREA_PLACES[unit]
        number = self.decimal(field, value, label, places=places, minimum=Decimal(1).scaleb(-places),
                              maximum=maximum, strictly_positive=True)
        return trimmed(number, 2)

    def day(self, field: str, value: object, label: str, *, required: bool = True) -> date | None:
        if isinstance(value, date):
            return value
        raw = str(value or "").strip()
        if not raw:
            if required:
                self.fail(field, say("请填写%(label)s", label=label))
            return None
        try:
            return parse_day(raw)
        except ValueError:
            self.fail(field, say("%(label)s“%(raw)s”不是有效日期，请写成 2026-01-31 或 2026年1月31日", label=label, raw=raw))
            return None

    def choice(self, field: str, value: object, label: str, kind: type[E]) -> E | None:
        raw = value.value if isinstance(value, enum.Enum) else str(value or "").strip()
        try:
            return kind(raw)
        except ValueError:
            self.fail(field, say("%(label)s“%(raw)s”不在可选范围内", label=label, raw=raw))
            return None

    def reason(self, value: object) -> str:
        """更正、撤回必须写明原因."""
        return self.text("reason", value, "更正/撤回原因", max_len=REASON_MAX)


class RowErrors:
    """Every bad record of a file, named by its place (from 1) and number, so a whole file is
    checked before anything is written: `done()` raises one message per bad record, all its
    faults joined, in file order (keys "row-<place>")."""

    def __init__(self, what: str) -> None:
        self.what = what  # 地块, 合同, …
        self.rows: dict[int, tuple[str, list[str]]] = {}

    def add(self, place: int, number: str, problem: str | ValidationError) -> None:
        messages = list(problem.errors.values()) if isinstance(problem, ValidationError) else [problem]
        self.rows.setdefault(place, (number, []))[1].extend(messages)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def done(self) -> None:
        if self.rows:
            raise ValidationError({
                f"row-{place}": (say("第 %(place)s 个%(what)s（编号 %(number)s）：%(faults)s", place=place, what=self.what,
                                     number=number, faults=joined(faults)) if number else
                                 say("第 %(place)s 个%(what)s：%(faults)s", place=place, what=self.what,
                                     faults=joined(faults)))
                for place, (number, faults) in sorted(self.rows.items())})
