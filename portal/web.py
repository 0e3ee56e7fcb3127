"""Registers the blueprints and the template helpers."""
from __future__ import annotations

from flask import Flask

from portal.publishing.formatting import FILTERS


def init_app(app: Flask) -> None:
    from portal.auditlog.views import bp as audit_api
    from portal.accounts.views import bp as auth
    from portal.publishing import caching as conditional, compression
    from portal.site.notice_routes import bp as notices
    from portal.parcels.views import bp as parcels
    from portal.site.routes import bp as public
    from portal.site.views import bp as site

    app.register_blueprint(public)
    app.register_blueprint(auth)
    app.register_blueprint(audit_api)
    app.register_blueprint(site)
    app.register_blueprint(parcels)
    app.register_blueprint(notices)
    conditional.init_app(app)
    compression.init_app(app)
    app.jinja_env.filters.update(FILTERS)
