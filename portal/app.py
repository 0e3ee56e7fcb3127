"""The application factory's body: config, database, services backend, extensions, blueprints."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from portal.auditlog.signing import load_or_create_signer
from portal.config import load_config
from portal.kernel.database import Database
from portal.kernel.transaction import Backend
from portal.registry import REGISTRY
from portal.translations.compiled import LanguageEnvironment

DEMO_USERNAMES = ("demo-staff", "demo-committee", "demo-township")


def build_app(test_config: dict[str, Any] | None = None) -> Flask:
    root = Path(__file__).resolve().parent.parent
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("PORTAL_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder=str(root / "templates"), static_folder=str(root / "static"))
    # Each template compiled once per language, its fixed words translated then (not per request).
    app.jinja_environment = LanguageEnvironment
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, test_config))

    database = Database(app.config["DATABASE_URL"])
    signer = load_or_create_signer(app.instance_path, app.config["AUDIT_KEY_NAME"], app.config["AUDIT_ORIGIN"],
                                   app.config["AUDIT_SIGNING_KEY_FILE"],
                                   create=app.config["PORTAL_ENV"] != "production")
    app.extensions["portal"] = Backend(database, signer, Path(app.config["FILES_DIR"]), REGISTRY)

    from portal import errors, extensions, web
    from portal.cli import register_cli

    extensions.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    if app.config["TRUSTED_PROXIES"] > 0:
        # request.remote_addr from X-Forwarded-For and request.is_secure from X-Forwarded-Proto,
        # that many hops back: the rate limits count the client, HSTS follows the proxy's TLS.
        # Outermost, so the page front (portal/publishing/front.py) sees the client too.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_cli(app)
    if app.config["PORTAL_ENV"] == "production":
        refuse_demo_accounts(database)
    return app


def backend() -> Backend:
    """The services backend of the current app."""
    portal_backend: Backend = current_app.extensions["portal"]
    return portal_backend


def refuse_demo_accounts(database: Database) -> None:
    """In production the well-known demo passwords must not open any door."""
    from sqlalchemy import select

    from portal.accounts.models import User

    if not database.has_schema():
        return
    with database.read() as session:
        found = session.scalars(select(User.username).where(
            User.username.in_(DEMO_USERNAMES), User.active.is_(True))).all()
    if found:
        raise RuntimeError(
            "PORTAL_ENV=production, but demo accounts exist with their published password: "
            + ", ".join(found) + ". Deactivate them or use a database without demo data.")
