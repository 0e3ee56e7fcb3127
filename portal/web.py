"""Registers the blueprints (the public pages of every registered record type, then the site's
own) and the template helpers."""
from __future__ import annotations

import importlib

from flask import Flask

from audit.note import key_fingerprint
from portal.publishing.formatting import FILTERS
from portal.publishing.links import RememberedLinks
from portal.publishing.query import here, known_args
from portal.publishing.summaries import record_summary
from portal.publishing.urls import public_url


def init_app(app: Flask) -> None:
    from portal.auditdesk.views import bp as auditdesk
    from portal.auditlog.views import bp as auditlog
    from portal.imports.views import bp as imports
    from portal.ocds.views import bp as ocds
    from portal.publishing import caching, compression, headers, ratelimit
    from portal.reconciliation.views import bp as reconciliation
    from portal.registry import REGISTRY
    from portal.site.views import bp as site
    from portal.stats.views import bp as stats
    from portal.township.public import bp as township_public
    from portal.township.views import bp as township
    from portal.workspace.comments import bp as comments
    from portal.workspace.committee import bp as committee
    from portal.workspace.settings import bp as settings
    from portal.workspace.staff import bp as staff

    for module in dict.fromkeys(t.views for t in REGISTRY if t.views):
        app.register_blueprint(importlib.import_module(module).bp)
    for blueprint in (auditlog, ocds, reconciliation, site, stats, settings, staff, committee, auditdesk, comments,
                      imports, township, township_public):
        app.register_blueprint(blueprint)
    caching.init_app(app)
    ratelimit.init_app(app)
    headers.init_app(app)
    compression.init_app(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["audit_key"] = audit_key
    app.jinja_env.globals["record_summary"] = record_summary
    app.jinja_env.globals["known_args"] = known_args
    app.jinja_env.globals["here"] = here
    app.jinja_env.globals["url_for"] = RememberedLinks()


def audit_key() -> dict[str, str]:
    """The portal's verifier key and its fingerprint, for pages that let a reader check a
    checkpoint: the fingerprint is what the bulletin board prints."""
    from portal.app import backend

    key = backend().signer.verifier_key
    return {"key": key, "fingerprint": key_fingerprint(key)}
