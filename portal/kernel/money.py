"""Money as Decimal yuan with exactly two places (fen): parsing, ¥ display and 大写 for notices."""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from portal.kernel.messages import say

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # below 1 万亿: more than any village holds

# 1234.5 · 1,234.50 (commas only between groups of three) · ¥1234.50; nothing else
_AMOUNT = re.compile(r"(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_GROUP_UNITS = ["", "万", "亿"]


class MoneyError(ValueError):
    """An amount that is not a valid sum of money; the message is for the person who typed it."""


def parse_money(text: str | Decimal | int, *, allow_zero: bool = False) -> Decimal:
    """Read '1234.5', '1,234.50', '¥1234.50' (full-width forms too) or a Decimal into
    Decimal('1234.50'); raises MoneyError for anything else."""
    if isinstance(text, float):
        raise MoneyError(say("金额不能是浮点数"))
    if isinstance(text, (Decimal, int)):
        value = Decimal(text)
        if not value.is_finite():
            raise MoneyError(say("“%(text)s”不是有效的金额", text=text))
    else:
        value = _amount(text)
    if value < 0:
        raise MoneyError(say("金额不能为负数"))
    if value == 0 and not allow_zero:
        raise MoneyError(say("金额必须大于零"))
    if value > MAX_AMOUNT:
        raise MoneyError(say("金额过大"))
    if value != value.quantize(FEN):
        raise MoneyError(say("金额最多精确到分（两位小数）"))
    return value.quantize(FEN)


def _amount(text: str) -> Decimal:
    raw = unicodedata.normalize("NFKC", text).strip()  # full-width ￥１２３，４ → ¥123,4
    raw = raw[1:].strip() if raw[:1] == "¥" else raw
    if not raw:
        raise MoneyError(say("请填写金额"))
    if raw.startswith("-") and _AMOUNT.fullmatch(raw[1:]):
        raise MoneyError(say("金额不能为负数"))
    if not _AMOUNT.fullmatch(raw):
        raise MoneyError(say("“%(text)s”不是有效的金额", text=text))
    return Decimal(raw.replace(",", ""))  # the pattern admits only plain decimals


def round_fen(value: Decimal) -> Decimal:
    """Round half up to the fen, as cashiers do."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """Decimal('1234.5') → '¥1,234.50'."""
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value).quantize(FEN):,.2f}"


def _four_digits(n: int) -> str:
    """Reads 0 < n < 10000 in capital numerals, with 零 for inner gaps."""
    out: list[str] = []
    zero = False
    for pos in range(3, -1, -1):
        digit = n // 10**pos % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def amount_in_words(value: Decimal) -> str:
    """Decimal('1234.50') → '壹仟贰佰叁拾肆元伍角'; whole yuan end in 整; negative gets 负."""
    value = value.quantize(FEN)
    if value < 0:
        return "负" + amount_in_words(-value)
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    words = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        pending_zero = False
        for i in range(len(groups) - 1, -1, -1):
            group = groups[i]
            if group == 0:
                pending_zero = bool(words)
                continue
            if words and (pending_zero or group < 1000):
                words += "零"
            pending_zero = False
            words += _four_digits(group) + _GROUP_UNITS[i]
        words += "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return words
