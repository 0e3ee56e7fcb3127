"""Registers the blueprints and the template helpers."""
from __future__ import annotations

from flask import Flask

from .formatting import FILTERS


def init_app(app: Flask) -> None:
    from .api.audit import bp as audit_api
    from .auth.routes import bp as auth
    from .public.routes import bp as public

    app.register_blueprint(public)
    app.register_blueprint(auth)
    app.register_blueprint(audit_api)
    app.jinja_env.filters.update(FILTERS)
