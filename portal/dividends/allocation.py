"""Splitting a distributable amount by shares exactly to the fen (largest remainder method).

Every line gets the floor of its exact share in fen; the fen left over (fewer than the number of
lines) go one each to the lines with the largest remainders, ties to the earlier line of the roll.
So the list always sums to the total and no line is a fen or more from its exact share.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


class AllocationError(ValueError):
    """Shares that cannot split a total (none, or all zero)."""


def _scaled(shares: Sequence[Decimal]) -> list[int]:
    """Shares as integers of one common scale (2.5 股 and 1 股 → 25 and 10)."""
    places = max((max(0, -int(s.as_tuple().exponent)) for s in shares), default=0)
    return [int(s.scaleb(places)) for s in shares]


def allocate(total: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """Each share's part of `total` (yuan, two places) in yuan; sums to `total` exactly."""
    if not shares or any(s < 0 for s in shares):
        raise AllocationError("股数不能为负，名单不能为空")
    weights = _scaled(shares)
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise AllocationError("股数合计为零，无法分配")
    total_fen = int(total.scaleb(2))
    floors = [total_fen * w // weight_sum for w in weights]
    remainders = [total_fen * w % weight_sum for w in weights]
    left = total_fen - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return [Decimal(f).scaleb(-2) for f in floors]
