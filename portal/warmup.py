"""Warming the app once in gunicorn's master, and each worker's database connection when the
worker starts (deploy/gunicorn.conf.py), so that a worker's first page and first PDF cost what
its hundredth does.

Nothing here writes. In the master: the models' mappers are configured (SQLAlchemy does it at the
first query: 95 ms), the templates compiled, one contract's page data read so that its
statements are compiled once for all workers, one small page with Chinese text laid out as a PDF
so that WeasyPrint's fonts are found and loaded. Its database connections are then closed: a
worker opens its own and reads the same contract on it, so that the new PostgreSQL session has
loaded its catalog before the first reader comes.
"""
from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import configure_mappers

from portal.translations.compiled import LANGUAGE_PREFIXES

WARM_PDF = "<!doctype html><html lang=zh-CN><title>预热</title><h1>三资公开</h1><table><tr><td>预热 1,234.56 元</td></tr></table>"


def warm(app: Flask) -> float:
    """Warms `app` in the master; returns the seconds it took."""
    from portal.publishing.pdf import render_pdf

    start = time.perf_counter()
    configure_mappers()
    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml")):
        for language in LANGUAGE_PREFIXES:
            app.jinja_env.get_template(language + name)
    read_a_contract(app)
    app.extensions["portal"].db.engine.dispose()
    render_pdf(WARM_PDF)
    return time.perf_counter() - start


def warm_worker(app: Flask) -> None:
    """In a worker just started: its own connection, warmed by one contract's reads. A database
    that cannot be reached is left for the first request to report."""
    app.extensions["portal"].db.engine.dispose(close=False)  # the master's connections are not ours
    try:
        read_a_contract(app)
    except Exception:  # noqa: BLE001
        app.logger.warning("worker warm-up could not read the database", exc_info=True)


def read_a_contract(app: Flask) -> None:
    """What a contract's page and PDF read, for the first contract there is (none: nothing)."""
    from portal.contracts.models import Contract
    from portal.contracts.reads import contract_detail
    from portal.villages.models import Village

    backend = app.extensions["portal"]
    with backend.db.read() as session:
        first = session.execute(select(Village.code, Contract.number).join(Contract, Contract.village_id == Village.id)
                                .order_by(Contract.id).limit(1)).first()
    if first is not None:
        contract_detail(backend, first.code, first.number, backend.today())
