"""A configuration that PORTAL_ENV=production accepts, for tests that start the portal as in production."""
from __future__ import annotations

from pathlib import Path

from portal.auditlog.signing import write_new_key

SECRET = "0123456789abcdef" * 4


def production_config(tmp_path: Path, database_url: str) -> dict[str, object]:
    """Overrides for create_app/load_config: every setting production insists on, a signing key
    made beforehand (mode 0600) included."""
    key = tmp_path / "keys" / "audit-signing.key"
    if not key.exists():
        write_new_key(key, "sanzi-test")
    return {"PORTAL_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
            "PUBLIC_BASE_URL": "https://sanzi.example.cn", "TRUSTED_HOSTS": ["sanzi.example.cn"],
            "AUDIT_SIGNING_KEY_FILE": str(key), "INSTANCE_PATH": str(tmp_path / "prod")}
