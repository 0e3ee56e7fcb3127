"""Visit statistics: one client cannot inflate them, 404s and errors count nothing, a page served
from the cache (or a 304) still counts a new visitor, the statistics page is never frozen by the
cache, and no address is stored."""
from __future__ import annotations

from sqlalchemy import select

from portal.stats.models import PageVisit, VisitSalt, VisitSeen


def total_visits(app) -> int:
    backend = app.extensions["portal"]
    app.extensions["visits"].flush(backend)
    with backend.db.read() as session:
        return sum(session.scalars(select(PageVisit.count).where(PageVisit.village_code == "lianban")))


def visitor(app, address: str, agent: str = "Mozilla/5.0 (Linux; Android 10) test"):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    return client


def test_one_client_counts_once_per_page_however_often_it_reloads(app, demo):
    reader = visitor(app, "198.51.100.7")
    for _ in range(100):
        assert reader.get("/v/lianban/contracts").status_code == 200
    for junk in ("?x=1", "?x=2", "?page=1"):  # junk in the query is the same page
        reader.get("/v/lianban/contracts" + junk)
    assert total_visits(app) == 1
    assert reader.get("/v/lianban/").status_code == 200  # another page counts
    assert total_visits(app) == 2


def test_not_found_and_error_answers_count_nothing(app, demo):
    reader = visitor(app, "198.51.100.8")
    for path in ("/v/lianban/contracts/NO-SUCH", "/v/lianban/receipts/NO-SUCH", "/v/nowhere/",
                 "/v/lianban/search?q=" + "长" * 500):
        assert reader.get(path).status_code in (400, 404), path
    assert total_visits(app) == 0


def test_a_cached_page_and_a_304_still_count_new_visitors(app, demo):
    app.config["PAGE_CACHE"] = True
    first = visitor(app, "203.0.113.1").get("/v/lianban/notices")
    assert first.status_code == 200
    rendered = []
    from flask import template_rendered

    template_rendered.connect(lambda sender, template, context, **extra: rendered.append(template.name), app)
    for n in range(2, 6):
        assert visitor(app, f"203.0.113.{n}").get("/v/lianban/notices").status_code == 200
    assert rendered == []  # every one of them was served from the page cache
    etag = first.headers["ETag"]
    again = visitor(app, "203.0.113.9").get("/v/lianban/notices", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert total_visits(app) == 6


def test_the_statistics_page_shows_new_visits_at_once(app, demo):
    app.config["PAGE_CACHE"] = True
    looker = visitor(app, "192.0.2.50")
    assert "1 次" not in looker.get("/v/lianban/stats").get_data(as_text=True)
    visitor(app, "192.0.2.51").get("/v/lianban/parcels")
    page = looker.get("/v/lianban/stats")
    assert "ETag" not in page.headers
    assert "2 次" in page.get_data(as_text=True)  # this page seen by one visitor, the parcels by another


def test_the_same_address_with_another_browser_is_another_visitor_and_no_address_is_stored(app, demo):
    visitor(app, "2001:db8::1", "Browser A").get("/v/lianban/")
    visitor(app, "2001:db8::2", "Browser A").get("/v/lianban/")  # same /64: same household's phone
    visitor(app, "2001:db8::1", "Browser B").get("/v/lianban/")
    assert total_visits(app) == 2
    backend = app.extensions["portal"]
    with backend.db.read() as session:
        stored = " ".join(session.scalars(select(VisitSeen.fingerprint)))
        assert len(session.scalars(select(VisitSalt.day)).all()) == 1
    assert "2001" not in stored and "db8" not in stored and len(stored.split()) == 2


def test_yesterdays_salt_and_fingerprints_are_forgotten(app, demo):
    from datetime import timedelta

    backend = app.extensions["portal"]
    visitor(app, "198.51.100.30").get("/v/lianban/")
    total_visits(app)
    counter = app.extensions["visits"]
    tomorrow = backend.today() + timedelta(days=1)
    counter.fingerprint(backend, tomorrow, "198.51.100.30 x", "/v/lianban/")
    with backend.db.read() as session:
        assert session.scalars(select(VisitSalt.day)).all() == [tomorrow]
        assert session.scalars(select(VisitSeen.day)).all() == []
