from decimal import Decimal

import pytest

from portal.kernel.money import MoneyError, amount_in_words, format_money, parse_money


@pytest.mark.parametrize("value, words", [
    ("1234.50", "壹仟贰佰叁拾肆元伍角"),
    ("10", "壹拾元整"),
    ("0.05", "伍分"),
    ("10.01", "壹拾元零壹分"),
    ("1005.10", "壹仟零伍元壹角"),
    ("20000", "贰万元整"),
    ("300000", "叁拾万元整"),
    ("100010001.01", "壹亿零壹万零壹元零壹分"),
    ("0", "零元整"),
])
def test_amount_in_words_reads_like_a_cashier(value, words):
    assert amount_in_words(Decimal(value)) == words


def test_format_money_uses_yuan_sign_thousands_and_two_places():
    assert format_money(Decimal("1234.5")) == "¥1,234.50"
    assert format_money(Decimal("-3")) == "-¥3.00"


@pytest.mark.parametrize("raw", ["-1", "abc", "1.234", "", "NaN", "Infinity", "1e400"])
def test_parse_money_refuses_what_is_not_money(raw):
    with pytest.raises(MoneyError):
        parse_money(raw)


def test_parse_money_accepts_commas_and_yuan_sign():
    assert parse_money("¥1,234.5") == Decimal("1234.50")


def test_parse_money_refuses_floats():
    with pytest.raises(MoneyError):
        parse_money(1.5)  # type: ignore[arg-type]
