"""竞价: the bidding of a tender, entry by entry into the log as it happens.

Open ascending auction (公开竞价): each round is one entry (bidder, amount, time); the first bid
must reach the reserve price and every later one the last bid plus the increment.
Sealed bids (密封报价): before the deadline a bid is logged only as its commitment (commitment.py);
the portal keeps neither amount nor nonce. At the public opening each bidder's amount and nonce
are checked against the commitment: a match is logged as revealed; a mismatch is refused, and the
refused attempt is logged too, so the public sees it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.money import format_money
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
from portal.tenders.commitment import COMMITMENT, NONCE, canonical_amount, commit, new_nonce
from portal.tenders.models import Tender, TenderMode, TenderStatus
from portal.tenders.services import bidder_number, step


BID, SEALED_BID = say("出价"), say("报价")


def _price(check: Checker, value: object, label: str = BID) -> Decimal:
    return check.money("amount", value, say("%(label)s（元/亩/年）", label=label))


def _bidder_with_deposit(check: Checker, tender: Tender, value: object) -> int:
    no = bidder_number(check, tender, value)
    if no and tender.bidders[no - 1]["deposit"] != "received":
        check.fail("bidder", say("第 %(bidder)s 号竞买人未交保证金，不能出价", bidder=no))
    return no


def _in_bidding(tender: Tender, mode: TenderMode, today_after_publicity: bool) -> None:
    if tender.mode is not mode:
        raise ValidationError({"amount": say("本次招租不是这种竞价方式")})
    if tender.status is not TenderStatus.OPEN:
        raise ValidationError({"amount": say("竞价已经结束")})
    if not today_after_publicity:
        raise ValidationError({"amount": say("公示期尚未结束，不能出价")})


def place_bid(backend: Backend, actor: Actor, village_code: str, number: str, bidder: str,
              amount: str | Decimal, at: datetime | None = None) -> Tender:
    """One round of an open auction, logged as `tender.bid` at once. `at` is the round's time when
    it is transcribed from the minutes of an auction held earlier (default: now)."""
    today = backend.today()
    with step(backend, actor, village_code, number, "bid") as tender:
        _in_bidding(tender, TenderMode.AUCTION, today > tender.publicity_end)
        check = Checker()
        no = _bidder_with_deposit(check, tender, bidder)
        price = _price(check, amount)
        check.done()
        if not tender.bids:
            if price < tender.reserve_price:
                raise ValidationError({"amount": say("出价 %(price)s 低于底价 %(reserve_price)s",
                                                     price=format_money(price),
                                                     reserve_price=format_money(tender.reserve_price))})
        else:
            last = tender.bids[-1]
            least = Decimal(last["amount"]) + tender.increment
            if price < least:
                raise ValidationError({"amount": (
                    say("出价 %(price)s 不够：上一轮 %(amount)s 加加价幅度 %(increment)s，至少 %(least)s",
                        price=format_money(price), amount=format_money(Decimal(last['amount'])),
                        increment=format_money(tender.increment), least=format_money(least)))})
            if last["bidder"] == no:
                raise ValidationError({"bidder": say("第 %(bidder)s 号竞买人已是当前最高出价，不能自己加价", bidder=no)})
        tender.bids = [*tender.bids, {"round": len(tender.bids) + 1, "bidder": no, "amount": str(price),
                                      "at": (at or backend.clock()).isoformat()}]
    return tender


@dataclass(frozen=True)
class SealedReceipt:
    """What the bidder keeps (printed on the receipt): the portal stores neither amount nor nonce."""

    tender: str
    village: str
    bidder: int
    amount: str | None       # None when the bidder brought their own commitment
    nonce: str | None
    commitment: str
    at: str


def seal_bid(backend: Backend, actor: Actor, village_code: str, number: str, bidder: str,
             amount: str | Decimal = "", commitment: str = "", at: datetime | None = None) -> SealedReceipt:
    """密封报价: logs only the commitment (`tender.commit`). Given an amount, the portal draws the
    nonce, computes the commitment and returns both on the receipt, keeping neither; given a
    commitment the bidder computed (docs/tenders.md), logs it as it is."""
    today = backend.today()
    brought = commitment.strip().lower()
    with step(backend, actor, village_code, number, "commit") as tender:
        if tender.mode is not TenderMode.SEALED:
            raise ValidationError({"amount": say("本次招租不是密封报价")})
        if tender.status is not TenderStatus.OPEN or today > tender.bid_deadline:
            raise ValidationError({"amount": say("报价已截止")})
        if today < tender.publicity_start:
            raise ValidationError({"amount": say("公示尚未开始，不能报价")})
        check = Checker()
        no = _bidder_with_deposit(check, tender, bidder)
        price, nonce = None, None
        if brought:
            if not COMMITMENT.match(brought):
                check.fail("commitment", say("承诺值应为 64 位十六进制字符（SHA-256）"))
        else:
            price = _price(check, amount, SEALED_BID)
            if price and price < tender.reserve_price:
                check.fail("amount", say("报价 %(price)s 低于底价 %(reserve_price)s",
                                         price=format_money(price), reserve_price=format_money(tender.reserve_price)))
        check.done()
        if any(b["bidder"] == no for b in tender.bids):
            raise ValidationError({"bidder": say("第 %(bidder)s 号竞买人已经报过价，每人只能报一次", bidder=no)})
        if price is not None:
            nonce = new_nonce()
            brought = commit(price, village_code, tender.number, no, nonce)
        moment = (at or backend.clock()).isoformat()
        tender.bids = [*tender.bids, {"bidder": no, "commitment": brought, "at": moment, "amount": None,
                                      "nonce": None, "revealed_at": None}]
    return SealedReceipt(tender.number, village_code, no, canonical_amount(price) if price is not None else None,
                         nonce, brought, moment)


def open_bids(backend: Backend, actor: Actor, village_code: str, number: str) -> Tender:
    """开标: no more sealed bids; from now on amounts and nonces are revealed and checked."""
    today = backend.today()
    with step(backend, actor, village_code, number, "open") as tender:
        if tender.mode is not TenderMode.SEALED or tender.status is not TenderStatus.OPEN:
            raise ValidationError({"reason": say("只有报价中的密封报价招租可以开标")})
        if today < tender.bid_deadline:
            raise ValidationError({"reason": say("报价截止日（%(bid_deadline)s）之前不能开标",
                                                 bid_deadline=tender.bid_deadline.isoformat())})
        tender.status = TenderStatus.OPENING
    return tender


@dataclass(frozen=True)
class Reveal:
    tender: Tender
    matched: bool
    message: str


def reveal_bid(backend: Backend, actor: Actor, village_code: str, number: str, bidder: str,
               amount: str | Decimal, nonce: str, at: datetime | None = None) -> Reveal:
    """A bidder's amount and nonce at the opening: logged as revealed when they give the logged
    commitment; otherwise the attempt is logged as refused (`failed_reveals`) and the bid stays
    unopened. Both are entries (`tender.reveal`)."""
    with step(backend, actor, village_code, number, "reveal") as tender:
        if tender.status is not TenderStatus.OPENING:
            raise ValidationError({"amount": say("尚未开标，或开标已结束")})
        check = Checker()
        no = bidder_number(check, tender, bidder)
        price = _price(check, amount, SEALED_BID)
        token = str(nonce or "").strip().lower()
        if not NONCE.match(token):
            check.fail("nonce", say("随机码应为回执上的 32 位十六进制字符"))
        check.done()
        sealed = next((b for b in tender.bids if b["bidder"] == no), None)
        if sealed is None:
            raise ValidationError({"bidder": say("第 %(bidder)s 号竞买人没有密封报价", bidder=no)})
        if sealed["amount"] is not None:
            raise ValidationError({"bidder": say("第 %(bidder)s 号竞买人的报价已经开启", bidder=no)})
        when = (at or backend.clock()).isoformat()
        computed = commit(price, village_code, tender.number, no, token)
        if computed != sealed["commitment"]:
            tender.failed_reveals = [*tender.failed_reveals, {"bidder": no, "amount": canonical_amount(price),
                                                              "nonce": token, "computed": computed, "at": when}]
            message = say("第 %(bidder)s 号竞买人的报价 %(price)s 与随机码算出的承诺值和报价截止前记录的不一致，"
                          "不予开启（此次核验已公开记录）", bidder=no, price=format_money(price))
        else:
            tender.bids = [b if b["bidder"] != no else {**b, "amount": canonical_amount(price), "nonce": token,
                                                        "revealed_at": when} for b in tender.bids]
            message = say("第 %(bidder)s 号竞买人的报价 %(price)s 与承诺值一致，已开启", bidder=no, price=format_money(price))
    return Reveal(tender, computed == sealed["commitment"], message)


def close_bidding(backend: Backend, actor: Actor, village_code: str, number: str) -> Tender:
    """竞价结束: the highest valid bid wins (an auction's last round; the highest revealed sealed
    bid at or above the reserve, the earlier commitment on a tie). No valid bid: 流标."""
    today = backend.today()
    with step(backend, actor, village_code, number, "close") as tender:
        if tender.mode is TenderMode.AUCTION:
            if tender.status is not TenderStatus.OPEN or today <= tender.publicity_end:
                raise ValidationError({"reason": say("公示期结束后的竞价才能结束")})
            best = tender.bids[-1] if tender.bids else None
        else:
            if tender.status is not TenderStatus.OPENING:
                raise ValidationError({"reason": say("开标后才能结束密封报价")})
            valid = [b for b in tender.bids if b["amount"] is not None
                     and Decimal(b["amount"]) >= tender.reserve_price]
            ranked = sorted(valid, key=lambda b: (-Decimal(b["amount"]), b["at"]))
            best = ranked[0] if ranked else None
        if best is None:
            tender.status = TenderStatus.FAILED
        else:
            tender.status, tender.winner = TenderStatus.CLOSED, int(best["bidder"])
            tender.winning_price = Decimal(best["amount"])
    return tender
