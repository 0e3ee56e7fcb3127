"""What forms and the importer both accept: dates as people in China write them, money in the
three forms of the issue (and nothing else), areas in 亩 to four decimals — stored exactly,
shown and logged with two places at least, so records made before keep their log state."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from portal import migrate
from portal.auditlog import store as audit_log
from portal.kernel.errors import ValidationError
from portal.kernel.money import MoneyError, parse_money
from portal.kernel.transaction import SYSTEM
from portal.kernel.types import trimmed
from portal.kernel.validate import Checker, parse_day
from portal.parcels.models import Asset
from portal.parcels.services import AssetInput, create_asset
from portal.publishing.formatting import area
from portal.villages.services import VillageInput, create_village

from .conftest import STAFF
from .test_integrity import verify
from .test_migrations import bare_app, db, flask_cli  # noqa: F401  (fixtures)


@pytest.mark.parametrize("raw", ["2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日", "2026 年 11 月 23 日",
                                 "20261123", "２０２６－１１－２３", "2026年11月23"])
def test_a_day_in_every_usual_form(raw):
    assert parse_day(raw) == date(2026, 11, 23)


def test_excel_chinese_short_dates_have_one_digit_months():
    assert parse_day("2026/1/5") == parse_day("2026-1-5") == date(2026, 1, 5)


@pytest.mark.parametrize("raw", ["2026-11/23", "2026-02-30", "昨天", "23/11/2026", "2026年", "202611231"])
def test_a_day_that_is_not_one_is_refused(raw):
    with pytest.raises(ValueError):
        parse_day(raw)
    check = Checker()
    check.day("day", raw, "日期")
    assert "不是有效日期" in check.errors["day"]


@pytest.mark.parametrize("raw", ["1234.5", "1,234.50", "¥1234.50", "￥1,234.5", "１２３４．５０", " ¥ 1234.5 "])
def test_money_in_the_three_forms(raw):
    assert parse_money(raw) == Decimal("1234.50")


@pytest.mark.parametrize("raw", ["12,34", "1e3", "1234.", ".5", "1234.5元", "十块", "1 234", "¥-5", "0x10"])
def test_money_in_any_other_form_is_refused(raw):
    with pytest.raises(MoneyError):
        parse_money(raw)


def test_areas_in_mu_take_four_places_square_metres_two():
    check = Checker()
    assert str(check.area("a", "12.3456", "面积", unit="mu", maximum=Decimal(100))) == "12.3456"
    assert str(check.area("b", "12.5", "面积", unit="mu", maximum=Decimal(100))) == "12.50"
    check.area("c", "1.23456", "面积", unit="mu", maximum=Decimal(100))
    check.area("d", "1.234", "面积", unit="m2", maximum=Decimal(100))
    assert check.errors == {"c": "面积最多保留 4 位小数", "d": "面积最多保留 2 位小数"}
    assert str(trimmed(Decimal("1.2300"), 2)) == "1.23" and str(trimmed(Decimal("7"), 2)) == "7.00"


def test_an_area_to_four_places_is_stored_logged_shown_and_verified(backend, runner):
    create_village(backend, SYSTEM, VillageInput(code="testcun", name="测试村", township="测试镇"))
    fine = create_asset(backend, STAFF, "testcun", AssetInput(number="P1", name="一号", kind="land", area="12.3456"))
    plain = create_asset(backend, STAFF, "testcun", AssetInput(number="P2", name="二号", kind="land", area="12.5"))
    assert (str(fine.area), str(plain.area)) == ("12.3456", "12.50")
    with backend.db.read() as session:
        assert [str(a) for a in session.scalars(select(Asset.area).order_by(Asset.number))] == ["12.3456", "12.50"]
        lines = [json.loads(line) for line in audit_log.iter_lines(session, "testcun")]
    assert [e["data"]["area"] for e in lines if e["entity"] == "asset"] == ["12.3456", "12.50"]
    assert area(fine.area) == "12.3456 亩" and area(plain.area) == "12.50 亩"
    assert verify(runner).exit_code == 0


def test_the_revision_scales_stored_areas_and_refuses_to_drop_places(bare_app, db, flask_cli):  # noqa: F811
    migrate.upgrade(db)
    backend = bare_app.extensions["portal"]
    create_village(backend, SYSTEM, VillageInput(code="testcun", name="测试村", township="测试镇"))
    create_asset(backend, STAFF, "testcun", AssetInput(number="P1", name="一号", kind="land", area="10.25"))

    def stored() -> list[int]:
        with db.engine.connect() as connection:
            return list(connection.execute(text("SELECT area FROM asset ORDER BY number")).scalars())

    assert stored() == [102500]
    assert flask_cli("db", "downgrade", "655b71aece5f", "--yes").exit_code == 0
    assert stored() == [1025]
    assert flask_cli("db", "upgrade").exit_code == 0
    assert stored() == [102500]
    create_asset(backend, STAFF, "testcun", AssetInput(number="P2", name="二号", kind="land", area="0.0001"))
    refused = flask_cli("db", "downgrade", "655b71aece5f", "--yes")
    assert refused.exit_code == 1 and "超过两位的小数" in refused.output
    assert stored() == [102500, 1]
    assert flask_cli("audit", "verify").exit_code == 0


def test_a_leased_area_may_have_four_places(backend, village, contract_input, runner):
    from portal.contracts.services import create_contract

    contract = create_contract(backend, STAFF, village, contract_input(assets=[("P1", "3.3333")]))
    assert contract.public_state()["assets"][0]["area"] == "3.3333"
    assert contract.schedule()[0].amount == Decimal("1666.65")  # 500 × 3.3333, to the fen
    assert verify(runner).exit_code == 0  # stored instalments re-derived alike
    with pytest.raises(ValidationError) as refused:
        create_contract(backend, STAFF, village, contract_input(number="HT-2", assets=[("P2", "1.00001")]))
    assert "最多保留 4 位小数" in refused.value.errors["assets"]
