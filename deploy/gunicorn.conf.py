"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi:app`.

Every value can be changed by the environment named beside it, so one file serves a township's
small server and a county's larger one. The portal's own settings (PORTAL_ENV, DATABASE_URL, …)
are read by the app; the check that they are all there runs once in the master (`on_starting`),
so a missing one stops gunicorn with its message instead of every worker failing in turn.
"""
from __future__ import annotations

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")  # behind the reverse proxy, on loopback
# Sync workers: one request each, and the PDF time budget (SIGALRM) works in their main thread.
# A page from the cache takes ~2 ms and an uncached PDF ~1 s; 2 per core + 1 keeps the CPUs busy
# while some wait on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
# A PDF is cut at PDF_RENDER_SECONDS (20 s by default); gunicorn kills a worker silent for
# longer than this, the backstop for anything else that hangs.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # seconds an idle proxy connection is kept
# The app is loaded once in the master and each worker forked from it: a new worker starts in
# milliseconds instead of importing the portal again (~1.5 s of CPU, which at 1,000 pages/s made
# the rotation below cost more than the pages), and starts warm (see `when_ready`). A new
# release needs a restart of gunicorn, not a HUP (PRELOAD_APP=0 for the old behaviour).
preload_app = os.environ.get("PRELOAD_APP", "1") != "0"
# A worker is replaced after this many requests (jittered, so not all at once): bounds the
# memory a long-lived process may gather (fonts, caches). Not too often: a new worker still
# fills its page cache and its database connection again (at 2,000 the county benchmark's
# pages ran at two thirds of the speed they reach without replacements).
max_requests = int(os.environ.get("MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
limit_request_line = 4094
limit_request_fields = 100

# X-Forwarded-Proto (https or not) is believed only from the proxy's address, and only when the
# portal is told it sits behind one (TRUSTED_PROXIES, which also sets how X-Forwarded-For is
# read); otherwise from nobody, as anyone could send the header.
trusted_proxies = int(os.environ.get("TRUSTED_PROXIES", "0"))
forwarded_allow_ips = os.environ.get("PROXY_ADDRESSES", "127.0.0.1,::1") if trusted_proxies > 0 else ""

# Access log on stdout (journald or the container collects it): the client as the proxy saw it,
# the request, status, size, time in seconds. No query strings are secret here; no cookies logged.
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)s "%(a)s"'


def on_starting(server: object) -> None:
    """Checks the portal's configuration in the master, before any worker starts."""
    if os.environ.get("PORTAL_ENV") != "production":
        return
    from pathlib import Path

    import portal
    from portal.config import load_config

    # Where Flask puts the instance folder of the app when PORTAL_INSTANCE_PATH is not set.
    default = Path(portal.__file__).resolve().parent.parent / "instance"
    load_config(os.environ.get("PORTAL_INSTANCE_PATH") or str(default), None)


def when_ready(server: object) -> None:
    """Warms the preloaded app in the master once, so every worker forked from it starts warm."""
    app = server.app.wsgi() if preload_app else None  # type: ignore[attr-defined]
    if app is not None and "portal" in app.extensions:  # not the benchmark's bare Flask app
        import gc

        from portal.warmup import warm

        server.log.info("portal warmed in %.2f s", warm(app))  # type: ignore[attr-defined]
        # What the master holds stays out of the garbage collector's way, so that workers do not
        # copy the memory pages it would touch (copy-on-write).
        gc.collect()
        gc.freeze()


def post_worker_init(worker: object) -> None:
    """A new worker opens its own database connection (not the master's) and warms it. Here and
    not in post_fork: the worker's own signal handlers are set by now, so a shutdown that comes
    while it warms up stops it instead of being lost (gunicorn would wait 30 s, then kill it)."""
    app = worker.wsgi if preload_app else None  # type: ignore[attr-defined]
    if app is not None and "portal" in app.extensions:
        from portal.warmup import warm_worker

        warm_worker(app)
