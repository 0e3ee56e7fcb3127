"""Registers the blueprints (the public pages of every registered record type, then the site's
own) and the template helpers."""
from __future__ import annotations

import importlib

from flask import Flask

from portal.publishing.formatting import FILTERS


def init_app(app: Flask) -> None:
    from portal.auditlog.views import bp as auditlog
    from portal.imports.views import bp as imports
    from portal.publishing import caching, compression, headers, ratelimit
    from portal.registry import REGISTRY
    from portal.site.views import bp as site
    from portal.stats.views import bp as stats
    from portal.township.views import bp as township
    from portal.workspace.comments import bp as comments
    from portal.workspace.committee import bp as committee
    from portal.workspace.staff import bp as staff

    for module in dict.fromkeys(t.views for t in REGISTRY if t.views):
        app.register_blueprint(importlib.import_module(module).bp)
    for blueprint in (auditlog, site, stats, staff, committee, comments, imports, township):
        app.register_blueprint(blueprint)
    caching.init_app(app)
    ratelimit.init_app(app)
    headers.init_app(app)
    compression.init_app(app)
    app.jinja_env.filters.update(FILTERS)
