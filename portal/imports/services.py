"""Importing a checked file: every record in one audited transaction, or none."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from portal.imports.check import actions, write_rows
from portal.imports.columns import KINDS, LABELS, kinds_of
from portal.imports.rows import Problem, Row
from portal.kernel.errors import ValidationError
from portal.kernel.messages import joined, say
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import REASON_MAX, Checker


class BatchRefused(ValidationError):
    """A batch with problems, each by sheet, row and column in `problems`; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        said = [_said(p) for p in self.problems[:SAID]] + (["……"] if len(self.problems) > SAID else [])
        super().__init__({"file": say("文件中有 %(count)s 处问题，没有导入任何记录：%(said)s",
                                      count=len(self.problems), said=joined(said))})

    def __reduce__(self) -> tuple[type[BatchRefused], tuple[tuple[Problem, ...]]]:  # type: ignore[override]
        return type(self), (self.problems,)


SAID = 3  # problems spelt out in the message (the report page lists them all)


def _said(problem: Problem) -> str:
    """Where the problem is (表, 行, 列, as far as known) and what it is, as one message."""
    parts = [say("“%(sheet)s”表", sheet=problem.sheet) if problem.sheet else "",
             say("第 %(row)s 行", row=problem.row) if problem.row is not None else "",
             say("“%(column)s”列", column=problem.column) if problem.column else ""]
    where = [part for part in parts if part]
    if not where:
        return problem.reason
    return say("%(where)s：%(reason)s", where=_run(where), reason=problem.reason)


def _run(parts: list[str]) -> str:
    """Parts of a place written one after another (“合同”表第 3 行“面积”列): as one message."""
    first, *rest = parts
    return first if not rest else say("%(first)s%(rest)s", first=first, rest=_run(rest))


def import_batch(backend: Backend, actor: Actor, village_code: str, kind: str, rows: Sequence[Row],
                 reason: str) -> dict[str, int]:
    """Writes every row of a file of `kind` (a columns.KINDS name, or ALL) in ONE audited
    transaction: one log entry per record, each carrying `reason`. Returns the number of
    records written per kind.

    Every row is checked again as it is written (the village may have changed since the file
    was checked): ValidationError for a missing reason, BatchRefused with every problem when any
    row is refused, and nothing is written then; PermissionDenied for an actor who may not.
    """
    check = Checker()
    reason = check.text("reason", reason, "导入原因", max_len=REASON_MAX)
    check.done()
    allowed = {k.name for k in kinds_of(kind)}
    if not rows:
        raise ValidationError({"file": say("文件中没有要导入的行")})
    if any(row.kind not in allowed for row in rows):
        raise ValidationError({"file": say("%(kind)s文件中不能有其他种类的记录", kind=LABELS[kind])})
    with backend.change(village_code, actor, *actions(kind)) as change:
        problems = write_rows(change, rows, reason)
        if problems:
            raise BatchRefused(problems)  # rolls the whole transaction back
    counted = Counter(row.kind for row in rows)
    return {name: counted[name] for name in KINDS if counted[name]}
