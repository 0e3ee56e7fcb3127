"""The dividend list is split exactly: largest remainder, sums to the total, within a fen of each share."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.dividends.allocation import AllocationError, allocate

shares = st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2), min_size=1, max_size=400)
totals = st.integers(min_value=0, max_value=10**11).map(lambda fen: Decimal(fen).scaleb(-2))


@settings(max_examples=300, deadline=None)
@given(total=totals, roll=shares)
def test_list_sums_to_total_and_each_line_is_within_a_fen_of_its_exact_share(total, roll):
    amounts = allocate(total, roll)
    assert sum(amounts) == total
    assert all(a == a.quantize(Decimal("0.01")) and a >= 0 for a in amounts)
    weight = sum(roll)
    for amount, share in zip(amounts, roll):
        exact = total * share / weight  # Decimal context: 28 digits, far below a fen of error here
        assert abs(amount - exact) < Decimal("0.01")


def test_leftover_fen_go_to_the_largest_remainders_and_ties_to_the_earlier_line():
    assert allocate(Decimal("100.00"), [Decimal(1)] * 3) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert allocate(Decimal("0.05"), [Decimal(1), Decimal(2), Decimal(3)]) == [Decimal("0.01"), Decimal("0.02"), Decimal("0.02")]
    assert allocate(Decimal("1000.00"), [Decimal(3), Decimal(2), Decimal(2)]) == [
        Decimal("428.57"), Decimal("285.72"), Decimal("285.71")]


def test_no_shares_cannot_be_split():
    with pytest.raises(AllocationError):
        allocate(Decimal("10.00"), [])
    with pytest.raises(AllocationError):
        allocate(Decimal("10.00"), [Decimal(0)])
