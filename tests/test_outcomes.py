"""成效 on the village home: computed from the contracts, tenders and receipts, not typed in."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.kernel.status import RecordStatus
from portal.receipts.models import Receipt
from portal.villages.reads import village_overview

from .conftest import DEMO_DAY


def test_rent_per_mu_before_and_after_and_income_per_year(client, backend, demo):
    figures = village_overview(backend, demo, DEMO_DAY).outcomes
    assert (figures.rent_before, figures.rent_after, figures.rent_change) == (300, 500, Decimal("66.7"))
    assert figures.since == date(2024, 1, 1) and figures.area_after > 500
    with backend.db.read() as session:
        def received(start: date, end: date) -> Decimal:
            return session.scalar(select(func.sum(Receipt.amount)).where(
                Receipt.status == RecordStatus.ACTIVE, Receipt.received_on >= start, Receipt.received_on <= end))
        years = {y.year: y for y in figures.income}
        assert max(years) == DEMO_DAY.year - 1 and len(years) == 4  # whole years only
        for y in years.values():
            assert y.amount == received(date(y.year, 1, 1), date(y.year, 12, 31))
        last = years[2024]
        expected = ((last.amount - years[2023].amount) * 100 / years[2023].amount).quantize(Decimal("0.1"))
        assert last.change == expected
        assert figures.received_this_year == received(date(DEMO_DAY.year, 1, 1), DEMO_DAY)
    page = client.get(f"/v/{demo}/").get_data(as_text=True)
    assert "成效" in page and "66.7%" in page and "300.00" in page and 'id="open-data"' in page
    assert f"/v/{demo}/ocds/releases.json" in page and f"/v/{demo}/ocds/records.json" in page
