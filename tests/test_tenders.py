"""Tenders (招租): the notice and its 公示期, both bidding modes, the award, objections and the
contract draft made from it; on SQLite and PostgreSQL (the `backend` fixture)."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from portal.accounts.services import UserInput, create_user
from portal.drafts.models import Draft
from portal.kernel.errors import PermissionDenied, ValidationError
from portal.kernel.transaction import SYSTEM, Actor
from portal.tenders import bidding
from portal.tenders.award import contract_draft_from_award
from portal.tenders.commitment import commit, commitment_bytes
from portal.tenders.services import (
    TenderInput,
    answer_question,
    award_tender,
    correct_tender,
    create_tender,
    file_objection,
    record_deposit,
    register_bidder,
)
from portal.tenders.workdays import period_end

from .conftest import STAFF
from .test_notices_plans import _packed, _payloads, _tags, assert_inert

MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


def tender_input(**changes: object) -> TenderInput:
    values: dict[str, object] = dict(
        number="ZZ-001", title="东洋片区土地公开招租公告", mode="auction", use="种植蔬菜",
        term_start="2027-01-01", term_end="2036-12-31", reserve_price="500", increment="10", deposit="5000",
        eligibility="依法登记的农业企业、合作社或本村村民", bid_deadline="2026-12-10",
        lots=[("P1", None), ("P2", "5")], publicity_start="", publicity_days="5")
    values.update(changes)
    return TenderInput(**values)  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY

    def __call__(self) -> datetime:
        return self.now

    def to(self, day: date, hour: int = 2) -> None:
        self.now = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def clock(backend) -> Clock:
    backend.clock = Clock()
    return backend.clock


def bidders_with_deposit(backend, village: str, number: str, names: list[tuple[str, str]]) -> None:
    for kind, name in names:
        register_bidder(backend, STAFF, village, number, kind, name)
    for no in range(1, len(names) + 1):
        record_deposit(backend, STAFF, village, number, str(no), "received")


def test_publicity_period_is_five_working_days_from_its_start(backend, village, clock):
    tender = create_tender(backend, STAFF, village, tender_input())
    assert (tender.publicity_start, tender.publicity_end) == (date(2026, 11, 23), date(2026, 11, 27))
    assert period_end(date(2026, 11, 28), 5) == date(2026, 12, 4)  # a Saturday start: Mon–Fri after


def test_notice_refuses_unknown_parcels_non_land_and_too_large_area(backend, village, clock):
    with pytest.raises(ValidationError) as err:
        create_tender(backend, STAFF, village, tender_input(lots=[("NOPE", None), ("S1", None), ("P2", "9")]))
    assert "NOPE" in err.value.errors["parcel_1"] and "亩" in err.value.errors["parcel_2"]
    assert "area_3" in err.value.errors
    with pytest.raises(ValidationError) as err:
        create_tender(backend, STAFF, village, tender_input(bid_deadline="2026-11-25"))
    assert "公示期" in err.value.errors["bid_deadline"]
    with pytest.raises(ValidationError) as err:
        create_tender(backend, STAFF, village, tender_input(plan_number="FA-404"))
    assert "FA-404" in err.value.errors["plan_number"]


def test_correction_during_the_period_is_a_new_version_and_restarts_it(backend, village, clock, client):
    create_tender(backend, STAFF, village, tender_input())
    clock.to(date(2026, 11, 26))  # Thursday, day 4 of the period
    with pytest.raises(ValidationError) as err:
        correct_tender(backend, STAFF, village, "ZZ-001", tender_input(reserve_price="520"), "")
    assert "reason" in err.value.errors
    tender = correct_tender(backend, STAFF, village, "ZZ-001", tender_input(reserve_price="520"), "底价笔误")
    assert tender.version == 2 and tender.reserve_price == Decimal("520.00")
    assert (tender.publicity_start, tender.publicity_end) == (date(2026, 11, 26), date(2026, 12, 2))
    page = page_of(client, village)
    assert "底价笔误" in page and "2026年12月2日" in page


def page_of(client, village: str, number: str = "ZZ-001") -> str:
    response = client.get(f"/v/{village}/tenders/{number}")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_auction_refuses_below_reserve_and_below_last_plus_increment(backend, village, clock, client):
    create_tender(backend, STAFF, village, tender_input())
    bidders_with_deposit(backend, village, "ZZ-001", [("company", "甲农业有限公司"), ("person", "张三华")])
    with pytest.raises(ValidationError) as err:  # still in the 公示期
        bidding.place_bid(backend, STAFF, village, "ZZ-001", "1", "500")
    assert "公示期" in err.value.errors["amount"]
    clock.to(date(2026, 12, 10))
    with pytest.raises(ValidationError) as err:
        bidding.place_bid(backend, STAFF, village, "ZZ-001", "1", "499.99")
    assert "低于底价" in err.value.errors["amount"]
    bidding.place_bid(backend, STAFF, village, "ZZ-001", "1", "500")
    with pytest.raises(ValidationError) as err:
        bidding.place_bid(backend, STAFF, village, "ZZ-001", "2", "509.99")
    assert "至少 ¥510.00" in err.value.errors["amount"]
    with pytest.raises(ValidationError):  # the highest bidder cannot raise their own bid
        bidding.place_bid(backend, STAFF, village, "ZZ-001", "1", "520")
    for round_, (who, amount) in enumerate([("2", "510"), ("1", "530"), ("2", "540")], start=2):
        tender = bidding.place_bid(backend, STAFF, village, "ZZ-001", who, amount)
        assert tender.bids[-1]["round"] == round_
    tender = bidding.close_bidding(backend, STAFF, village, "ZZ-001")
    assert (tender.winner, tender.winning_price) == (2, Decimal("540.00"))
    with pytest.raises(ValidationError):
        bidding.place_bid(backend, STAFF, village, "ZZ-001", "1", "600")
    page = page_of(client, village)
    assert "张*华" in page and "张三华" not in page and "¥540.00" in page


def test_a_bidder_without_deposit_cannot_bid(backend, village, clock):
    create_tender(backend, STAFF, village, tender_input())
    register_bidder(backend, STAFF, village, "ZZ-001", "company", "甲农业有限公司")
    clock.to(date(2026, 12, 10))
    with pytest.raises(ValidationError) as err:
        bidding.place_bid(backend, STAFF, village, "ZZ-001", "1", "500")
    assert "保证金" in err.value.errors["bidder"]


def test_commitment_encoding_is_the_documented_one():
    nonce = "0123456789abcdef0123456789abcdef"
    assert commitment_bytes(Decimal("523"), "lianban", "ZZ-2026-002", 3, nonce) == \
        b"523.00|lianban/ZZ-2026-002/3|0123456789abcdef0123456789abcdef"
    assert commit(Decimal("523"), "lianban", "ZZ-2026-002", 3, nonce) == hashlib.sha256(
        b"523.00|lianban/ZZ-2026-002/3|0123456789abcdef0123456789abcdef").hexdigest()


def sealed_tender(backend, village: str, clock: Clock) -> list[bidding.SealedReceipt]:
    create_tender(backend, STAFF, village, tender_input(mode="sealed"))
    bidders_with_deposit(backend, village, "ZZ-001", [("company", "甲农业有限公司"), ("person", "李四")])
    clock.to(date(2026, 12, 1))
    first = bidding.seal_bid(backend, STAFF, village, "ZZ-001", "1", amount="530")
    nonce = "ffffffffffffffffffffffffffffffff"
    own = commit(Decimal("560"), village, "ZZ-001", 2, nonce)  # the bidder computed it at home
    second = bidding.seal_bid(backend, STAFF, village, "ZZ-001", "2", commitment=own)
    assert second.amount is None and second.commitment == own
    return [first, bidding.SealedReceipt("ZZ-001", village, 2, "560.00", nonce, own, second.at)]


def test_sealed_bid_logs_only_its_commitment_and_a_changed_amount_or_nonce_is_refused(backend, village, clock, client):
    first, second = sealed_tender(backend, village, clock)
    assert first.amount == "530.00" and len(first.nonce or "") == 32
    from .people import entries
    logged = entries(backend, village)
    assert first.nonce not in str(logged) and "530.00" not in str(logged)
    assert first.commitment in str(logged[-2]["data"])
    with pytest.raises(ValidationError):  # no opening before the deadline
        bidding.open_bids(backend, STAFF, village, "ZZ-001")
    clock.to(date(2026, 12, 10))
    with pytest.raises(ValidationError):  # no more sealed bids once the deadline day has passed
        clock.to(date(2026, 12, 11))
        bidding.seal_bid(backend, STAFF, village, "ZZ-001", "1", amount="600")
    bidding.open_bids(backend, STAFF, village, "ZZ-001")
    changed_amount = bidding.reveal_bid(backend, STAFF, village, "ZZ-001", "1", "531", first.nonce or "")
    changed_nonce = bidding.reveal_bid(backend, STAFF, village, "ZZ-001", "1", "530", "0" * 32)
    assert not changed_amount.matched and not changed_nonce.matched and "不予开启" in changed_amount.message
    assert changed_nonce.tender.bids[0]["amount"] is None and len(changed_nonce.tender.failed_reveals) == 2
    assert bidding.reveal_bid(backend, STAFF, village, "ZZ-001", "1", "530", first.nonce or "").matched
    assert bidding.reveal_bid(backend, STAFF, village, "ZZ-001", "2", "560", second.nonce or "").matched
    tender = bidding.close_bidding(backend, STAFF, village, "ZZ-001")
    assert (tender.winner, tender.winning_price) == (2, Decimal("560.00"))
    page = page_of(client, village)
    assert "不予开启" in page and "¥531.00" in page and first.commitment in page and "李*" in page


def test_award_objection_period_and_contract_draft_from_award(backend, village, clock, client):
    first, second = sealed_tender(backend, village, clock)
    clock.to(date(2026, 12, 11))
    with pytest.raises(ValidationError):
        award_tender(backend, STAFF, village, "ZZ-001", "5", "竞价未结束")
    bidding.open_bids(backend, STAFF, village, "ZZ-001")
    bidding.reveal_bid(backend, STAFF, village, "ZZ-001", "2", "560", second.nonce or "")
    bidding.close_bidding(backend, STAFF, village, "ZZ-001")  # 1 号 never revealed: 2 号 wins
    tender = award_tender(backend, STAFF, village, "ZZ-001", "5", "监委会审核通过")
    assert tender.awarded_on == date(2026, 12, 11) and tender.objection_until == date(2026, 12, 18)
    file_objection(backend, STAFF, village, "ZZ-001", "报价截止时间公布不够醒目", "截止日期已在公告中写明", "收到异议")
    with pytest.raises(ValidationError):
        record_deposit(backend, STAFF, village, "ZZ-001", "2", "refunded")  # the winner's stays
    record_deposit(backend, STAFF, village, "ZZ-001", "1", "refunded")
    clock.to(date(2026, 12, 19))
    with pytest.raises(ValidationError) as err:
        file_objection(backend, STAFF, village, "ZZ-001", "太晚的异议")
    assert "异议期" in err.value.errors["text"]

    user = create_user(backend, SYSTEM, UserInput("t-staff", "报账员", "long-enough-1", "staff", village))
    draft = contract_draft_from_award(backend, replace(STAFF, user_id=user.id), village, "ZZ-001")
    fields = draft.fields
    assert (fields["lessee_kind"], fields["lessee_name"], fields["rent_rate"], fields["rent_unit"]) == \
        ("person", "李四", "560.00", "mu_year")
    assert (fields["start_date"], fields["end_date"]) == ("2027-01-01", "2036-12-31")
    assert [(fields["parcel_1"], fields["area_1"]), (fields["parcel_2"], fields["area_2"])] == \
        [("P1", "10.00"), ("P2", "5.00")]
    with backend.db.read() as session:
        assert session.get(Draft, draft.id).entity == "contract"
    page = page_of(client, village)
    assert "报价截止时间公布不够醒目" in page and "2026年12月18日" in page


def test_other_villages_and_other_roles_are_refused(backend, village, clock):
    create_tender(backend, STAFF, village, tender_input())
    for intruder in (Actor("x", "staff", village="other"), Actor("c", "committee", village=village),
                     Actor("v", "villager")):
        with pytest.raises(PermissionDenied):
            answer_question(backend, intruder, village, "ZZ-001", "问", "答")
        with pytest.raises(PermissionDenied):
            bidding.place_bid(backend, intruder, village, "ZZ-001", "1", "500")


def test_questions_and_answers_are_appended_during_the_period(backend, village, clock):
    create_tender(backend, STAFF, village, tender_input())
    answer_question(backend, STAFF, village, "ZZ-001", "可以种果树吗？", "可以，但不得建永久建筑")
    tender = answer_question(backend, STAFF, village, "ZZ-001", "保证金何时退？", "未成交的竞买人在成交公告后 5 个工作日内退还")
    assert [q["seq"] for q in tender.qa] == [1, 2] and tender.version == 3
    with pytest.raises(ValidationError):
        answer_question(backend, STAFF, village, "ZZ-001", "电话 13812345678 可以吗", "不行")


def test_lists_and_downloads(backend, village, clock, client):
    create_tender(backend, STAFF, village, tender_input())
    assert "东洋片区土地公开招租公告" in client.get(f"/v/{village}/tenders").get_data(as_text=True)
    data = client.get(f"/v/{village}/tenders.json").get_json()
    assert data["rows"][0]["stage"] == "publicity" and data["rows"][0]["area"] == "15.00"
    assert "ZZ-001" in client.get(f"/v/{village}/tenders.csv").get_data(as_text=True)


@pytest.mark.slow
def test_xss_payloads_in_tender_texts_are_shown_as_text(backend, village, clock, client):
    create_tender(backend, STAFF, village, tender_input(number="ZZ-0"))
    answer_question(backend, STAFF, village, "ZZ-0", "无害的问题", "无害的答复")
    harmless: Counter = _tags(client.get(f"/v/{village}/tenders/ZZ-0").get_data(as_text=True))
    for i, text in enumerate(_packed(_payloads(), 1000, "\n")[:40], start=1):
        try:
            create_tender(backend, STAFF, village, tender_input(number=f"ZZ-{i}", eligibility=text))
            answer_question(backend, STAFF, village, f"ZZ-{i}", text, text)
        except ValidationError:
            continue  # a payload carrying something like a phone number: refused, nothing shown
        html = client.get(f"/v/{village}/tenders/ZZ-{i}").get_data(as_text=True)
        assert_inert(html, [text], harmless)


def test_printed_tender_has_the_bidding_masked_names_qr_and_checkpoint(backend, village, clock, client, tmp_path):
    from .test_printing import fetch_pdf, flat, pdf_text

    create_tender(backend, STAFF, village, tender_input(mode="sealed"))
    bidders_with_deposit(backend, village, "ZZ-001", [("person", "王小明")])
    clock.to(date(2026, 12, 1))
    receipt = bidding.seal_bid(backend, STAFF, village, "ZZ-001", "1", amount="512")
    text = flat(pdf_text(fetch_pdf(client, f"/v/{village}/tenders/ZZ-001.pdf", tmp_path)))
    assert "王*明" in text and "王小明" not in text and receipt.commitment in text and "未开启" in text
    assert "审计日志：共" in text and "根哈希" in text  # the checkpoint it was printed at
