"""`flask --app portal privacy erase --person ID --reason …`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register_privacy_cli(app: Flask) -> None:
    privacy = AppGroup("privacy", help="Personal data: erase a person's on request.")
    app.cli.add_command(privacy)

    @privacy.command("erase")
    @click.option("--person", required=True, help="the person's ID number (身份证号) or mobile number")
    @click.option("--reason", required=True, help="why, e.g. 本人申请删除个人信息（申请书编号 …）")
    def erase(person: str, reason: str) -> None:
        """Erase a person's personal data (names, ID and phone numbers) from every village's
        records and private records; the log keeps its commitments and records the erasure."""
        from portal.app import backend
        from portal.kernel.errors import ValidationError
        from portal.privacy.services import erase_person

        try:
            done = erase_person(backend(), person, reason)
        except ValidationError as err:
            raise click.ClickException("；".join(err.errors.values())) from None
        for erased in done:
            click.echo(f"{erased.village}：已删除 {len(erased.records)} 条记录中的个人信息"
                       f"（{'、'.join(erased.records)}），清除了 {erased.private_records} 份私密记录及其盐"
                       f"{f'，删除了 {len(erased.files)} 份扫描件' if erased.files else ''}；删除本身已记入日志。")
