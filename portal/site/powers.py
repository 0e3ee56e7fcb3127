"""小微权力清单 — the village's list of small powers, each with its procedure (权力运行流程图) as
steps, and for each step the records it produced, found by query through the records' own links
(a tender's lots → the contracts on them → their signings and receipts; an expense → the meeting
that decided it → the fund it came from).

The powers and their steps are data (POWERS); a power names the finder of its cases (`cases`),
which returns, per case, the links of each step by the step's `key`. A power without a finder
(低保评定: the township decides it, this site keeps no record of it) shows its steps only.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.contracts.models import Contract, ContractAsset
from portal.dividends.models import DividendPlan
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.ledger.labels import CATEGORY
from portal.ledger.models import Direction, LedgerEntry
from portal.notices.models import Notice
from portal.parcels.models import Asset
from portal.plans.models import Plan
from portal.receipts.models import Receipt
from portal.signings.models import Signing
from portal.tenders.models import Tender
from portal.translations import N_
from portal.villages.models import Village
from portal.villages.services import find_village


@dataclass(frozen=True)
class Step:
    key: str
    name: str          # 发布招租公告
    who: str           # 村委会
    what: str          # one plain sentence: what is done and what is made public


@dataclass(frozen=True)
class Power:
    key: str
    name: str
    basis: str                       # 依据
    steps: tuple[Step, ...]
    cases: str = ""                  # a key of CASE_FINDERS; "" when this site keeps no records of it
    no_records: str = ""             # said instead of the cases when there is no finder


@dataclass(frozen=True)
class Link:
    """A record a step produced: its number, a word saying what it is (translated on the page),
    the title the village gave it (shown as written) and its page."""

    number: str
    word: str
    title: str
    href: str


@dataclass
class Case:
    """One time a power was used: its title and, per step key, the records the step produced."""

    title: str
    on: date
    links: dict[str, list[Link]] = field(default_factory=dict)


POWERS: tuple[Power, ...] = (
    Power("lease", N_("集体资产出租"), N_("《福建省农村集体资产管理条例》；本村土地集中流转方案"), (
        Step("plan", N_("拟定方案，征求村民意见"), N_("村两委"), N_("出租方案在“方案公示”栏目公开征求意见，每条意见和答复都公开。")),
        Step("vote", N_("村民代表会议表决"), N_("村民代表会议"), N_("表决结果（应到、赞成、反对、弃权）记在方案页。")),
        Step("notice", N_("发布招租公告"), N_("村委会，监委会审核"), N_("公告写明地块、底价、保证金、竞价日，公示期满才能竞价。")),
        Step("bidders", N_("报名、交保证金"), N_("竞买人，村报账员"), N_("报名单位和保证金收退情况公开。")),
        Step("bidding", N_("公开竞价或密封报价"), N_("村委会，监委会全程监督"), N_("每一轮出价（或每份报价的承诺值和开标结果）公开。")),
        Step("award", N_("成交公示"), N_("村委会，监委会审核"), N_("成交人和成交价公示，异议期内可以提出异议。")),
        Step("contract", N_("签订合同"), N_("村委会与承租方"), N_("合同的地块、租金、缴款计划和每次修改都公开。")),
        Step("signing", N_("现场签约"), N_("村委会、承租方、监委会见证"), N_("签约录像、照片和签字合同的指纹记在日志里。")),
        Step("receipts", N_("按期收租、开收据"), N_("村报账员"), N_("每张收据公开，欠租的合同列入欠租清单。")),
    ), cases="lease"),
    Power("project", N_("工程项目"), N_("村级“三重一大”事项决策制度"), (
        Step("propose", N_("提出项目"), N_("村两委"), N_("提出维修或建设项目和预算。")),
        Step("decide", N_("“三重一大”会议决策"), N_("村两委、党员和村民代表"), N_("会议纪要公开到会人数和表决结果。")),
        Step("build", N_("组织实施、验收"), N_("村委会，监委会监督"), N_("施工和验收由监委会监督。")),
        Step("pay", N_("按合同付款、记账"), N_("村报账员，村委会主任和监委会审批"), N_("每笔付款记入集体资金账，写明依据的会议。")),
        Step("fund", N_("从专项基金列支"), N_("村报账员"), N_("专项基金的提取和支出有自己的明细账。")),
    ), cases="project"),
    Power("spend", N_("资金支出"), N_("村级财务管理制度"), (
        Step("ask", N_("经办人提出"), N_("经办人"), N_("写明用途和金额，附发票或凭证。")),
        Step("approve", N_("审批"), N_("村委会主任；大额支出经会议决定"), N_("审批人写在账目上。")),
        Step("pay", N_("出纳支付、记账"), N_("村报账员"), N_("记账凭证号、金额和对方公开。")),
        Step("publish", N_("按月公开"), N_("村委会，监委会审核"), N_("集体资金栏目按年份公开收支和按科目合计。")),
    ), cases="spend"),
    Power("dividend", N_("集体收益分配"), N_("村集体经济组织章程"), (
        Step("decide", N_("户代表会议表决分配方案"), N_("村民会议或户代表会议"), N_("会议纪要公开表决结果。")),
        Step("list", N_("公示分红名单"), N_("村委会，监委会审核"), N_("名单公示期内可以向监委会提出异议；每户可以凭核对码核对本户。")),
        Step("pay", N_("发放、记账"), N_("村报账员"), N_("发放情况和支出记账公开。")),
    ), cases="dividend"),
    Power("welfare", N_("低保评定"), N_("《社会救助暂行办法》"), (
        Step("apply", N_("本人申请"), N_("申请人"), N_("向村委会或镇人民政府提交申请。")),
        Step("check", N_("入户调查"), N_("镇人民政府，村委会协助"), N_("核对家庭收入和财产。")),
        Step("review", N_("民主评议"), N_("村民代表"), N_("评议结果在村务公开栏公示。")),
        Step("approve", N_("审核审批"), N_("镇人民政府、区民政局"), N_("批准后公布名单，接受监督。")),
    ), no_records=N_("低保评定由镇人民政府审批，名单在村务公开栏张贴；本站不保存低保对象的个人信息。")),
)


def _lease_cases(session: Session, village: Village, code: str) -> list[Case]:
    """Each tender, with the notice posted for it, the plan that notice follows (named in its text
    or on the tender), the notice calling the vote on that plan, the contracts on its lots for its
    term, and their signings and receipts."""
    v = f"/v/{code}"
    plans = list(session.scalars(select(Plan).where(Plan.village_id == village.id)))
    notices = list(session.scalars(select(Notice).where(Notice.village_id == village.id,
                                                        Notice.status == RecordStatus.ACTIVE)))

    def names(plan: Plan, notice: Notice) -> bool:
        return f"《{plain_title(plan.title)}》" in notice.body

    cases = []
    for t in session.scalars(select(Tender).where(Tender.village_id == village.id)
                             .order_by(Tender.publicity_start.desc(), Tender.number)):
        posted = [n for n in notices if n.category.value == "tender" and n.published_on == t.publicity_start]
        followed = [p for p in plans if p.number == t.plan_number or any(names(p, n) for n in posted)]
        called = [n for n in notices if n.category.value == "affairs" and n.published_on <= t.publicity_start
                  and any(names(p, n) for p in followed)]
        lots = [lot["asset"] for lot in t.lots]
        contracts = list(session.scalars(
            select(Contract).join(ContractAsset).join(Asset, Asset.id == ContractAsset.asset_id)
            .where(Contract.village_id == village.id, Asset.number.in_(lots), Contract.start_date == t.term_start)
            .distinct().order_by(Contract.number)))
        ids = [c.id for c in contracts]
        signings = session.scalars(select(Signing).where(Signing.contract_id.in_(ids)).order_by(Signing.number))
        receipts = session.scalars(select(Receipt).where(Receipt.contract_id.in_(ids))
                                   .order_by(Receipt.received_on, Receipt.number))
        tender = f"{v}/tenders/{t.number}"
        cases.append(Case(t.title, t.publicity_start, {
            "plan": [Link(p.number, N_("方案"), plain_title(p.title) if p.adopted_on else p.title, f"{v}/plans/{p.number}")
                     for p in followed],
            "vote": [Link(p.number, N_("表决结果"), "", f"{v}/plans/{p.number}#votes") for p in followed]
            + [Link(n.number, N_("公告"), n.title, f"{v}/notices/{n.number}") for n in called],
            "notice": [Link(t.number, N_("招租公告"), "", tender)]
            + [Link(n.number, N_("公告"), n.title, f"{v}/notices/{n.number}") for n in posted],
            "bidders": [Link(t.number, N_("竞买人"), "", f"{tender}#bidders")] if t.bidders else [],
            "bidding": [Link(t.number, N_("竞价过程"), "", f"{tender}#rounds")] if t.bids else [],
            "award": [Link(t.number, N_("成交结果"), "", f"{tender}#award")] if t.winner else [],
            "contract": [Link(c.number, N_("合同"), "", f"{v}/contracts/{c.number}") for c in contracts],
            "signing": [Link(s.number, N_("签约记录"), "", f"{v}/signings/{s.number}") for s in signings],
            "receipts": [Link(r.number, N_("收据"), "", f"{v}/receipts/{r.number}") for r in receipts],
        }))
    return cases


def _expense_case(e: LedgerEntry, code: str, title: str) -> Case:
    v = f"/v/{code}"
    links = {"pay": [Link(e.number, N_("记账凭证"), "", f"{v}/ledger/{e.number}")],
             "publish": [Link(str(e.booked_on.year), N_("年集体资金"), "", f"{v}/ledger?year={e.booked_on.year}")]}
    if e.meeting is not None:
        links["decide"] = links["approve"] = [
            Link(e.meeting.number, N_("会议纪要"), e.meeting.title, f"{v}/meetings/{e.meeting.number}")]
    if e.fund is not None:
        links["fund"] = [Link(e.fund.number, N_("专项基金"), e.fund.name, f"{v}/ledger/funds/{e.fund.number}")]
    return Case(title, e.booked_on, links)


def _expenses(session: Session, village: Village, only: tuple[str, ...] = (),
              but: tuple[str, ...] = ()) -> list[LedgerEntry]:
    """The village's active expenses, newest first: of the categories `only` (all if empty), not of `but`."""
    query = select(LedgerEntry).where(LedgerEntry.village_id == village.id, LedgerEntry.status == RecordStatus.ACTIVE,
                                      LedgerEntry.direction == Direction.EXPENSE)
    if only:
        query = query.where(LedgerEntry.category.in_(only))
    if but:
        query = query.where(LedgerEntry.category.not_in(but))
    return list(session.scalars(query.order_by(LedgerEntry.booked_on.desc(), LedgerEntry.number.desc())))


def _project_cases(session: Session, village: Village, code: str) -> list[Case]:
    """Each expense on repairs or works that names the meeting that decided it."""
    return [_expense_case(e, code, e.meeting.title) for e in _expenses(session, village, only=("maintenance",))
            if e.meeting is not None]


def _spend_cases(session: Session, village: Village, code: str) -> list[Case]:
    """The three latest expenses other than rent passed on to households and dividends (powers of their own)."""
    return [_expense_case(e, code, f"{CATEGORY.get(e.category, e.category)} {e.number}")
            for e in _expenses(session, village, but=("transfer_rent", "dividend"))[:3]]


def _dividend_cases(session: Session, village: Village, code: str) -> list[Case]:
    """Each dividend year: the meeting, the published list, the payout booked in the ledger."""
    v = f"/v/{code}"
    payouts = _expenses(session, village, only=("dividend",))
    cases = []
    for p in session.scalars(select(DividendPlan).where(DividendPlan.village_id == village.id)
                             .order_by(DividendPlan.year.desc())):
        links = {"list": [Link(str(p.year), N_("年度分红名单"), "", f"{v}/dividends/{p.year}")],
                 "pay": [Link(e.number, N_("记账凭证"), "", f"{v}/ledger/{e.number}") for e in payouts
                         if p.meeting_id is not None and e.meeting_id == p.meeting_id]}
        if p.meeting is not None:
            links["decide"] = [Link(p.meeting.number, N_("会议纪要"), p.meeting.title, f"{v}/meetings/{p.meeting.number}")]
        cases.append(Case(p.title, p.publicity_from, links))
    return cases


CASE_FINDERS: dict[str, Callable[[Session, Village, str], list[Case]]] = {
    "lease": _lease_cases, "project": _project_cases, "spend": _spend_cases, "dividend": _dividend_cases,
}

_DRAFT = re.compile(r"（(征求意见稿|修改稿|草案)）$")


def plain_title(title: str) -> str:
    """A plan's title without its draft mark (莲坂村土地集中流转方案（征求意见稿） → …方案)."""
    return _DRAFT.sub("", title)


@dataclass(frozen=True)
class PowersPage:
    village: Village
    powers: list[tuple[Power, list[Case]]]


def powers_page(backend: Backend, code: str) -> PowersPage:
    """Every power with its cases, newest first; NotFound for an unknown village."""
    with backend.db.read() as session:
        village = find_village(session, code)
        return PowersPage(village, [(p, CASE_FINDERS[p.cases](session, village, code) if p.cases else [])
                                    for p in POWERS])
