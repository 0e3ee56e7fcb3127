"""`flask --app portal complaints answer-days --village CODE DAYS`: a village's answer deadline."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.kernel.errors import ServiceError

complaints = AppGroup("complaints", help="Villagers' complaints: settings of a village.")


@complaints.command("answer-days")
@click.option("--village", "code", required=True, help="村编码")
@click.argument("days", type=int)
def answer_days(code: str, days: int) -> None:
    """Days within which the committee must answer a complaint filed (or reopened) from now on."""
    from portal.app import backend
    from portal.complaints.services import set_answer_days

    try:
        set_answer_days(backend(), code, days)
    except ServiceError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{code}：今后提交的投诉应在 {days} 天内答复。")
