"""每季一晾晒 — the township's villages ranked each quarter, in public.

Figures of a quarter (by default the latest one that is over), counted up to its last day (or
today, for the quarter under way):
- 收缴率 collection rate: of the rent falling due in the quarter, the share paid by then
  (a payment settles the oldest instalment first, so a village cannot look good by collecting
  this quarter's rent while older arrears stay unpaid);
- 欠租 arrears: all rent due by then and not paid, whatever the year;
- 按时答复率: of the complaints whose answer fell due in the quarter, the share answered on time;
- 问题整改率: of the committee's findings open during the quarter, the share closed by its end;
- 核验: whether the village's last verification of its log passed.
The score is the average of the rates a village has (核验 counts 100 when passed, 0 when not);
a rate with nothing to count (no rent due, no complaint) is left out rather than counted as 0
or 100. Villages are ranked by score, then by smaller arrears.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.complaints.models import Complaint
from portal.kernel.clock import local_date
from portal.kernel.messages import say
from portal.township import supervision
from portal.township.figures import _money, _rent
from portal.villages.models import Village

QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")
FIRST_YEAR = 2000
HUNDRED = Decimal(100)


class BadQuarter(ValueError):
    """?q= is not a quarter that has begun; the message says what to write."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.following().start - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    def previous(self) -> Quarter:
        return Quarter(self.year, self.number - 1) if self.number > 1 else Quarter(self.year - 1, 4)

    def following(self) -> Quarter:
        return Quarter(self.year, self.number + 1) if self.number < 4 else Quarter(self.year + 1, 1)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_full_quarter(today: date) -> Quarter:
    """The latest quarter that is over: what a ranking shows unless asked for another."""
    return quarter_of(today).previous()


def parse_quarter(text: str | None, today: date) -> Quarter:
    """`?q=2026Q4` as a Quarter (the latest one that is over when empty); BadQuarter when
    malformed, before FIRST_YEAR or not yet begun (the quarter under way may be asked for)."""
    if not text:
        return last_full_quarter(today)
    found = QUARTER.match(text.strip().upper())
    if not found:
        raise BadQuarter(say("季度的写法是“年份Q季度”，例如 %(example)s", example=str(quarter_of(today))))
    quarter = Quarter(int(found.group(1)), int(found.group(2)))
    if quarter.year < FIRST_YEAR or quarter.start > today:
        raise BadQuarter(say("只能查看 %(first)s 年至今已开始的季度", first=FIRST_YEAR))
    return quarter


def _rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part/whole in percent to one place, or None when there is nothing to count."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class RankRow:
    rank: int
    code: str
    name: str
    due: Decimal
    collected: Decimal
    collection_rate: Decimal | None
    arrears: Decimal
    complaints_due: int
    on_time: int
    on_time_rate: Decimal | None
    findings_closed: int | None
    findings_total: int | None
    findings_rate: Decimal | None
    verified: bool | None
    score: Decimal | None


def ranking(session: Session, villages: list[Village], quarter: Quarter, today: date) -> list[RankRow]:
    """The villages ranked for `quarter` (counted up to `today` while it is under way)."""
    ids = [v.id for v in villages]
    as_of = min(quarter.end, today)
    rent = {village: (due, toward, arrears) for village, due, toward, arrears
            in session.execute(_rent(ids, quarter.start, as_of))}
    answers: dict[int, list[int]] = {}
    for village, due_on, replied_at in session.execute(
            select(Complaint.village_id, Complaint.due_on, Complaint.replied_at)
            .where(Complaint.village_id.in_(ids), Complaint.due_on >= quarter.start, Complaint.due_on <= as_of)):
        tally = answers.setdefault(village, [0, 0])
        tally[0] += 1
        tally[1] += replied_at is not None and local_date(replied_at) <= due_on
    findings = supervision.findings_closed(session, ids, quarter.start, as_of)
    verified = supervision.last_verifications(session, ids)
    unranked = []
    for v in villages:
        due, toward, arrears = (_money(x) for x in rent.get(v.id, (0, 0, 0)))
        asked, on_time = answers.get(v.id, [0, 0])
        closed, total = (None, None) if findings is None else findings.get(v.id, (0, 0))
        passed = None if verified is None or v.id not in verified else verified[v.id].ok
        rates = [_rate(toward, due), _rate(on_time, asked), _rate(closed or 0, total or 0),
                 None if passed is None else HUNDRED * passed]
        counted = [r for r in rates if r is not None]
        score = (sum(counted, Decimal(0)) / len(counted)).quantize(Decimal("0.1")) if counted else None
        unranked.append((v, due, toward, arrears, asked, on_time, closed, total, passed, rates, score))
    unranked.sort(key=lambda r: (r[-1] is None, -(r[-1] or 0), r[3], r[0].code))
    return [RankRow(n, v.code, v.name, due, toward, rates[0], arrears, asked, on_time, rates[1],
                    closed, total, rates[2], passed, score)
            for n, (v, due, toward, arrears, asked, on_time, closed, total, passed, rates, score)
            in enumerate(unranked, start=1)]
