"""Configuration from the environment; tests pass a mapping that overrides it."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portal.publishing.limits import DEFAULT_LIMITS

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
DEVELOPMENT_HOSTS = ("127.0.0.1", "localhost")


def _instance_secret(instance_path: str) -> str:
    """A random secret key kept in the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    env = os.environ
    config: dict[str, Any] = {
        "PORTAL_ENV": env.get("PORTAL_ENV", "development"),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'portal.db'}",
        "AUDIT_KEY_NAME": env.get("AUDIT_KEY_NAME", "sanzi-portal"),
        "AUDIT_ORIGIN": env.get("AUDIT_ORIGIN", "sanzi-portal.local"),
        # The checkpoint signing key; default instance/audit-signing.key (made on first start,
        # except in production, which insists on one made beforehand: portal/production.py).
        "AUDIT_SIGNING_KEY_FILE": env.get("AUDIT_SIGNING_KEY_FILE", ""),
        "FILES_DIR": env.get("FILES_DIR") or str(Path(instance_path) / "files"),
        # Rendered anonymous village pages kept per ETag (portal/publishing/caching.py); "0" turns it off.
        "PAGE_CACHE": env.get("PORTAL_PAGE_CACHE", "1") != "0",
        # The origin of every absolute address (QR codes, PDFs, the feed), e.g. https://sanzi.example.cn;
        # never the request's Host header, which a cached page would pass on to every reader.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        # Open data (portal/ocds): the OCDS ocid prefix (ocds-xxxxxx, registered with the Open
        # Contracting Partnership for real publication) and the licence of the published data.
        "OCDS_OCID_PREFIX": env.get("OCDS_OCID_PREFIX", "ocds-sanzi0"),
        "OCDS_LICENSE": env.get("OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/"),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A request body of more than this gets 413 (portal/errors.py says so in Chinese) before
        # it is read; a scan itself may be 10 MB (portal/auditlog/files.py). Text fields together
        # may hold 2 MB: a notice pasted from Word carries its styles.
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        # Failed logins allowed per account and per client address within the minutes given
        # (portal/accounts/throttle.py); counted in the database, shared by every worker.
        "LOGIN_LIMIT_ACCOUNT": int(env.get("LOGIN_LIMIT_ACCOUNT", "5")),
        "LOGIN_LIMIT_ADDRESS": int(env.get("LOGIN_LIMIT_ADDRESS", "20")),
        "LOGIN_LIMIT_MINUTES": int(env.get("LOGIN_LIMIT_MINUTES", "15")),
        # Reverse proxies in front of the portal that append the client's address to
        # X-Forwarded-For (nginx: 1). 0: the peer's address is the client's, and the header is
        # ignored, as anyone could send it.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Expensive answers (PDF, downloads, proofs, searches) allowed per client address per
        # window (portal/publishing/ratelimit.py); RATE_LIMIT_PDF=0 lifts one limit.
        "RATE_LIMITS": {name: int(env.get(f"RATE_LIMIT_{name.upper()}", str(default)))
                        for name, default in DEFAULT_LIMITS.items()},
        "RATE_LIMIT_WINDOW": int(env.get("RATE_LIMIT_WINDOW", "60")),
        # Seconds one PDF may take to render before the reader gets a 503 page (publishing/pdf.py).
        "PDF_RENDER_SECONDS": float(env.get("PDF_RENDER_SECONDS", "20")),
    }
    if (overrides or {}).get("TESTING") and "RATE_LIMITS" not in (overrides or {}):
        config["RATE_LIMITS"] = {}  # tests fetch many PDFs in a row; tests of the limits set them
    config.update(overrides or {})
    production = config["PORTAL_ENV"] == "production"
    if "SECRET_KEY" not in config:
        # Production never invents one: each container would have its own, and sessions would not
        # survive a restart or a second worker host.
        config["SECRET_KEY"] = env.get("PORTAL_SECRET_KEY") or ("" if production else _instance_secret(instance_path))
    if production:
        from portal.production import refuse_unless_ready

        hosts_listed = bool((overrides or {}).get("TRUSTED_HOSTS") or env.get("TRUSTED_HOSTS", "").strip())
        refuse_unless_ready(config, hosts_listed, instance_path)
        config.setdefault("SESSION_COOKIE_SECURE", True)
    config["PUBLIC_BASE_URL"] = _base_url(config["PUBLIC_BASE_URL"], config["PORTAL_ENV"])
    if "TRUSTED_HOSTS" not in (overrides or {}):
        config["TRUSTED_HOSTS"] = trusted_hosts(env.get("TRUSTED_HOSTS", ""), config["PUBLIC_BASE_URL"],
                                                config["PORTAL_ENV"])
    return config


def _base_url(value: str, portal_env: str) -> str:
    """PUBLIC_BASE_URL checked: scheme and host only; required in production, where a default
    would print QR codes leading nowhere."""
    if not value:
        if portal_env == "production":
            raise RuntimeError("PORTAL_ENV=production needs PUBLIC_BASE_URL, the public address of "
                               "the portal (e.g. https://sanzi.example.cn): QR codes and the feed carry it.")
        return DEVELOPMENT_BASE_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise RuntimeError(f"PUBLIC_BASE_URL must be a scheme and host, like https://sanzi.example.cn; got {value!r}")
    return value.rstrip("/")


def trusted_hosts(listed: str, base_url: str, portal_env: str) -> list[str]:
    """Host names the portal answers to (Flask's TRUSTED_HOSTS; any other gets 400): those in the
    comma-separated `listed`, else 127.0.0.1 and localhost outside production; always the
    host of PUBLIC_BASE_URL."""
    hosts = [name.strip().lower() for name in listed.split(",") if name.strip()]
    if not hosts and portal_env != "production":
        hosts = list(DEVELOPMENT_HOSTS)
    own = (urlsplit(base_url).hostname or "").lower()
    return hosts if own in hosts else [*hosts, own]
