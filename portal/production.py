"""What PORTAL_ENV=production insists on before it starts: every missing or unfit setting named
at once, so whoever deploys fixes them in one go instead of one restart per setting.

Outside production the portal invents what it lacks (a secret key and a signing key in the
instance folder, SQLite beside them, 127.0.0.1 as its address); in production each of those
would be a silent fault: sessions lost with the container, a log signed by a key no printed
fingerprint matches, data in a file nobody backs up, QR codes leading nowhere.
"""
from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MIN_SECRET_LENGTH = 32
# Values seen in examples and tests; a key anyone can read in a repository signs nobody's session.
WEAK_SECRETS = frozenset({"dev", "development", "secret", "changeme", "change-me", "test", "test-secret", "x"})


def problems(config: Mapping[str, Any], hosts_listed: bool, instance_path: str) -> list[str]:
    """Each thing production lacks, as a line saying which variable to set and how."""
    found = []
    secret = str(config.get("SECRET_KEY") or "")
    if len(secret) < MIN_SECRET_LENGTH or secret.lower() in WEAK_SECRETS:
        found.append(f"PORTAL_SECRET_KEY: a random secret of at least {MIN_SECRET_LENGTH} characters "
                     "(python -c 'import secrets; print(secrets.token_hex(32))'), the same in every worker")
    url = str(config.get("DATABASE_URL") or "")
    if not url or url.startswith("sqlite"):
        found.append("DATABASE_URL: the PostgreSQL database (postgresql+psycopg://user@host/db), "
                     "not the embedded SQLite file of development")
    base = str(config.get("PUBLIC_BASE_URL") or "")
    if not base.startswith("https://"):
        found.append("PUBLIC_BASE_URL: the portal's public https address (e.g. https://sanzi.example.cn), "
                     "printed in every QR code; session cookies are sent over https only")
    if not hosts_listed:
        found.append("TRUSTED_HOSTS: the host names the portal answers to, comma-separated "
                     "(e.g. sanzi.example.cn)")
    found.extend(_key_problems(Path(config.get("AUDIT_SIGNING_KEY_FILE") or Path(instance_path) / "audit-signing.key")))
    return found


def _key_problems(path: Path) -> list[str]:
    """The signing key must exist (made once with `python -m portal.auditlog.signing new FILE`)
    and be readable by its owner only."""
    made = f"make it once with: python -m portal.auditlog.signing new {path}"
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except OSError:
        return [f"AUDIT_SIGNING_KEY_FILE: no readable checkpoint signing key at {path}; {made}"]
    if not text.startswith("PRIVATE+KEY+"):
        return [f"AUDIT_SIGNING_KEY_FILE: {path} is not a signing key (PRIVATE+KEY+…); {made}"]
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"AUDIT_SIGNING_KEY_FILE: {path} is readable by others; chmod 600 {path}"]
    return []


def refuse_unless_ready(config: Mapping[str, Any], hosts_listed: bool, instance_path: str) -> None:
    """Raises RuntimeError naming every problem, when there is one."""
    found = problems(config, hosts_listed, instance_path)
    if found:
        raise RuntimeError("PORTAL_ENV=production refuses to start; set:\n  - " + "\n  - ".join(found))
