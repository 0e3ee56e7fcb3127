"""The demo village 莲坂村（演示数据）: fictional people, real services, so its log is real.

About 60 scattered parcels (≈1000 亩), historical household contracts at 300 元/亩/年 with some
arrears (the eight small plots whose contracts still run stay out of the consolidation), the
other 52 parcels (≈960 亩) entrusted by their households (portal/demo_entrustments.py),
tendered in five lots and leased to five agricultural companies at 500 元/亩/年 (+5% every 5
years), a leased shop, a cold store leased for a minimum rent plus a share of revenue, the old
school lent rent-free to a cooperative as a meeting decided, receipts up to `today`,
corrections and a withdrawal with reasons, and the money (portal/demo_money.py): a ledger year
with the households' transfer rents, funds, meetings and a dividend year.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.contracts.services import (
    ContractInput,
    contract_input_from,
    correct_contract,
    create_contract,
    declare_revenue,
)
from portal.demo_complaints import build_complaints
from portal.demo_cosign import cosign_demo, register_demo_key
from portal.demo_entrustments import build_entrustments
from portal.demo_findings import build_findings
from portal.demo_money import build_money
from portal.demo_notices import build_notices
from portal.demo_signings import build_signings
from portal.tenders.demo import build_tenders
from portal.kernel.transaction import SYSTEM, Actor, Backend
from portal.parcels.services import AssetInput, create_asset
from portal.receipts.services import (
    ReceiptInput,
    correct_receipt,
    record_receipt,
    withdraw_receipt,
)
from portal.township.services import create_township
from portal.meetings.services import MeetingInput, create_meeting
from portal.villages.services import LandmarkInput, VillageInput, create_village, save_landmark

CODE = "lianban"
TOWNSHIP_CODE = "lianhua"
TOWNSHIP_NAME = "莲花镇（演示）"
PASSWORD = "demo-2026"
ACCOUNTS = (
    ("demo-staff", "演示报账员", Role.STAFF, CODE),
    ("demo-committee", "演示监委会主任", Role.COMMITTEE, CODE),
    ("demo-township", "演示镇农经站", Role.TOWNSHIP, None),
)
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢洪邱曾赖周叶苏庄吕江何"
GIVEN = ["建国", "秀英", "志明", "丽华", "国平", "美玲", "水生", "金花", "永福", "春梅", "清泉", "玉珍",
         "文彬", "淑贞", "天赐", "阿福", "海燕", "明辉", "宝珠", "德胜"]
COMPANIES = [
    ("莲坂绿源农业发展有限公司", "91350500MA2Y0001"),
    ("闽南丰谷种植专业合作社", "93350500MA2Y0002"),
    ("厦门禾田现代农业有限公司", "91350200MA2Y0003"),
    ("同安果香生态农场有限公司", "91350212MA2Y0004"),
    ("莲花山茶业有限公司", "91350213MA2Y0005"),
]
LAND_TYPES = ["耕地", "耕地", "耕地", "园地", "林地", "坑塘水面"]


@dataclass(frozen=True)
class DemoSummary:
    village: str
    entries: int
    accounts: tuple[tuple[str, str, Role, str | None], ...]


def _credit_code(stem: str) -> str:
    """Completes a 17-character stem with its GB 32100 check character (fictional companies)."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    stem = (stem + "0" * 17)[:17]
    total = sum(chars.index(ch) * w for ch, w in zip(stem, weights))
    return stem + chars[(31 - total % 31) % 31]


def _resident_id(rng: random.Random) -> str:
    """A well-formed but fictional 身份证号 (region 350599 is not a real county)."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
    stem = f"350599{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return stem + "10X98765432"[sum(int(d) * w for d, w in zip(stem, weights)) % 11]


def _polygon(rng: random.Random, column: int, row: int, area_mu: Decimal) -> list[list[int]]:
    """A rough quadrilateral of about the right size, on a grid of 250 m cells."""
    side = int((float(area_mu) * 666.67) ** 0.5)  # 1 亩 ≈ 666.67 ㎡
    x, y = column * 250 + rng.randrange(0, 40), row * 250 + rng.randrange(0, 40)
    skew = rng.randrange(-20, 21)
    return [[x, y], [x + side, y + skew], [x + side + skew, y + side], [x, y + side - skew]]


def build_demo(backend: Backend, today: date, seed: int = 2026) -> DemoSummary:
    """Creates the whole demo through the services; returns how big its log became."""
    rng = random.Random(seed)
    staff = Actor("demo-staff", Role.STAFF.value, village=CODE)
    create_village(backend, SYSTEM, VillageInput(code=CODE, name="莲坂村（演示数据）", township=TOWNSHIP_NAME,
                                                 county="同安区（演示）", is_demo=True,
                                                 supervisor_phone="0592-7100001"))
    create_township(backend, TOWNSHIP_CODE, TOWNSHIP_NAME)
    for username, display, role, village in ACCOUNTS:
        create_user(backend, SYSTEM, UserInput(username=username, display_name=display, password=PASSWORD,
                                               role=role, village_code=village,
                                               township_code=TOWNSHIP_CODE if role is Role.TOWNSHIP else None))
    cosigner = register_demo_key(backend)

    parcels = _parcels(backend, staff, rng)
    _buildings(backend, staff)
    people = [(rng.choice(SURNAMES) + g, _resident_id(rng), f"139{rng.randrange(0, 10**8):08d}") for g in GIVEN]
    contracts = _household_contracts(backend, staff, rng, parcels[:38], people)
    # The consolidation: every parcel but the eight small plots whose household contracts still
    # run (LB-031…LB-038), in five lots; the households entrust them, the lots are tendered after
    # the 村民代表会议 decided it, and each lot is leased as a whole.
    lot_parcels = parcels[:30] + parcels[38:]
    lots = [lot_parcels[start:end] for start, end in ((0, 11), (11, 22), (22, 32), (32, 42), (42, 52))]
    entrusted = build_entrustments(backend, staff, CODE, lot_parcels)
    _consolidation_meeting(backend, staff)
    companies = _company_contracts(backend, staff, lots)
    contracts += companies
    contracts += _building_contracts(backend, staff, people)
    _receipts(backend, staff, rng, contracts, today)
    # Before the corrections and notices, so the log's newest entries (the feed) stay theirs; the
    # consolidation plan they follow is created with the notices, so it is named only in their text.
    build_tenders(backend, staff, CODE, "", [[n for n, _ in lot] for lot in lots], [c for c, _ in COMPANIES],
                  meeting=CONSOLIDATION_MEETING)
    # Before the corrections and notices, so the feed's newest changes still show those.
    build_money(backend, staff, CODE, today, rng, entrusted)
    build_findings(backend, "LB-HT-2016-017", "SK-2016-0017")
    _corrections(backend, staff, contracts)
    build_notices(backend, staff, today, sum((a for _, a in lot_parcels), Decimal(0)))
    build_signings(backend, staff, CODE, companies, today)
    build_complaints(backend, "LB-LZ-2024-001")
    _landmarks(backend, staff)  # last before the co-signature, so no record's place in the log moves
    cosign_demo(backend, cosigner)
    from portal.auditlog import store as audit_log
    with backend.db.read() as session:
        size = audit_log.head(session, CODE).size  # type: ignore[union-attr]
    return DemoSummary(CODE, size, ACCOUNTS)


def _parcels(backend: Backend, staff: Actor, rng: random.Random) -> list[tuple[str, Decimal]]:
    raw = [rng.uniform(9.0, 25.0) for _ in range(60)]
    raw[30:38] = [size / 4 for size in raw[30:38]]  # the small plots still under household contracts
    scale = 1000 / sum(raw)
    parcels = []
    for i, size in enumerate(raw, start=1):
        area = Decimal(str(round(size * scale, 2)))
        number = f"LB-{i:03d}"
        create_asset(backend, staff, CODE, AssetInput(
            number=number, name=f"{rng.choice(['东', '西', '南', '北'])}洋{rng.choice(['垄', '坪', '坂', '埔'])}{i}号地",
            kind="land", area=area, land_type=rng.choice(LAND_TYPES), location=f"第{(i - 1) // 10 + 1}村民小组",
            polygon=_polygon(rng, (i - 1) % 10, (i - 1) // 10, area)))
        parcels.append((number, area))
    return parcels


# 地标 of the demo map, in the parcels' metres (_polygon: plots on a grid of 250 m cells, so the
# lanes between columns run near x = 200 + 250·k and those between rows near y = 200 + 250·k): the
# main road in the gap between the third and fourth rows, the river between the fifth and sixth
# columns with its bridge where the road crosses, a canal east of the river, and buildings at
# crossings of lanes.
LANDMARKS = [
    ("road", "莲坂路", "-100,707 2530,707"),
    ("river", "莲溪", "1200,-100 1210,200 1195,456 1206,707 1200,960 1210,1201 1204,1480"),
    ("canal", "东干渠", "1206,1201 2530,1201"),
    ("bridge", "莲溪桥", "1204,707"),
    ("office", "莲坂村村委会", "707,820"),
    ("school", "莲坂小学", "1704,960"),
    ("temple", "陈氏宗祠", "445,1201"),
]


def _landmarks(backend: Backend, staff: Actor) -> None:
    for kind, name, points in LANDMARKS:
        save_landmark(backend, staff, CODE, LandmarkInput(kind, name, points))


def _buildings(backend: Backend, staff: Actor) -> None:
    create_asset(backend, staff, CODE, AssetInput(number="LB-F01", name="村部临街店面一号", kind="shop",
                                                  area="85.50", location="莲坂路 12 号"))
    create_asset(backend, staff, CODE, AssetInput(number="LB-F02", name="原村小学旧校舍", kind="building",
                                                  area="620.00", location="莲坂路 30 号"))
    create_asset(backend, staff, CODE, AssetInput(number="LB-F03", name="村集体冷库", kind="building",
                                                  area="1200.00", location="莲坂路 58 号"))


Person = tuple[str, str, str]  # name, 身份证号, phone


def _household_contracts(backend: Backend, staff: Actor, rng: random.Random, parcels: list[tuple[str, Decimal]],
                         people: list[Person]) -> list[str]:
    """Scattered plots leased to households at 300 元/亩/年; most ended with consolidation."""
    numbers = []
    for i, start in enumerate(range(0, len(parcels), 2)):
        name, id_number, phone = people[i % len(people)]
        plots = parcels[start:start + 2]
        running = i >= 15  # the last few still run, on parcels the companies did not take
        number = f"LB-HT-2016-{i + 1:03d}"
        create_contract(backend, staff, CODE, ContractInput(
            number=number, title=f"{plots[0][0]} 等地块承包合同", lessee_kind="person", lessee_name=name,
            lessee_id_number=id_number, lessee_phone=phone, start_date=date(2016, 1, 1),
            end_date=_household_end(i, running), rent_rate="300", rent_unit="mu_year",
            assets=[(n, None) for n, _ in plots], signed_on=date(2015, 12, 20), note="历史合同，已录入公开"))
        numbers.append(number)
    return numbers


def _household_end(i: int, running: bool) -> date:
    """Most household leases ended with the consolidation; the last runs out early in 2027 (租期将满)."""
    if not running:
        return date(2023, 12, 31)
    return date(2027, 3, 31) if i == 18 else date(2027, 12, 31)


CONSOLIDATION_MEETING = "HY-2023-001"


def _consolidation_meeting(backend: Backend, staff: Actor) -> None:
    """The 村民代表会议 that adopted the consolidation plan and decided to tender the five lots."""
    create_meeting(backend, staff, CODE, MeetingInput(
        number=CONSOLIDATION_MEETING, held_on=date(2023, 9, 28), kind="representatives",
        title="表决《莲坂村土地集中流转方案》（修改稿）", expected="45", present="45",
        agenda="一、通报方案征求意见和答复情况\n二、表决土地集中流转方案\n三、确定五个片区公开招租",
        votes_for="41", votes_against="2", abstained="2",
        decision="通过土地集中流转方案：农户委托的52块地块分五个片区公开招租，底价每亩每年450元，"
                 "村集体每年按每亩390元（原租金300元的1.3倍）向委托农户支付流转租金"))


def _company_contracts(backend: Backend, staff: Actor, lots: list[list[tuple[str, Decimal]]]) -> list[str]:
    """土地集中流转: five companies each take one whole lot at 500 元/亩/年 from 2024."""
    numbers = []
    for i, (company, stem) in enumerate(COMPANIES):
        plots = lots[i]
        number = f"LB-LZ-2024-{i + 1:03d}"
        create_contract(backend, staff, CODE, ContractInput(
            number=number, title=f"莲坂村土地集中流转合同（第{i + 1}片区）", lessee_kind="company",
            lessee_name=company, lessee_id_number=_credit_code(stem), lessee_phone=f"0592-71{i:02d}8866",
            start_date=date(2024, 1, 1), end_date=date(2038, 12, 31), rent_rate="500", rent_unit="mu_year",
            escalation_percent="5", escalation_every_years=5, assets=[(n, None) for n, _ in plots],
            signed_on=date(2023, 12, 28), note="经村民代表会议表决通过，公开竞价成交"))
        numbers.append(number)
    return numbers


def _building_contracts(backend: Backend, staff: Actor, people: list[Person]) -> list[str]:
    name, id_number, phone = people[3]
    create_contract(backend, staff, CODE, ContractInput(
        number="LB-FW-2025-001", title="村部临街店面租赁合同", lessee_kind="person", lessee_name=name,
        lessee_id_number=id_number, lessee_phone=phone, start_date=date(2025, 3, 1), end_date=date(2028, 2, 29),
        rent_rate="18", rent_unit="m2_month", payment_interval_months=3, assets=[("LB-F01", None)],
        signed_on=date(2025, 2, 20)))
    # 保底 + 分成: the cold store at 6 元/㎡/月 at least, or 5 % of the tenant's revenue if more.
    create_contract(backend, staff, CODE, ContractInput(
        number="LB-FW-2024-002", title="村集体冷库租赁合同（保底加分成）", kind="revenue_share",
        lessee_kind="company", lessee_name="莲坂鲜果冷链物流有限公司", lessee_id_number=_credit_code("91350213MA2Y0006"),
        start_date=date(2024, 1, 1), end_date=date(2028, 12, 31), rent_rate="6", rent_unit="m2_month",
        share_percent="5", assets=[("LB-F03", None)], signed_on=date(2023, 12, 20),
        note="保底租金每平方米每月6元；每年按营业收入的5%分成，分成多于保底的按分成缴纳"))
    declare_revenue(backend, staff, CODE, "LB-FW-2024-002", 2024, "1180000.00", "承租方申报2024年度营业收入，经审计")
    declare_revenue(backend, staff, CODE, "LB-FW-2024-002", 2025, "2100000.00", "承租方申报2025年度营业收入，经审计")
    # 无偿使用: the idle old school lent to a cooperative, as the representatives decided.
    create_meeting(backend, staff, CODE, MeetingInput(
        number="HY-2025-002", held_on=date(2025, 3, 6), kind="representatives",
        title="原村小学旧校舍无偿交农机专业合作社使用", expected="45", present="43",
        agenda="一、原村小学旧校舍闲置情况\n二、表决是否无偿交莲坂农机专业合作社存放农机",
        votes_for="40", votes_against="1", abstained="2",
        decision="同意原村小学旧校舍无偿交莲坂农机专业合作社使用三年，合作社负责日常维护，不得转租"))
    create_contract(backend, staff, CODE, ContractInput(
        number="LB-FW-2025-003", title="原村小学旧校舍无偿使用协议", kind="rent_free", lessee_kind="company",
        lessee_name="莲坂农机专业合作社（演示）", start_date=date(2025, 4, 1), end_date=date(2028, 3, 31),
        rent_rate="0", rent_unit="m2_month", meeting_number="HY-2025-002", assets=[("LB-F02", None)],
        signed_on=date(2025, 3, 20), note="闲置资产无偿使用；合作社负责日常维护，不得转租"))
    return ["LB-FW-2025-001", "LB-FW-2024-002", "LB-FW-2025-003"]


def _receipts(backend: Backend, staff: Actor, rng: random.Random, contracts: list[str], today: date) -> None:
    """Pays every instalment due by `today`, except a few left unpaid (the arrears)."""
    from portal.contracts.reads import contract_detail

    unpaid = {"LB-HT-2016-003": {6, 7, 8}, "LB-HT-2016-009": {8}, "LB-HT-2016-017": {10, 11},
              "LB-LZ-2024-004": {3}}
    counter = 1
    for number in contracts:
        detail = contract_detail(backend, CODE, number, today)
        payer = detail.contract
        for status in detail.balance.instalments:
            item = status.instalment
            if item.due_date > today or item.seq in unpaid.get(number, set()):
                continue
            amount = item.amount
            if number == "LB-LZ-2024-002" and item.seq == 3:
                amount = (amount / 2).quantize(Decimal("0.01"))  # 部分缴纳
            paid_on = min(today, item.due_date + timedelta(days=rng.randrange(0, 20)))
            receipt_number = f"SK-{paid_on.year}-{counter:04d}"
            scanned = number.startswith("LB-LZ") and item.seq == 1  # the companies' first payments
            record_receipt(backend, staff, CODE, ReceiptInput(
                number=receipt_number, amount=amount, received_on=paid_on,
                payer_name=payer.lessee_name, payer_is_person=payer.lessee_kind.value == "person",
                contract_number=number, note=f"第{item.seq}期租金",
                scan=_receipt_scan(receipt_number, payer.lessee_name, amount, paid_on) if scanned else None,
                scan_name=f"{receipt_number}.pdf"))
            counter += 1


def _receipt_scan(number: str, payer: str, amount: Decimal, day: date) -> bytes:
    """A stand-in for a scanned 收款收据 (a one-page PDF), so the demo shows scans by hash."""
    from portal.kernel.money import amount_in_words, format_money
    from portal.publishing.pdf import render_pdf

    return render_pdf(
        "<style>@page { size: A6 landscape; margin: 8mm } h1 { font-size: 14pt } p { margin: 2mm 0 }</style>"
        f"<h1>莲坂村股份经济合作社 收款收据（演示）</h1><p>No. {number}　{day.isoformat()}</p>"
        f"<p>交款单位：{payer}</p><p>金额：{format_money(amount)}（{amount_in_words(amount)}）</p>"
        "<p>事由：土地流转租金　收款人：报账员（签章）</p>")  # a role: public scans name no staff member


def _corrections(backend: Backend, staff: Actor, contracts: list[str]) -> None:
    """Real life: a typo in a phone number, a wrong amount, a receipt entered twice."""
    from portal.contracts.reads import contract_detail

    detail = contract_detail(backend, CODE, "LB-LZ-2024-001", date(2024, 1, 1))
    corrected = contract_input_from(detail.contract)
    corrected.lessee_phone = "0592-7100999"
    corrected.note = "经村民代表会议表决通过，公开竞价成交；联系电话已更正"
    correct_contract(backend, staff, CODE, "LB-LZ-2024-001", corrected, "联系电话录入错误，按合同原件更正")
    correct_receipt(backend, staff, CODE, "SK-2016-0001", ReceiptInput(
        number="SK-2016-0001", amount=_first_amount(backend, "LB-HT-2016-001"), received_on=date(2016, 1, 5),
        payer_name=contract_detail(backend, CODE, "LB-HT-2016-001", date(2016, 1, 1)).contract.lessee_name,
        payer_is_person=True, contract_number="LB-HT-2016-001", note="第1期租金（收款日期按存根更正）"),
        "收款日期录入错误，按收据存根更正")
    record_receipt(backend, staff, CODE, ReceiptInput(
        number="SK-DUP-0001", amount="100.00", received_on=date(2025, 6, 1), payer_name="同安果香生态农场有限公司",
        contract_number="LB-LZ-2024-004", note="重复录入"))
    withdraw_receipt(backend, staff, CODE, "SK-DUP-0001", "同一笔款项重复录入，撤回此条")


def _first_amount(backend: Backend, number: str) -> Decimal:
    from portal.contracts.reads import contract_detail

    return contract_detail(backend, CODE, number, date(2016, 1, 1)).contract.schedule()[0].amount
