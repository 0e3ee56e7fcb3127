"""Registers the blueprints and the template helpers."""
from __future__ import annotations

from flask import Flask

from .formatting import FILTERS


def init_app(app: Flask) -> None:
    from .api.audit import bp as audit_api
    from .auth.routes import bp as auth
    from .public import compression, conditional
    from .public.notices import bp as notices
    from .public.parcels import bp as parcels
    from .public.routes import bp as public
    from .public.site import bp as site

    app.register_blueprint(public)
    app.register_blueprint(auth)
    app.register_blueprint(audit_api)
    app.register_blueprint(site)
    app.register_blueprint(parcels)
    app.register_blueprint(notices)
    conditional.init_app(app)
    compression.init_app(app)
    app.jinja_env.filters.update(FILTERS)
