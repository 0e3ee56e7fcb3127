"""Configuration from the environment; tests pass a mapping that overrides it."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


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
        "FILES_DIR": env.get("FILES_DIR") or str(Path(instance_path) / "files"),
        # Rendered anonymous village pages kept per ETag (portal/publishing/caching.py); "0" turns it off.
        "PAGE_CACHE": env.get("PORTAL_PAGE_CACHE", "1") != "0",
        # Absolute origin printed on PDFs and in their QR codes (e.g. https://sanzi.example.cn);
        # empty: the address the request came in on, which behind a proxy may be an internal one.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    }
    config.update(overrides or {})
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = env.get("PORTAL_SECRET_KEY") or _instance_secret(instance_path)
    if config["PORTAL_ENV"] == "production":
        config.setdefault("SESSION_COOKIE_SECURE", True)
    return config
