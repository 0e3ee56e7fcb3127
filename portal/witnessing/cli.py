"""`flask --app portal committee keygen|cosign`: a committee member's witness key and co-signing
from the command line (the browser page /committee/cosign does the same)."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import AppGroup

committee = AppGroup("committee", help="The supervisory committee: witness keys and co-signing.")


def _member(username: str, code: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from portal.accounts.models import User
    from portal.accounts.services import actor_for
    from portal.app import backend

    with backend().db.read() as session:
        user = session.scalar(select(User).options(joinedload(User.village)).where(User.username == username))
        if user is None:
            raise click.ClickException(f"没有用户名为“{username}”的账号")
        actor = actor_for(user)
    if actor.role != "committee" or actor.village != code:
        raise click.ClickException(f"“{username}”不是 {code} 村的监委会成员")
    return actor


@committee.command("keygen")
@click.option("--village", "code", required=True, help="村编码")
@click.option("--user", "username", required=True, help="the member's username")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="file for the private key (never overwritten; the member keeps it)")
def keygen(code: str, username: str, out: Path) -> None:
    """Make a member's witness key: the private key goes into FILE, the public key is registered
    (an audited action; the member's earlier key is revoked)."""
    from audit import cosignature
    from portal.app import backend
    from portal.kernel.errors import ServiceError
    from portal.villages.services import get_village
    from portal.witnessing.services import key_name, next_number, register_key

    actor = _member(username, code)
    if out.exists():
        raise click.ClickException(f"{out} 已存在：私钥文件从不覆盖")
    with backend().db.read() as session:
        village = get_village(session, code)
        assert village is not None
        number = next_number(session, village.id)
    signer = cosignature.generate_signer(key_name(backend(), code, number))
    try:
        key = register_key(backend(), actor, code, cosignature.verifier_from_signer(signer))
    except ServiceError as err:
        raise click.ClickException(str(err)) from None
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer + "\n")
    click.echo(f"已登记公钥 {key.number}（指纹 {key.fingerprint}）；私钥在 {out}，请妥善保管。")
    click.echo(key.verifier_key)


@committee.command("cosign")
@click.option("--village", "code", required=True, help="村编码")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="the member's private key file (from keygen or the browser)")
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="where the last co-signed checkpoint is remembered (default: KEY.cosigned)")
def cosign(code: str, key_file: Path, state_file: Path | None) -> None:
    """Check that today's checkpoint extends the last one this key co-signed, then co-sign it."""
    from audit import NoteError, cosignature
    from audit.checkpoint import parse_checkpoint
    from audit.note import open_note, split_note
    from portal.app import backend
    from portal.auditlog import store as audit_log
    from portal.kernel.errors import ServiceError
    from portal.witnessing.models import CommitteeKey
    from portal.witnessing.services import last_cosigned, store_cosignature

    from sqlalchemy import select

    signer = key_file.read_text(encoding="ascii").strip()
    try:
        vkey = cosignature.verifier_from_signer(signer)
    except NoteError as err:
        raise click.ClickException(f"{key_file}: {err}") from None
    state = state_file or key_file.with_name(key_file.name + ".cosigned")
    with backend().db.read() as session:
        key = session.scalar(select(CommitteeKey).where(CommitteeKey.verifier_key == vkey))
        if key is None or key.status != "active":
            raise click.ClickException("这把钥匙没有登记或已吊销：请先运行 committee keygen")
        from portal.accounts.models import User

        holder = session.get(User, key.holder_id)
        assert holder is not None
        username = holder.username
        head = audit_log.head(session, code)
        if head is None:
            raise click.ClickException(f"{code} 村的日志还没有任何记录")
        note = head.checkpoint
        remembered = last_cosigned(session, code, vkey)
    actor = _member(username, code)
    try:
        text, _ = open_note(note, [backend().signer.verifier_key])
        current = parse_checkpoint(text)
        previous = [remembered.checkpoint] if remembered else []
        if state.exists():  # what this machine itself co-signed last: the server may not roll it back
            kept = state.read_text(encoding="utf-8")
            if cosignature.cosignatures(kept, [vkey]):
                previous.append(parse_checkpoint(split_note(kept)[0]))
        last = max(previous, key=lambda c: c.size, default=None)
        if last is not None:
            with backend().db.read() as session:
                proof = audit_log.consistency(session, code, min(last.size, current.size), current.size)
            cosignature.check_extends(last, current, [bytes.fromhex(p) for p in proof["path"]])
    except NoteError as err:
        raise click.ClickException(f"拒绝联署：{err}") from None
    line = cosignature.cosign(text, signer, int(backend().clock().timestamp()))
    try:
        store_cosignature(backend(), actor, code, note, line)
    except ServiceError as err:
        raise click.ClickException(str(err)) from None
    state.write_text(text + "\n" + line + "\n", encoding="utf-8")
    click.echo(f"已联署 {code} 的检查点：{current.size} 条，根 {text.splitlines()[2]}")
