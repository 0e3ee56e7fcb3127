"""The demo's land in (演示数据): the households whose contracted land makes up the five
consolidation lots entrust it to the village (流转委托, one household per parcel), and the
village pays each household its transfer rent per 亩 every year (an expense of the ledger).

Every household here is fictional; their given names differ from the demo lessees' (see
portal/demo_money.py).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.entrustments.services import (
    EntrustmentInput,
    PaymentInput,
    add_entrustment,
    checked_values,
    pay_transfer_rents,
)
from portal.kernel.transaction import Actor, Backend

SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢洪邱曾赖周叶苏庄吕江何"
GIVEN = ["桂兰", "振华", "淑芬", "建军", "秋菊", "水木", "月娥", "荣华", "雪梅", "添丁", "素珍", "家兴", "碧云",
         "来福", "玉兰", "长青", "惠珍", "进财", "凤英", "永康"]
TRANSFER_RENT = Decimal("390")  # 元/亩/年 paid to the households (300 before, +30%); the lots are leased at 500


def build_entrustments(backend: Backend, staff: Actor, code: str, parcels: list[tuple[str, Decimal]]) -> list[str]:
    """Each lot parcel entrusted whole by the household holding it, 2024–2038, written in one
    transaction: one log entry per entrustment, as an import is. (Measured: 52 entrustments and
    their year's payments add about 3 s to the demo's build; two households per parcel, 6 s.)"""
    records = []
    for n, (number, _area) in enumerate(parcels, start=1):
        name = SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 3) % len(GIVEN)]
        records.append(EntrustmentInput(
            number=f"WT-2023-{n:03d}", household_name=name, start_date=date(2024, 1, 1),
            end_date=date(2038, 12, 31), rent_rate=TRANSFER_RENT, assets=[(number, None)],
            signed_on=date(2023, 10, 8), note="土地集中流转“大托管”：委托村集体统一招租"))
    with backend.change(code, staff, "entrustment.create") as change:
        for data in records:
            add_entrustment(change, checked_values(data), data.assets)
    return [r.number for r in records]


def pay_year(backend: Backend, staff: Actor, code: str, numbers: list[str], year: int) -> None:
    """The year's transfer rents, paid in January, each household one ledger expense."""
    pay_transfer_rents(backend, staff, code, numbers, PaymentInput(
        year=year, paid_on=date(year, 1, 20), approved_by="村委会主任"), f"{year} 年度土地流转租金发放到户")
