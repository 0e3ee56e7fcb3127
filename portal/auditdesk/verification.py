"""立即核验 and the daily check: the full integrity check of a village's log (`audit verify`:
chain, Merkle root, signed checkpoints, every live row against its latest entry, derived figures,
files), its result in plain words, and the record of each run that raises or clears the public
integrity warning on the village's home page.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.auditdesk.models import VerificationRun
from portal.auditlog.integrity import Report, verify_log
from portal.kernel.messages import from_data, say, to_data
from portal.kernel.transaction import Backend

DESK, DAILY = "desk", "daily"
SHOWN_PROBLEMS = 50  # problems kept with a run; the rest are counted


@dataclass(frozen=True)
class Verdict:
    """A run's result as the desk and the home page say it."""

    run: VerificationRun

    @property
    def problems(self) -> list[str]:
        """The problems kept with the run: messages (Chinese as str, translatable on a page), or
        the lines of text of a run recorded before messages were kept."""
        if self.run.problem_messages:
            try:
                kept = json.loads(self.run.problem_messages)
            except ValueError:
                kept = None
            if isinstance(kept, list):
                return [from_data(item) for item in kept]
        return [line for line in self.run.problems.splitlines() if line]

    @property
    def headline(self) -> str:
        if self.run.ok:
            return say("核验通过：日志共 %(n)s 条，环环相扣；重新计算的 Merkle 根与签名的检查点一致；"
                       "数据库中的每一条记录都与日志一致。", n=self.run.size)
        return say("核验未通过：发现 %(n)s 个问题。网上公开的数据可能被人绕过门户直接改动过，或日志本身受损。",
                   n=self.run.problem_count)


def check_village(backend: Backend, code: str, trigger: str, actor: str = "") -> Verdict:
    """Runs the full check of log `code` and records the result (which the village's home page
    shows as a warning while the latest run failed)."""
    with backend.db.read() as session:
        report = verify_log(session, code, backend.signer, backend.files_dir, backend.registry)
    return Verdict(record_run(backend, code, report, trigger, actor))


def record_run(backend: Backend, code: str, report: Report, trigger: str, actor: str = "") -> VerificationRun:
    """Keeps the result of one check of log `code`."""
    problems = report.problems[:SHOWN_PROBLEMS]
    run = VerificationRun(log=code, ran_at=backend.clock(), ok=report.ok, size=report.size,
                          root=base64.b64encode(report.root).decode("ascii") if report.root else "",
                          problems="\n".join(p.replace("\n", " ") for p in problems),
                          problem_messages=json.dumps([to_data(p) for p in problems], ensure_ascii=False),
                          problem_count=len(report.problems) + report.omitted, trigger=trigger, actor=actor[:100])
    with backend.db.sessions() as session, session.begin():
        session.add(run)
    return run


def latest_run(session: Session, code: str) -> VerificationRun | None:
    return session.scalar(select(VerificationRun).where(VerificationRun.log == code)
                          .order_by(VerificationRun.id.desc()).limit(1))


def latest_verdict(backend: Backend, code: str) -> Verdict | None:
    with backend.db.read() as session:
        run = latest_run(session, code)
    return Verdict(run) if run is not None else None


def failed_run(backend: Backend, run_id: int) -> Verdict | None:
    """The failed run the page cache found to be the latest (`head_with_alarm`), for the warning."""
    if not run_id:
        return None
    with backend.db.read() as session:
        run = session.get(VerificationRun, run_id)
    return Verdict(run) if run is not None and not run.ok else None


# One plain indexed read for every conditional GET: the log head, and the latest check's id when
# it failed (0 when it passed or none ran), so a page's ETag changes when a warning is raised or
# cleared though the log itself did not change.
_HEAD_WITH_ALARM = text(
    "SELECT h.size, h.root, (SELECT CASE WHEN v.ok THEN 0 ELSE v.id END FROM verification_run v "
    "WHERE v.log = h.log ORDER BY v.id DESC LIMIT 1) FROM audit_head h WHERE h.log = :log")


def head_with_alarm(engine: Engine, log: str) -> tuple[tuple[int, bytes] | None, int]:
    """((size, root) of the log or None, id of the latest check when it failed, else 0)."""
    with engine.connect() as connection:
        row = connection.execute(_HEAD_WITH_ALARM, {"log": log}).first()
    if row is None:
        return None, 0
    return (int(row[0]), bytes(row[1])), int(row[2] or 0)
