"""First setup on a server: `flask --app portal village create …` and `flask --app portal user …`.

Every change is made through the services by the system actor (`system:portal` in the log), so
it is logged as if the township had made it in the browser. Passwords are asked for twice at a
prompt that does not echo, or read from the first line of a file (--password-file), never
taken from the command line, where `ps` and the shell's history would keep them.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from flask import Flask
from flask.cli import AppGroup

from portal.kernel.errors import NotFound, PermissionDenied, ValidationError

T = TypeVar("T")
ROLE_CHOICES = ("staff", "committee", "township")


def _run(action: Callable[[], T]) -> T:
    """Runs a service call; a refusal becomes a Chinese message and exit status 1."""
    try:
        return action()
    except ValidationError as err:
        raise click.ClickException("；".join(err.errors.values())) from None
    except (NotFound, PermissionDenied) as err:
        raise click.ClickException(str(err)) from None


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0]:
            raise click.ClickException(f"{password_file} 的第一行是空的：请把密码写在第一行")
        return lines[0]
    password: str = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    return password


PASSWORD_FILE = click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="read the password from the first line of this file instead of a prompt")


def register_setup_cli(app: Flask) -> None:
    from portal.accounts import services as accounts
    from portal.app import backend
    from portal.kernel.transaction import SYSTEM
    from portal.villages.services import VillageInput, create_village

    village = AppGroup("village", help="Villages: create one (its audit log starts with it), back one up, restore one.")
    user = AppGroup("user", help="Accounts of staff, committee members and township officers.")
    township = AppGroup("township", help="Townships: give one a code (its public ranking's address) for its accounts.")
    app.cli.add_command(village)
    app.cli.add_command(user)
    app.cli.add_command(township)

    @township.command("create")
    @click.argument("code")
    @click.argument("name")
    def township_create(code: str, name: str) -> None:
        """Give township NAME (as its villages write their 所属乡镇) the code CODE (e.g. lianhua)."""
        from portal.township.services import create_township

        made = _run(lambda: create_township(backend(), code, name))
        click.echo(f"已登记乡镇 {made.name}（{made.code}）。")

    @township.command("count-figures")
    def township_count_figures() -> None:
        """Count every village's figures of the township table for today (nightly, after midnight)."""
        from portal.township.kept import count_all

        click.echo(f"已为 {count_all(backend())} 个村重新统计今天的各村一览数字（其余的村数字已是最新的）。")

    @village.command("create")
    @click.argument("code")
    @click.argument("name")
    @click.option("--township", required=True, help="所属乡镇, e.g. 莲花镇")
    @click.option("--county", default="", help="所属县（区）")
    def village_create(code: str, name: str, township: str, county: str) -> None:
        """Create village CODE (lower-case letters, digits and hyphens, e.g. lianban) named NAME."""
        made = _run(lambda: create_village(backend(), SYSTEM, VillageInput(code, name, township, county)))
        click.echo(f"已建立 {made.name}（{made.code}），审计日志已开始。")

    @user.command("create")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(ROLE_CHOICES), help="staff, committee or township")
    @click.option("--village", "village_code", default=None, help="the village of a staff or committee account")
    @click.option("--township", "township_code", default=None,
                  help="the code of the township a township account oversees (without: every village)")
    @click.option("--display-name", required=True, help="姓名 (personal data: only its hash is logged)")
    @PASSWORD_FILE
    def user_create(username: str, role: str, village_code: str | None, township_code: str | None,
                    display_name: str, password_file: Path | None) -> None:
        """Create an account; the password is asked for (or read from --password-file)."""
        password = _password(password_file)
        made = _run(lambda: accounts.create_user(backend(), SYSTEM, accounts.UserInput(
            username, display_name, password, role, village_code, township_code)))
        click.echo(f"已建立账号 {made.username}（{role}{'，' + village_code if village_code else ''}）。")

    @user.command("reset-password")
    @click.argument("username")
    @PASSWORD_FILE
    def user_reset_password(username: str, password_file: Path | None) -> None:
        """Set a new password; every session of the account ends."""
        password = _password(password_file)
        _run(lambda: accounts.reset_password(backend(), SYSTEM, username, password))
        click.echo(f"已为 {username} 设置新密码，该账号的所有登录均已退出。")

    @user.command("disable")
    @click.argument("username")
    @click.option("--reason", required=True, help="why (logged; no personal data)")
    def user_disable(username: str, reason: str) -> None:
        """Disable an account: it cannot log in, and every session of it ends."""
        _run(lambda: accounts.set_active(backend(), SYSTEM, username, False, reason))
        click.echo(f"已停用账号 {username}。")

    @user.command("enable")
    @click.argument("username")
    @click.option("--reason", required=True, help="why (logged; no personal data)")
    def user_enable(username: str, reason: str) -> None:
        """Enable a disabled account again."""
        _run(lambda: accounts.set_active(backend(), SYSTEM, username, True, reason))
        click.echo(f"已重新启用账号 {username}。")

    @user.command("list")
    def user_list() -> None:
        """Every account: username, role, village, whether it is active."""
        from portal.township.reads import overview

        found = overview(backend())
        for entry in found.villages:
            for account in entry.accounts:
                state = "启用" if account.active else "已停用"
                click.echo(f"{account.username:24} {account.role.value:10} {entry.village.code:16} {state}")
        for account in found.township:
            click.echo(f"{account.username:24} {account.role.value:10} {'-':16} {'启用' if account.active else '已停用'}")
