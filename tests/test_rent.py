from datetime import date
from decimal import Decimal

from portal.contracts.ledger import balance
from portal.contracts.rent import RentTerms, add_months, payment_schedule


def terms(**changes):
    values = dict(start=date(2024, 1, 1), end=date(2038, 12, 31), rate=Decimal("500"), unit="mu_year",
                  area=Decimal("10.00"))
    values.update(changes)
    return RentTerms(**values)


def test_yearly_schedule_covers_the_term_with_rent_due_in_advance():
    schedule = payment_schedule(terms(end=date(2026, 12, 31)))
    assert [(i.due_date, i.amount) for i in schedule] == [
        (date(2024, 1, 1), Decimal("5000.00")), (date(2025, 1, 1), Decimal("5000.00")),
        (date(2026, 1, 1), Decimal("5000.00"))]


def test_escalation_compounds_every_n_years():
    schedule = payment_schedule(terms(escalation_percent=Decimal(5), escalation_every_years=5))
    amounts = [i.amount for i in schedule]
    assert amounts[0] == amounts[4] == Decimal("5000.00")
    assert amounts[5] == Decimal("5250.00")
    assert amounts[10] == Decimal("5512.50")


def test_monthly_rent_per_square_metre_quarterly():
    schedule = payment_schedule(terms(unit="m2_month", rate=Decimal("18"), area=Decimal("85.50"),
                                      interval_months=3, start=date(2025, 3, 1), end=date(2026, 2, 28)))
    assert len(schedule) == 4
    assert all(i.amount == Decimal("4617.00") for i in schedule)  # 18 × 85.5 × 3


def test_short_last_period_is_charged_by_its_days():
    schedule = payment_schedule(terms(end=date(2024, 6, 30)))
    assert len(schedule) == 1
    assert schedule[0].amount == Decimal("2486.34")  # 5000 × 182/366


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_receipts_pay_the_oldest_instalment_first_and_arrears_age():
    schedule = payment_schedule(terms(end=date(2026, 12, 31)))
    result = balance(schedule, [(date(2024, 1, 3), Decimal("5000.00")), (date(2025, 2, 1), Decimal("2000.00"))],
                     as_of=date(2026, 3, 1))
    assert result.due == Decimal("15000.00")
    assert result.paid == Decimal("7000.00")
    assert result.arrears == Decimal("8000.00")
    assert [s.state for s in result.instalments] == ["paid", "partly", "overdue"]
    assert result.days_overdue == (date(2026, 3, 1) - date(2025, 1, 1)).days


def test_payments_after_the_date_do_not_count():
    schedule = payment_schedule(terms(end=date(2024, 12, 31)))
    result = balance(schedule, [(date(2024, 3, 1), Decimal("5000.00"))], as_of=date(2024, 2, 1))
    assert result.arrears == Decimal("5000.00")
