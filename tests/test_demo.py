"""The demo village is what the README promises: ~60 parcels, ~1000 亩, arrears, corrections."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import create_app
from portal.auditlog.models import AuditEntry
from portal.contracts.arrears import arrears_list
from portal.contracts.models import Contract
from portal.parcels.models import Asset, AssetKind
from portal.villages.models import Village

from .production import production_config


def test_demo_village_has_the_promised_shape(backend, demo):
    with backend.db.read() as session:
        village = session.scalar(select(Village))
        assert village.is_demo and "演示数据" in village.name
        parcels = session.scalars(select(Asset).where(Asset.kind == AssetKind.LAND)).all()
        assert len(parcels) == 60
        assert Decimal("990") <= sum(p.area for p in parcels) <= Decimal("1010")
        contracts = session.scalars(select(Contract)).all()
        rates = {c.rent_rate for c in contracts if c.rent_unit.value == "mu_year"}
        assert rates == {Decimal("300.00"), Decimal("500.00")}
        land_leases = [c for c in contracts if c.lessee_kind.value == "company" and c.rent_unit.value == "mu_year"]
        assert len(land_leases) == 5
        assert {c.kind.value for c in contracts} == {"fixed", "revenue_share", "rent_free"}
        owing = arrears_list(session, village.id, date(2026, 11, 23))
        assert len(owing) >= 4 and all(row.balance.arrears > 0 for row in owing)
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"contract.correct", "receipt.correct", "receipt.withdraw"} <= actions
        reasons = session.scalars(select(AuditEntry.reason).where(AuditEntry.action.like("%.correct"))).all()
        assert all(reasons)


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_production_refuses_to_start_with_demo_accounts(app, demo, tmp_path, database_url):
    """On PostgreSQL: production refuses SQLite before it would look for demo accounts."""
    with pytest.raises(RuntimeError, match="demo"):
        create_app(production_config(tmp_path, app.config["DATABASE_URL"]))


def test_demo_tells_one_story_of_the_land(backend, demo):
    """Seed 004: what the households entrust is what the five lots offer, what the five
    contracts lease, and what the notice and the plan say; the reserve price agrees everywhere;
    every entrusted household's transfer rent is an expense of the ledger."""
    from portal.entrustments.models import Entrustment
    from portal.ledger.models import LedgerEntry
    from portal.notices.models import Notice
    from portal.plans.models import Plan
    from portal.tenders.models import Tender

    with backend.db.read() as session:
        entrusted = session.scalars(select(Entrustment)).all()
        entrusted_area = sum((e.total_area for e in entrusted), Decimal(0))
        tenders = session.scalars(select(Tender).order_by(Tender.number)).all()
        tendered = sum((t.area() for t in tenders), Decimal(0))
        leases = [c for c in session.scalars(select(Contract)) if c.number.startswith("LB-LZ-")]
        leased = sum((c.total_area for c in leases), Decimal(0))
        assert len(entrusted) >= 50 and len(tenders) == len(leases) == 5
        assert Decimal("950") <= entrusted_area == tendered == leased <= Decimal("1000")
        assert {t.reserve_price for t in tenders} == {Decimal("450.00")}
        assert {t.meeting_number for t in tenders} == {"HY-2023-001"}
        notice = session.scalar(select(Notice).where(Notice.number == "GG-2023-005"))
        assert "每亩每年450元" in notice.body and f"{entrusted_area:,.2f}亩" in notice.body
        plan = session.scalar(select(Plan).where(Plan.number == "FA-2023-001"))
        assert "每亩每年450元" in plan.body and f"{entrusted_area:,.2f}亩" in plan.body
        transfer = session.scalars(select(LedgerEntry).where(LedgerEntry.category == "transfer_rent")).all()
        assert len(transfer) == len(entrusted) and all(e.counterparty_is_person for e in transfer)
        assert sum((e.amount for e in transfer), Decimal(0)) == sum((e.annual_rent for e in entrusted), Decimal(0))
        dividend = session.scalars(select(LedgerEntry).where(LedgerEntry.category == "dividend")).all()
        assert len(dividend) == 1
