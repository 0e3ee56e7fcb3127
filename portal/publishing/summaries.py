"""一句话摘要 — the one plain sentence at the top of every record's public page ("莲坂村把东洋埔
1号地 10.57 亩租给张*华，每年租金 ¥5,285.00，已交到 2026年12月31日"), computed from the record
the page already read, in the reader's language.

One function per record type, all reached through `record_summary(kind, d)` (a template global;
`templates/public/_summary.html` puts it on the page), so no page writes its own sentence. Dates,
amounts and areas come out as unbreakable tokens like the rest of the page; every other value is
escaped before it goes into the translated pattern, so the sentence is safe Markup.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

from portal.kernel.money import format_money
from portal.publishing.formatting import EN_AREA_UNITS, AREA_UNITS, area_number, cn_date, en_date
from portal.translations import in_english, translate

_DEMO_SUFFIX = re.compile(r"（[^（）]*）$")


def _nw(text: str) -> Markup:
    return Markup('<span class="nw">%s</span>') % text


def _day(value: date | str | None) -> Markup:
    if not value:
        return Markup("")
    return _nw(en_date(value) if in_english() else cn_date(value))


def _money(value: Decimal | str) -> Markup:
    return _nw(format_money(Decimal(value)))


def _area(value: Decimal | str, unit: str = "mu") -> Markup:
    units = EN_AREA_UNITS if in_english() else AREA_UNITS
    return _nw(f"{area_number(value)} {units.get(unit, unit)}")


def _name(text: str) -> Markup:
    """A name the village wrote (Chinese): marked as Chinese in an English sentence."""
    if in_english() and re.search(r"[\u3400-\u9fff]", text):
        return Markup('<span lang="zh-CN">%s</span>') % text
    return escape(text)


def _village(village: Any) -> Markup:
    """The village's name without a trailing note in brackets (莲坂村（演示数据） → 莲坂村)."""
    return _name(_DEMO_SUFFIX.sub("", village.name) or village.name)


def _(pattern: str, **values: Any) -> Markup:
    """The translated `pattern` with `values` (already escaped or Markup) filled in; named `_`
    so that the patterns are extracted into the catalog like any other."""
    return Markup(gettext(pattern, **values))


def _word(value: str, lower: bool = False) -> str:
    """A Chinese word from the records' vocabularies in the reader's language; `lower`: in
    English, lower-cased, for a word inside a sentence (Leased → leased)."""
    word = str(translate(value))
    return word.lower() if lower and in_english() else word


def _contract(d: Any, today: date) -> Markup:
    from portal.contracts.rent import annual_rent

    c = d.contract
    if c.status.value == "withdrawn":
        return _("此合同已撤回（录入有误），仅保留备查。")
    names = [item.asset.name for item in c.items]
    unit = "m2" if c.rent_unit.value == "m2_month" else "mu"
    area = _area(c.total_area, unit)
    land = (_("%(name)s %(area)s", name=_name(names[0]), area=area) if len(names) == 1
            else _("%(first)s等 %(n)s 处共 %(area)s", first=_name(names[0]), n=len(names), area=area))
    year = max(0, min(today.year, c.end_date.year) - c.start_date.year - (
        (min(today, c.end_date).month, min(today, c.end_date).day) < (c.start_date.month, c.start_date.day)))
    lease = _("%(village)s把%(land)s租给%(lessee)s，%(start)s至%(end)s，每年租金 %(rent)s",
                 village=_village(d.village), land=land,
                 lessee=_name(c.lessee_public_name()), start=_day(c.start_date), end=_day(c.end_date),
                 rent=_money(annual_rent(c.rent_terms, year)))
    if c.status.value == "terminated":
        return lease + _("；合同已解除。")
    if d.balance.arrears:
        return lease + _("；欠缴 %(owe)s，最长逾期 %(n)s 天。", owe=_money(d.balance.arrears),
                            n=d.balance.days_overdue)
    paid = [s.instalment.period_end for s in d.balance.instalments if s.state == "paid"]
    if paid:
        return lease + _("；租金已交到 %(d)s。", d=_day(max(paid)))
    return lease + _("；还没有到交租的日子。")


def _parcel(d: Any, today: date) -> Markup:
    from portal.parcels.labels import ASSET_KIND, PARCEL_STATUS

    a, s = d.asset, d.state
    head = _("%(name)s是村集体的%(kind)s，%(area)s，现在%(status)s",
                name=_name(a.name), kind=_word(ASSET_KIND[a.kind.value]), area=_area(a.area, a.area_unit),
                status=_word(PARCEL_STATUS[s.status.value], lower=True))
    if s.contract is not None:
        return head + _("，租给%(lessee)s，租到 %(d)s。", lessee=_name(s.contract.lessee_public_name()),
                           d=_day(s.lease_ends or s.contract.end_date))
    return head + _("。")


def _notice(d: Any, today: date) -> Markup:
    from portal.notices.labels import NOTICE_CATEGORY

    n = d.notice
    text = _("%(village)s于 %(d)s 张贴的%(category)s。", village=_village(d.village), d=_day(n.published_on),
                category=_word(NOTICE_CATEGORY[n.category.value]))
    return text + (_("此公告已撤回。") if n.status.value == "withdrawn" else Markup(""))


def _plan(d: Any, today: date) -> Markup:
    p = d.plan
    comments = len(d.comments)
    if d.state == "open":
        return _("这份方案正在征求意见，%(d)s 截止，还剩 %(left)s 天；已收到 %(n)s 条意见。",
                    d=_day(p.comment_until), left=d.days_left, n=comments)
    if d.state == "upcoming":
        return _("这份方案将于 %(d)s 开始征求意见。", d=_day(p.comment_from))
    if d.state == "adopted":
        return _("这份方案已于 %(d)s 通过；征求意见期内收到 %(n)s 条意见。", d=_day(p.adopted_on), n=comments)
    if d.state == "closed":
        return _("这份方案的征求意见已于 %(d)s 结束，收到 %(n)s 条意见，尚未通过。",
                    d=_day(p.comment_until), n=comments)
    return _("这份方案已撤回，仅保留备查。")


def _tender(d: Any, today: date) -> Markup:
    t = d.tender
    head = _("%(village)s公开招租 %(area)s 土地（%(lots)s 块），底价每亩每年 %(price)s，竞价日 %(d)s",
                village=_village(d.village), area=_area(t.area()), lots=len(t.lots),
                price=_money(t.reserve_price), d=_day(t.bid_deadline))
    if t.winner and t.winning_price is not None:
        return head + _("；%(n)s 号竞买人以每亩每年 %(price)s 成交。", n=t.winner, price=_money(t.winning_price))
    if d.stage == "failed":
        return head + _("；没有有效报价，流标。")
    if d.stage == "withdrawn":
        return head + _("；招租已撤回。")
    return head + _("；%(n)s 人报名。", n=len(d.bidders))


def _signing(d: Any, today: date) -> Markup:
    s, st = d.signing, d.state
    return _("%(d)s，%(village)s和承包方在%(place)s当面签订合同 %(c)s，录像和照片的指纹记在日志里。",
                d=_day(s.signed_on), village=_village(d.village), place=_name(s.place), c=_nw(st["contract"]))


def _ledger_entry(d: Any, today: date) -> Markup:
    from portal.ledger.labels import CATEGORY

    e = d.entry
    values = {"d": _day(e["booked_on"]), "a": _money(e["amount"]),
              "cat": _word(CATEGORY.get(e["category"], e["category"])), "who": _name(e["counterparty"])}
    if e["direction"] == "income":
        text = _("%(d)s，村集体收入 %(a)s（%(cat)s），交款人是%(who)s。", **values)
    else:
        text = _("%(d)s，村集体支出 %(a)s（%(cat)s），收款人是%(who)s。", **values)
    if e.get("meeting"):
        text += _("依据会议 %(m)s 的决定。", m=_nw(e["meeting"]))
    return text


def _meeting(d: Any, today: date) -> Markup:
    from portal.meetings.labels import MEETING_KIND

    m = d.meeting
    return _("%(d)s召开%(kind)s：应到 %(e)s 人，实到 %(p)s 人，赞成 %(f)s 票，反对 %(a)s 票，弃权 %(b)s 票。",
                d=_day(m.held_on), kind=_word(MEETING_KIND[m.kind.value]), e=m.expected, p=m.present,
                f=m.votes_for, a=m.votes_against, b=m.abstained)


def _dividend(d: Any, today: date) -> Markup:
    p = d.plan
    return _("%(y)s年度分红：可分配 %(total)s，按 %(s)s 股分给 %(h)s 户；已发放 %(n)s 户，%(paid)s。",
                y=p["year"], total=_money(p["total"]), s=str(p["shares"]).rstrip("0").rstrip("."),
                h=p["households"], n=d.paid, paid=_money(d.paid_amount))


def _complaint(d: Any, today: date) -> Markup:
    from portal.complaints.labels import COMPLAINT_STATUS, KIND

    c = d.view.complaint
    return _("%(d)s收到的%(kind)s，现在%(status)s。", d=_day(c.filed_on), kind=_word(KIND[c.kind]),
                status=_word(COMPLAINT_STATUS[c.status.value]))


def _receipt(d: Any, today: date) -> Markup:
    r = d.receipt
    text = _("%(d)s，村集体收到%(p)s交来的 %(a)s。", d=_day(r.received_on), p=_name(r.payer_public_name()),
                a=_money(r.amount))
    if d.contract:
        text += _("这是合同 %(c)s 的租金。", c=_nw(d.contract))
    if r.status.value == "withdrawn":
        text += _("此收据已撤回，金额不再计入收款。")
    return text


def _entrustment(d: Any, today: date) -> Markup:
    e = d.entrustment
    if e.status.value == "withdrawn":
        return _("此委托记录已撤回（录入有误），仅保留备查。")
    text = _("%(who)s把 %(area)s承包地委托%(village)s统一流转，%(start)s至%(end)s，村集体每年付给他家流转租金 %(rent)s。",
             who=_name(e.household_public_name()), area=_area(e.total_area), village=_village(d.village),
             start=_day(e.start_date), end=_day(e.end_date), rent=_money(e.annual_rent))
    if e.paid_years():
        text += _("已付到 %(y)s 年度。", y=max(e.paid_years()))
    return text


def _finding(d: Any, today: date) -> Markup:
    from portal.findings.labels import FINDING_STATUS

    f = d.finding
    text = _("%(d)s监委会发现的问题，由%(who)s在 %(due)s 前整改，现在%(status)s。",
             d=_day(f.found_on), who=_name(f.responsible), due=_day(f.due_on),
             status=_word(FINDING_STATUS[f.status.value], lower=True))
    if d.overdue:
        text += _("已超过整改期限。")
    return text


SUMMARIES: dict[str, Callable[[Any, date], Markup]] = {
    "contract": _contract, "parcel": _parcel, "notice": _notice, "plan": _plan, "tender": _tender,
    "signing": _signing, "ledger_entry": _ledger_entry, "meeting": _meeting, "dividend": _dividend,
    "complaint": _complaint, "receipt": _receipt, "entrustment": _entrustment, "finding": _finding,
}


def record_summary(kind: str, d: Any, today: date | None = None) -> Markup:
    """The one-sentence summary of record `d` (a page's detail) of type `kind`, as of `today`
    (the Beijing date by default)."""
    if not isinstance(today, date):  # a page that has no `today` of its own
        from portal.app import backend

        today = backend().today()
    return SUMMARIES[kind](d, today)
