"""First setup on a server through the CLI (`flask --app portal village …`, `user …`): every act
logged as the system, passwords from a prompt or a file, refusals as one Chinese line and exit 1."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.accounts.models import User

from .people import Browser, cheap_hashes, entries  # noqa: F401  (fixtures)


@pytest.fixture
def cli(app, runner, cheap_hashes):
    def run(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return run


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text("a long enough password\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def village(cli):
    result = cli("village", "create", "xincun", "新村", "--township", "测试镇", "--county", "测试县")
    assert result.exit_code == 0, result.output
    return "xincun"


def login(app, username: str, password: str) -> int:
    client = app.test_client()
    return client.post("/login", data={"username": username, "password": password}).status_code


def test_a_village_is_created_by_the_system(backend, village):
    [entry] = entries(backend, village)
    assert (entry["action"], entry["actor"], entry["data"]["name"], entry["data"]["county"]) == (
        "village.create", "system:portal", "新村", "测试县")


def test_a_bad_village_is_refused_with_its_message(cli, backend):
    for args, message in [(["Bad", "新村", "--township", "测试镇"], "村编码只能用小写字母"),
                          (["xincun", "", "--township", "测试镇"], "请填写村名"),
                          (["xincun", "新村", "--township", " "], "请填写所属乡镇")]:
        result = cli("village", "create", *args)
        assert result.exit_code == 1 and message in result.output, args
    assert not entries(backend, "xincun") and not entries(backend, "Bad")


def test_a_village_code_is_used_once(cli, village):
    result = cli("village", "create", village, "又一个新村", "--township", "测试镇")
    assert result.exit_code == 1 and "村编码“xincun”已被使用" in result.output


def test_accounts_are_created_with_a_password_from_a_file_or_the_prompt(app, cli, backend, village, password_file):
    staff = cli("user", "create", "cun-a", "--role", "staff", "--village", village, "--display-name", "报账员",
                "--password-file", password_file)
    assert staff.exit_code == 0, staff.output
    township = cli("user", "create", "zhen-a", "--role", "township", "--display-name", "镇干部",
                   input="typed at the prompt\ntyped at the prompt\n")
    assert township.exit_code == 0, township.output
    assert "typed at the prompt" not in township.output  # not echoed
    assert login(app, "cun-a", "a long enough password") == 302
    assert login(app, "zhen-a", "typed at the prompt") == 302
    assert [(e["action"], e["actor"]) for e in entries(backend, village)][-1] == ("user.create", "system:portal")
    assert [(e["action"], e["data"]["username"]) for e in entries(backend, "_township")] == [("user.create", "zhen-a")]


ACCOUNT_CASES = [
    (["cun-b", "--role", "staff", "--display-name", "报账员"], "村干部和监委会成员必须属于一个村"),
    (["cun-b", "--role", "township", "--village", "xincun", "--display-name", "镇干部"], "镇干部账号不属于任何村"),
    (["cun-b", "--role", "staff", "--village", "nowhere", "--display-name", "报账员"], "没有编码为“nowhere”的村"),
    (["B B", "--role", "staff", "--village", "xincun", "--display-name", "报账员"], "用户名只能用小写字母"),
    (["cun-b", "--role", "staff", "--village", "xincun", "--display-name", ""], "请填写姓名"),
]


def test_a_bad_account_is_refused_with_its_message(cli, backend, village, password_file):
    for args, message in ACCOUNT_CASES:
        result = cli("user", "create", *args, "--password-file", password_file)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    with backend.db.read() as session:
        assert session.scalars(select(User.username)).all() == []


def test_a_short_or_mistyped_password_is_refused(cli, backend, village, tmp_path):
    short = tmp_path / "short"
    short.write_text("short\n", encoding="utf-8")
    result = cli("user", "create", "cun-b", "--role", "staff", "--village", village, "--display-name", "报账员",
                 "--password-file", str(short))
    assert result.exit_code == 1 and "密码至少 8 位" in result.output
    mistyped = cli("user", "create", "cun-b", "--role", "staff", "--village", village, "--display-name", "报账员",
                   input="first password\nsecond password\n")
    assert mistyped.exit_code != 0
    with backend.db.read() as session:
        assert session.scalars(select(User.username)).all() == []


def test_reset_disable_and_enable_from_the_server(app, cli, backend, village, password_file):
    assert cli("user", "create", "cun-a", "--role", "committee", "--village", village, "--display-name", "监委",
               "--password-file", password_file).exit_code == 0
    browser = app.test_client()
    assert browser.post("/login", data={"username": "cun-a", "password": "a long enough password"}).status_code == 302

    reset = cli("user", "reset-password", "cun-a", input="another long password\nanother long password\n")
    assert reset.exit_code == 0, reset.output
    assert browser.get("/account/password").status_code == 302  # its session ended
    assert login(app, "cun-a", "another long password") == 302

    assert cli("user", "disable", "cun-a").exit_code == 2  # --reason is required
    disabled = cli("user", "disable", "cun-a", "--reason", "换届离任")
    assert disabled.exit_code == 0, disabled.output
    assert login(app, "cun-a", "another long password") == 400
    assert cli("user", "disable", "cun-a", "--reason", "再停").exit_code == 1
    assert cli("user", "enable", "cun-a", "--reason", "连任").exit_code == 0
    assert login(app, "cun-a", "another long password") == 302

    logged = [(e["action"], e["actor"], e["reason"]) for e in entries(backend, village) if e["entity"] == "user"]
    assert logged == [("user.create", "system:portal", None), ("user.reset_password", "system:portal", None),
                      ("user.disable", "system:portal", "换届离任"), ("user.enable", "system:portal", "连任")]
    listed = cli("user", "list")
    assert "cun-a" in listed.output and "committee" in listed.output and village in listed.output
    assert cli("audit", "verify").exit_code == 0


def test_an_unknown_account_is_a_clear_error(cli, backend, password_file):
    result = cli("user", "reset-password", "nobody", "--password-file", password_file)
    assert result.exit_code == 1 and "没有用户名为“nobody”的账号" in result.output


def test_township_accounts_made_before_they_had_a_log_are_logged_by_init_db(app, cli, backend):
    """An account inserted as older versions did (no entry) is named by `audit verify` until
    `init-db` (or `ensure-demo`, which scripts/server runs) logs it."""
    from portal.accounts.passwords import hash_password

    with backend.db.write("_township") as session:
        session.execute(text("INSERT INTO user_account (username, display_name, password_hash, role, active, "
                             "version, created_at) VALUES ('old-zhen', '老镇干部', :h, 'TOWNSHIP', :t, 1, :now)"),
                        {"h": hash_password("old password 1"), "t": True, "now": backend.clock()})
    refused = cli("audit", "verify")
    assert refused.exit_code == 1 and "日志中却没有" in refused.output
    upgraded = cli("init-db")
    assert upgraded.exit_code == 0 and "old-zhen" in upgraded.output
    assert cli("init-db").output.count("old-zhen") == 0  # once
    [entry] = entries(backend, "_township")
    assert (entry["action"], entry["actor"], entry["reason"]) == (
        "user.create", "system:portal", "补记：账号建立于镇干部账号入日志之前")
    assert cli("audit", "verify").exit_code == 0


def test_a_township_gets_a_code_and_its_officer_oversees_only_its_villages(app, cli, backend, village, password_file):
    made = cli("township", "create", "ceshi", "测试镇")
    assert made.exit_code == 0 and "已登记乡镇 测试镇（ceshi）" in made.output
    for args, message in [(["ceshi", "另一个镇"], "乡镇编码“ceshi”已被使用"), (["other", "测试镇"], "乡镇“测试镇”已有编码"),
                          (["Bad Code", "某镇"], "乡镇编码只能用小写字母"), (["good", " "], "请填写乡镇名称")]:
        result = cli("township", "create", *args)
        assert result.exit_code == 1 and message in result.output, args
    officer = cli("user", "create", "zhen-ceshi", "--role", "township", "--township", "ceshi",
                  "--display-name", "测试镇干部", "--password-file", password_file)
    assert officer.exit_code == 0, officer.output
    [entry] = entries(backend, "_township")
    assert entry["data"] == {"username": "zhen-ceshi", "role": "township", "active": True, "township": "ceshi"}
    for args, message in [(["x-1", "--role", "township", "--township", "nowhere"], "没有编码为“nowhere”的乡镇"),
                          (["x-2", "--role", "staff", "--village", village, "--township", "ceshi"], "只有镇干部账号属于乡镇")]:
        result = cli("user", "create", *args, "--display-name", "某人", "--password-file", password_file)
        assert result.exit_code == 1 and message in result.output, args
    client = app.test_client()
    assert client.post("/login", data={"username": "zhen-ceshi", "password": "a long enough password"}).status_code == 302
    assert "新村" in client.get("/township/").get_data(as_text=True)
    assert client.get("/township/ceshi/ranking").status_code == 200
    assert runner_verify(cli)


def runner_verify(cli) -> bool:
    """`audit verify` still passes: the account's row matches its entry, township and all."""
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    return True
