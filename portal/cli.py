"""`flask --app portal …` commands: database, demo village, accounts, and the audit log."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import AppGroup

from portal import migrate

if TYPE_CHECKING:
    from portal.kernel.transaction import Backend


def _backend() -> Backend:
    from portal.app import backend

    return backend()


def _village_codes(code: str | None) -> list[str]:
    """The logs named by --village: every village's, and the township accounts' log once it exists."""
    from portal.accounts.models import TOWNSHIP_LOG
    from portal.auditlog import store as audit_log
    from portal.villages.services import list_villages

    with _backend().db.read() as session:
        codes = [v.code for v in list_villages(session)]
        if audit_log.head(session, TOWNSHIP_LOG) is not None:
            codes.append(TOWNSHIP_LOG)
    if code is None:
        return codes
    if code not in codes:
        raise click.ClickException(f"没有编码为“{code}”的村（现有：{'、'.join(codes) or '无'}）")
    return [code]


def _logs_to_verify(backend: Backend) -> list[str]:
    """Every log `audit verify` checks; a ClickException saying why when the database cannot tell."""
    from portal.auditlog.integrity import logs_to_verify

    try:
        with backend.db.read() as session:
            return logs_to_verify(session, backend.registry)
    except Exception as err:  # e.g. a table dropped: say so instead of a traceback
        raise click.ClickException(f"无法读取数据库中的日志列表（{type(err).__name__}: {err}）") from None


def _ensure_schema() -> migrate.SchemaUpgrade:
    """Creates or upgrades the schema through the migrations (see portal/migrate.py)."""
    return migrate.upgrade(_backend().db)


def _echo_if_changed(schema: migrate.SchemaUpgrade) -> None:
    if schema.changed:
        click.echo(schema.message)


def _make_demo() -> None:
    from portal.demo import PASSWORD, build_demo

    summary = build_demo(_backend(), _backend().today())
    click.echo(f"已创建演示村 {summary.village}（演示数据），审计日志 {summary.entries} 条。")
    click.echo(f"演示账号（密码均为 {PASSWORD}）：")
    for username, display, role, _ in summary.accounts:
        click.echo(f"  {username:16} {display}（{role.value}）")


def _log_old_township_accounts() -> None:
    """Township accounts made before they had a log get their `user.create` entry now."""
    from portal.accounts.services import log_unlogged_township_accounts

    logged = log_unlogged_township_accounts(_backend())
    if logged:
        click.echo(f"已把此前建立的镇干部账号补记入日志：{'、'.join(logged)}")


def register_cli(app: Flask) -> None:
    from portal.privacy.cli import register_privacy_cli
    from portal.setup_cli import register_setup_cli

    migrate.register(app)
    register_setup_cli(app)
    register_privacy_cli(app)

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema through the migrations (idempotent)."""
        click.echo(_ensure_schema().message)
        _log_old_township_accounts()

    @app.cli.command("demo")
    def demo() -> None:
        """Fill the database with the demo village 莲坂村 (exit 1 if it is already there)."""
        from portal.villages.services import get_village

        if app.config["PORTAL_ENV"] == "production":
            raise click.ClickException("生产环境（PORTAL_ENV=production）不能创建演示数据。")
        _echo_if_changed(_ensure_schema())
        with _backend().db.read() as session:
            if get_village(session, "lianban") is not None:
                click.echo("演示村 lianban 已存在，未做任何改动。", err=True)
                sys.exit(1)
        _make_demo()

    @app.cli.command("ensure-demo")
    def ensure_demo() -> None:
        """Create or upgrade the schema, and create the demo village if no village exists yet."""
        from portal.villages.services import list_villages

        _echo_if_changed(_ensure_schema())
        _log_old_township_accounts()
        with _backend().db.read() as session:
            empty = not list_villages(session)
        if empty and app.config["PORTAL_ENV"] != "production":
            _make_demo()

    # `village create` is registered by setup_cli: backup and restore join that group
    village = app.cli.commands["village"]
    assert isinstance(village, click.Group), "register_setup_cli registers the village group"

    @village.command("export")
    @click.argument("code")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def village_export(code: str, file: Path) -> None:
        """Write village CODE (records, accounts, its audit log, its files) to FILE."""
        from portal.kernel.errors import ValidationError
        from portal.villages.backup import export_village

        try:
            with file.open("w", encoding="utf-8") as out:
                counts = export_village(_backend(), code, out)
        except ValidationError as err:
            file.unlink(missing_ok=True)
            raise click.ClickException(str(err)) from None
        click.echo(f"已导出村 {code}：{sum(counts.values())} 行（审计日志 {counts.get('audit_entry', 0)} 条）到 {file}")

    @village.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def village_import(file: Path) -> None:
        """Restore a village from FILE (made by `village export`) into an empty database."""
        from portal.kernel.errors import ValidationError
        from portal.villages.backup import import_village

        _echo_if_changed(_ensure_schema())
        try:
            with file.open("r", encoding="utf-8") as source:
                code = import_village(_backend(), source)
        except ValidationError as err:
            raise click.ClickException(str(err)) from None
        click.echo(f"已导入村 {code}。请运行 flask --app portal audit verify --village {code} 核对。")

    audit = AppGroup("audit", help="The per-village audit log: export, verify, checkpoint.")
    app.cli.add_command(audit)
    from portal.complaints.cli import complaints
    from portal.witnessing.cli import committee

    app.cli.add_command(committee)

    app.cli.add_command(complaints)

    @audit.command("export")
    @click.option("--village", "code", required=True, help="village code, e.g. lianban")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def export(code: str, directory: Path) -> None:
        """Write entries.jsonl, checkpoint and keys for `python -m audit.verify DIR`."""
        from portal.auditlog import store as audit_log

        _village_codes(code)
        backend = _backend()
        from portal.witnessing.reads import committee_vkeys

        with backend.db.read() as session:
            keys = [backend.signer.verifier_key, *committee_vkeys(session, code)]
            size = audit_log.export(session, code, directory, keys)
        click.echo(f"已导出 {code} 的审计日志 {size} 条到 {directory}")

    @audit.command("verify")
    @click.option("--village", "code", default=None, help="only this village's log (default: all)")
    def verify(code: str | None) -> None:
        """Check every log's tables, chain, nodes, head and checkpoints, every live row against
        its latest entry, every stored derived figure (a contract's instalments) against its
        record, and the files the log names."""
        import base64

        from portal.auditlog.integrity import verify_log

        backend = _backend()
        logs = _logs_to_verify(backend)
        if code is not None:
            if code not in logs:
                raise click.ClickException(f"没有编码为“{code}”的村或日志（现有：{'、'.join(logs) or '无'}）")
            logs = [code]
        failed = False
        for each in logs:
            with backend.db.read() as session:
                report = verify_log(session, each, backend.signer, backend.files_dir, backend.registry)
            if report.ok:
                click.echo(f"OK {each} size={report.size} root={base64.b64encode(report.root).decode()}")
            else:
                failed = True
                click.echo(f"FAIL {each}", err=True)
                for problem in report.problems:
                    click.echo(f"  {problem}", err=True)
                if report.omitted:
                    click.echo(f"  ……另有 {report.omitted} 个问题未列出", err=True)
        sys.exit(1 if failed else 0)

    @audit.command("verify-all")
    def verify_all() -> None:
        """Run `audit verify` on every log and record each result (for cron, once a day): a
        village whose check fails shows an integrity warning on its home page until a later
        check passes. Exits 1 when any log failed."""
        from portal.auditdesk.verification import DAILY, check_village

        backend = _backend()
        logs = _logs_to_verify(backend)
        failed = False
        for each in logs:
            verdict = check_village(backend, each, DAILY, "system:daily")
            if verdict.run.ok:
                click.echo(f"OK {each} size={verdict.run.size} root={verdict.run.root}")
            else:
                failed = True
                click.echo(f"FAIL {each}：{verdict.headline}", err=True)
                for problem in verdict.problems:
                    click.echo(f"  {problem}", err=True)
        sys.exit(1 if failed else 0)

    @audit.command("checkpoint")
    @click.option("--village", "code", default=None, help="only this village (default: all)")
    def checkpoint(code: str | None) -> None:
        """Print (and keep) the current signed checkpoint of each village log."""
        from portal.auditlog import store as audit_log
        from portal.kernel.clock import utc_now

        backend = _backend()
        for each in _village_codes(code):
            with backend.db.write(each) as session:
                kept = audit_log.keep_checkpoint(session, each, utc_now())
                click.echo(audit_log.latest_checkpoint(session, each) or kept.note, nl=False)
