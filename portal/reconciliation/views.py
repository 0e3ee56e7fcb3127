"""对账 pages for the village's staff and its committee (one page, two doors), and nothing public
beyond the line the ledger page shows."""
from __future__ import annotations

from flask import Blueprint, render_template

from portal.accounts.models import Role
from portal.app import backend
from portal.publishing.lists import choice_arg
from portal.reconciliation import reads as reconciliation_reads
from portal.workspace.access import require_sign_in, village_actor

bp = Blueprint("reconciliation", __name__)


require_sign_in(bp)


def _page(role: Role) -> str:
    _actor, code = village_actor(role)
    years = reconciliation_reads.years(backend(), code)
    year = choice_arg("year", tuple(str(y) for y in years))
    result = reconciliation_reads.reconcile(backend(), code, int(year) if year else None)
    return render_template("workspace/reconciliation.html", r=result, role=role.value,
                           endpoint=f"reconciliation.{role.value}")


@bp.get("/staff/reconciliation")
def staff() -> str:
    """对账 for the village's staff, who correct what it finds."""
    return _page(Role.STAFF)


@bp.get("/committee/reconciliation")
def committee() -> str:
    """对账 for the committee, who watch that it is corrected."""
    return _page(Role.COMMITTEE)
