"""告警 on the committee's desk, computed on read from the records and the log: contracts about
to expire, instalments overdue, receipts that do not fit their contract's schedule, amounts
corrected after publication, entries backdated well before they were logged, and bursts of
changes. Each kind is one or two indexed statements, bounded however large the village is; every
alert links to its record (or, for a burst, to the timeline of those entries)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.auditdesk.timeline import previous_states
from portal.auditlog.models import AuditEntry
from portal.contracts.models import Contract, ContractStatus, StoredInstalment
from portal.kernel.clock import local_date
from portal.kernel.history import ROLES, flatten
from portal.kernel.messages import joined, say
from portal.kernel.money import format_money
from portal.kernel.status import RecordStatus
from portal.kernel.transaction import Backend
from portal.receipts.models import Receipt
from portal.translations import N_
from portal.villages.services import find_village

EXPIRING_WITHIN = timedelta(days=183)       # about six months
SHOWN = 20                                  # alerts listed per kind; the count says how many in all
RECEIPT_EARLY = timedelta(days=90)          # a receipt this long before its contract starts…
RECEIPT_LATE = timedelta(days=365)          # …or after it ends does not fit its schedule
BACKDATED = timedelta(days=30)              # a record dated this long before it was logged
RECENT_CREATES = 2000                       # newest creates looked at for backdating
BURST_COUNT, BURST_WINDOW = 30, timedelta(minutes=10)  # this many entries by one actor this fast
BURST_SCAN = 20000                          # newest entries looked at for bursts
CORRECTIONS_SCAN = 500                      # newest corrections looked at for changed amounts
# Public-state fields that hold an amount of money (a rate, a price, a sum), as the types name them.
MONEY_WORDS = ("amount", "rate", "price", "deposit", "total", "rent", "increment", "paid", "fen")
# The record's own date (paid, signed, held, booked, published) by type, as its public state names it.
RECORD_DATES = {"receipt": "received_on", "ledger_entry": "booked_on", "signing": "signed_on",
                "meeting": "held_on", "notice": "published_on"}


@dataclass(frozen=True)
class Alert:
    what: str          # the record: 合同 LB-HT-2016-017
    detail: str        # 到期日 2027年3月31日（还有 120 天）
    link: str | None


@dataclass
class AlertGroup:
    kind: str          # expiring · overdue · receipts · corrected · backdated · bursts
    title: str
    hint: str
    alerts: list[Alert] = field(default_factory=list)
    total: int = 0


@dataclass
class Alerts:
    today: date
    groups: list[AlertGroup]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def _contract_link(code: str, number: str) -> str:
    return f"/v/{code}/contracts/{number}"


def _contract(number: str) -> str:
    return say("合同 %(number)s", number=number)


def _receipt(number: str) -> str:
    return say("收据 %(number)s", number=number)


def _cap(group: AlertGroup, alerts: list[Alert], total: int | None = None) -> AlertGroup:
    group.alerts, group.total = alerts[:SHOWN], len(alerts) if total is None else total
    return group


def village_alerts(backend: Backend, code: str) -> Alerts:
    """Every kind of alert of the village as of today."""
    today = backend.today()
    with backend.db.read() as session:
        village_id = find_village(session, code).id
        groups = [_expiring(session, code, village_id, today), _overdue(session, code, village_id, today),
                  _receipts(session, code, village_id), _corrected(backend, session, code),
                  _backdated(backend, session, code), _bursts(session, code)]
    return Alerts(today, groups)


def _expiring(session: Session, code: str, village_id: int, today: date) -> AlertGroup:
    where = (Contract.village_id == village_id, Contract.status == ContractStatus.ACTIVE,
             Contract.end_date >= today, Contract.end_date <= today + EXPIRING_WITHIN)
    total = session.scalar(select(func.count()).select_from(Contract).where(*where)) or 0
    rows = session.execute(select(Contract.number, Contract.title, Contract.end_date).where(*where)
                           .order_by(Contract.end_date, Contract.number).limit(SHOWN)).all()
    return _cap(AlertGroup("expiring", N_("半年内到期的合同"), N_("到期前要决定续租还是重新招租，并提前公示。")),
                [Alert(_contract(n), say("%(title)s · 到期日 %(end)s（还有 %(days)s 天）", title=title, end=end.isoformat(),
                                          days=(end - today).days),
                       _contract_link(code, n)) for n, title, end in rows], total)


def _paid(village_id: int) -> Any:
    return (select(Receipt.contract_id, func.sum(Receipt.amount).label("paid"))
            .where(Receipt.village_id == village_id, Receipt.status == RecordStatus.ACTIVE,
                   Receipt.contract_id.is_not(None))
            .group_by(Receipt.contract_id).subquery())


def _overdue(session: Session, code: str, village_id: int, today: date) -> AlertGroup:
    paid = _paid(village_id)
    already = func.coalesce(paid.c.paid, 0)
    rows = sorted(session.execute(
        select(Contract.number, func.min(StoredInstalment.due_date), func.max(StoredInstalment.cumulative), already)
        .join(Contract, Contract.id == StoredInstalment.contract_id)
        .outerjoin(paid, paid.c.contract_id == StoredInstalment.contract_id)
        .where(StoredInstalment.village_id == village_id, Contract.status != ContractStatus.WITHDRAWN,
               StoredInstalment.due_date < today, StoredInstalment.cumulative > already)
        .group_by(Contract.number, already)).all(), key=lambda r: (r[1], r[0]))
    alerts = [Alert(_contract(n), say("最早一期应于 %(first)s 缴清，已逾期 %(days)s 天；欠缴 %(owed)s", first=first.isoformat(),
                                      days=(today - first).days, owed=format_money(Decimal(due) - Decimal(got))),
                    _contract_link(code, n))
              for n, first, due, got in rows]
    return _cap(AlertGroup("overdue", N_("逾期未缴的租金"), N_("按合同的缴款计划，到期未缴清的。")), alerts)


def _receipts(session: Session, code: str, village_id: int) -> AlertGroup:
    paid = _paid(village_id)
    scheduled = (select(StoredInstalment.contract_id, func.sum(StoredInstalment.amount).label("due"))
                 .where(StoredInstalment.village_id == village_id)
                 .group_by(StoredInstalment.contract_id).subquery())
    over = session.execute(
        select(Contract.number, paid.c.paid, func.coalesce(scheduled.c.due, 0))
        .join(paid, paid.c.contract_id == Contract.id)
        .outerjoin(scheduled, scheduled.c.contract_id == Contract.id)
        .where(Contract.village_id == village_id, paid.c.paid > func.coalesce(scheduled.c.due, 0))
        .order_by(Contract.number).limit(SHOWN * 5)).all()
    alerts = [Alert(_contract(n), say("已收 %(paid)s，超过缴款计划合计 %(due)s", paid=format_money(Decimal(got)),
                                      due=format_money(Decimal(due))),
                    _contract_link(code, n)) for n, got, due in over]
    withdrawn = session.execute(
        select(Receipt.number, Contract.number).join(Contract, Contract.id == Receipt.contract_id)
        .where(Receipt.village_id == village_id, Receipt.status == RecordStatus.ACTIVE,
               Contract.status == ContractStatus.WITHDRAWN)
        .order_by(Receipt.number).limit(SHOWN * 5)).all()
    alerts += [Alert(_receipt(r), say("记在已撤回的合同 %(contract)s 上", contract=c), f"/v/{code}/receipts/{r}")
               for r, c in withdrawn]
    # Dates compared in Python: date arithmetic in SQL differs between SQLite and PostgreSQL.
    dated = session.execute(
        select(Receipt.number, Receipt.received_on, Contract.number, Contract.start_date, Contract.end_date)
        .join(Contract, Contract.id == Receipt.contract_id)
        .where(Receipt.village_id == village_id, Receipt.status == RecordStatus.ACTIVE,
               or_(Receipt.received_on < Contract.start_date, Receipt.received_on > Contract.end_date))
        .order_by(Receipt.number)).all()
    alerts += [Alert(_receipt(r), say("收款日 %(day)s 不在合同 %(contract)s 的期限（%(start)s 至 %(end)s）内", day=on.isoformat(),
                                   contract=c, start=start.isoformat(), end=end.isoformat()),
                     f"/v/{code}/receipts/{r}")
               for r, on, c, start, end in dated if on < start - RECEIPT_EARLY or on > end + RECEIPT_LATE]
    return _cap(AlertGroup("receipts", N_("与缴款计划对不上的收款"), N_("收款多于合同的缴款计划，或收款日远在合同期外，或记在已撤回的合同上。")),
                alerts)


def _lines(session: Session, code: str, *where: Any, limit: int) -> list[dict[str, Any]]:
    return [json.loads(line) for line in session.scalars(
        select(AuditEntry.line).where(AuditEntry.log == code, *where).order_by(AuditEntry.seq.desc()).limit(limit))]


def _is_money(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return any(word in last for word in MONEY_WORDS)


def _corrected(backend: Backend, session: Session, code: str) -> AlertGroup:
    """Corrections that changed an amount of a record already published (its previous entry)."""
    entries = _lines(session, code, AuditEntry.action.endswith(".correct"), limit=CORRECTIONS_SCAN)
    before = previous_states(session, code, [e["seq"] for e in entries])
    alerts = []
    for entry in entries:
        previous = before.get(entry["seq"])
        if previous is None:
            continue
        old, new = flatten(previous["data"] or {}), flatten(entry["data"] or {})
        changed = [k for k in sorted(old.keys() | new.keys()) if _is_money(k) and old.get(k) != new.get(k)]
        if not changed:
            continue
        labels = backend.registry.labels(entry["entity"])
        what, link = backend.registry.describe(code, entry)
        words = joined([say("%(label)s %(old)s → %(new)s",
                            label=labels.get(k, k), old=old.get(k, "—"), new=new.get(k, "—"))
                        for k in changed[:3]])
        alerts.append(Alert(what, say("%(day)s 更正：%(changes)s（原因：%(reason)s）", day=entry["ts"][:10], changes=words,
                                      reason=entry["reason"] or "—"), link))
    return _cap(AlertGroup("corrected", N_("发布后改过金额的记录"), N_("公开后又更正了金额、单价或底价的，请核对原因是否站得住。")), alerts)


def _backdated(backend: Backend, session: Session, code: str) -> AlertGroup:
    """New records dated well before the day they were logged (补录 or 倒签)."""
    entries = _lines(session, code, AuditEntry.action.in_([f"{e}.create" for e in RECORD_DATES]),
                     limit=RECENT_CREATES)
    alerts = []
    for entry in entries:
        raw = (entry["data"] or {}).get(RECORD_DATES.get(entry["entity"], ""))
        if not isinstance(raw, str):
            continue
        try:
            day = date.fromisoformat(raw[:10])
        except ValueError:
            continue
        logged = local_date(datetime.fromisoformat(entry["ts"]))
        if logged - day > BACKDATED:
            what, link = backend.registry.describe(code, entry)
            alerts.append(Alert(what, say("记录日期 %(day)s，记入日志 %(logged)s，晚了 %(days)s 天", day=day.isoformat(),
                                          logged=logged.isoformat(), days=(logged - day).days), link))
    return _cap(AlertGroup("backdated", N_("补录或倒签的记录"),
                           N_("记录上的日期比记入日志的日期早 30 天以上：是补录的旧账，还是事后倒签？")), alerts)


def _bursts(session: Session, code: str) -> AlertGroup:
    """Runs of at least BURST_COUNT entries by one actor within BURST_WINDOW of each other."""
    rows = session.execute(select(AuditEntry.seq, AuditEntry.ts, AuditEntry.actor)
                           .where(AuditEntry.log == code).order_by(AuditEntry.seq.desc()).limit(BURST_SCAN)).all()
    by_actor: dict[str, list[tuple[int, datetime]]] = {}
    for seq, ts, actor in reversed(rows):
        by_actor.setdefault(actor, []).append((seq, ts))
    bursts = []
    for actor, items in by_actor.items():
        start = 0
        run_start = None
        for end in range(len(items)):
            while items[end][1] - items[start][1] > BURST_WINDOW:
                start += 1
            if end - start + 1 >= BURST_COUNT and run_start is None:
                run_start = start
            if run_start is not None and (end + 1 == len(items) or items[end + 1][1] - items[end][1] > BURST_WINDOW):
                bursts.append((actor, items[run_start], items[end], end - run_start + 1))
                run_start = None
    bursts.sort(key=lambda b: b[1][0], reverse=True)
    alerts = []
    for actor, (first_seq, first_ts), (last_seq, last_ts), count in bursts:
        role, _, username = actor.split("+")[0].partition(":")
        day = local_date(first_ts).isoformat()
        minutes = max(1, int((last_ts - first_ts).total_seconds() // 60))
        query = urlencode({"actor": username, "start": day, "end": local_date(last_ts).isoformat()})
        alerts.append(Alert(say("%(role)s %(username)s", role=ROLES.get(role, role), username=username),
                            say("第 %(first)s–%(last)s 条：%(minutes)s 分钟内 %(count)s 条（%(day)s）", first=first_seq,
                                last=last_seq, minutes=minutes, count=count, day=day),
                            f"/committee/log?{query}"))
    return _cap(AlertGroup("bursts", N_("短时间内的大批改动"),
                           N_("同一账号 10 分钟内记入 30 条以上：是批量导入，还是突击改账？")),
                alerts)
