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
        assert sum(1 for c in contracts if c.lessee_kind.value == "company") == 5
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
