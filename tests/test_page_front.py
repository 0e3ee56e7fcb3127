"""The page front (portal/publishing/front.py): a repeat anonymous request for a cached village
page is answered before Flask, with exactly Flask's answer, and only while that answer is still
the one Flask would give; everything else still goes through Flask."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.publishing.front import PageFront

from .conftest import make_app
from .test_rate_limits import LIMITS

LIST = "/v/lianban/receipts"


@pytest.fixture
def flask_runs(app, demo):
    """How many requests reached Flask's own request handling (its before_request hooks)."""
    reached: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: reached.append("flask") and None)
    return reached


def answer(response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.items()), response.get_data()


def test_a_repeat_request_is_flasks_own_answer_without_running_flask(app, client, flask_runs):
    assert isinstance(app.wsgi_app, PageFront)
    first = client.get(LIST, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    assert len(flask_runs) == 1
    again = client.get(LIST, headers={"Accept-Encoding": "gzip"})
    assert len(flask_runs) == 1  # answered by the front
    assert answer(again) == answer(first)  # status, every header (ETag, CSP, Vary, …), the bytes
    plain = client.get(LIST)  # another Accept-Encoding: Flask's answer for it, then kept too
    assert len(flask_runs) == 2 and "Content-Encoding" not in plain.headers
    assert "收款" in plain.get_data(as_text=True)
    assert answer(client.get(LIST)) == answer(plain) and len(flask_runs) == 2


def test_a_change_to_the_village_is_shown_at_once(app, client, flask_runs):
    from portal.kernel.transaction import Actor
    from portal.receipts.services import ReceiptInput, record_receipt

    before = client.get(LIST)
    client.get(LIST)
    assert len(flask_runs) == 1 and "SJ-FRONT-1" not in before.get_data(as_text=True)
    record_receipt(app.extensions["portal"], Actor("front-staff", "staff", village="lianban"), "lianban", ReceiptInput(
        number="SJ-FRONT-1", amount="123.45", received_on="2026-11-20", payer_name="前台测试合作社"))
    after = client.get(LIST)
    assert len(flask_runs) == 2 and "SJ-FRONT-1" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert answer(client.get(LIST)) == answer(after) and len(flask_runs) == 2


def test_a_new_day_renders_the_page_again(app, client, flask_runs):
    backend = app.extensions["portal"]
    client.get(LIST)
    today = backend.clock()
    backend.clock = lambda: today + timedelta(days=1)  # arrears age by the day
    tomorrow = client.get(LIST)
    assert tomorrow.status_code == 200 and len(flask_runs) == 2


def test_visits_served_by_the_front_are_counted(app, flask_runs):
    from .test_stats import total_visits, visitor

    for n in range(1, 5):
        assert visitor(app, f"198.51.100.{n}").get(LIST).status_code == 200
    assert visitor(app, "198.51.100.1").get(LIST).status_code == 200  # a reload: the same visitor
    assert len(flask_runs) == 1
    assert total_visits(app) == 4


def test_an_unchanged_page_is_revalidated_by_the_front_until_it_changes(app, client, flask_runs):
    from .test_stats import total_visits

    first_day = app.extensions["portal"].clock()
    etag = client.get(LIST).headers["ETag"]
    first = client.get(LIST, headers={"If-None-Match": etag})
    assert first.status_code == 304 and len(flask_runs) == 2
    again = client.get(LIST, headers={"If-None-Match": etag}, environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert answer(again) == answer(first) and len(flask_runs) == 2
    assert total_visits(app) == 2  # the 304 from the front counted its new visitor
    other = client.get(LIST, headers={"If-None-Match": '"an-old-etag"'})
    assert other.status_code == 200 and len(flask_runs) == 3
    app.extensions["portal"].clock = lambda: first_day + timedelta(days=1)
    assert client.get(LIST, headers={"If-None-Match": etag}).status_code == 200  # a new day: a new page


def test_made_up_variants_are_answered_but_not_kept(app, client, flask_runs):
    """Parameters the portal does not read, and If-None-Match values that match nothing, get the
    cached page from Flask, and the front keeps none of them (a flood of such variants cannot push
    the plain pages out of it)."""
    plain = client.get(LIST)
    for n in range(3):
        junk = client.get(f"{LIST}?from=singlemessage&n={n}")
        assert junk.get_data() == plain.get_data()
        assert client.get(f"{LIST}?from=singlemessage&n={n}").status_code == 200
        stale = client.get(LIST, headers={"If-None-Match": f'W/"old-{n}"'})
        assert stale.status_code == 200 and client.get(LIST, headers={"If-None-Match": f'W/"old-{n}"'}).status_code == 200
    assert len(flask_runs) == 1 + 3 * 4  # every variant reached Flask, each time
    assert client.get(LIST + "?page=1").status_code == 200  # a parameter the list reads: kept
    runs = len(flask_runs)
    client.get(LIST + "?page=1")
    assert len(flask_runs) == runs


def test_a_signed_in_reader_and_a_head_go_to_flask(app, client, auth, flask_runs):
    client.get(LIST)
    client.head(LIST)
    assert len(flask_runs) == 2
    auth.login()  # now the client carries a session cookie
    runs = len(flask_runs)
    staff_page = client.get(LIST).get_data(as_text=True)
    assert len(flask_runs) == runs + 1
    assert "退出" in staff_page  # the signed-in reader's own page, not the anonymous one kept


def test_a_reader_with_preferences_gets_their_page(app, flask_runs):
    chinese = app.test_client().get(LIST).get_data(as_text=True)
    english = app.test_client()
    english.set_cookie("prefs", "lang=en&large=0")
    first = english.get(LIST).get_data(as_text=True)
    assert '<html lang="en">' in first and '<html lang="zh-CN">' in chinese
    assert english.get(LIST).get_data(as_text=True) == first
    assert len(flask_runs) == 2  # one rendering per language, the repeat from the front


def test_an_unknown_host_and_a_nul_are_refused_even_for_a_kept_path(app, client, flask_runs):
    assert client.get(LIST).status_code == 200
    assert client.get(LIST, headers={"Host": "evil.example"}).status_code == 400
    assert client.get(LIST + "?q=%00").status_code == 400
    assert client.get(LIST + "?page=1%00").status_code == 400
    assert client.get(LIST).status_code == 200


def test_https_gets_hsts_and_plain_http_does_not(app, client, flask_runs):
    plain = client.get(LIST)
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get(LIST, base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get(LIST).headers
    assert "Strict-Transport-Security" in client.get(LIST, base_url="https://localhost").headers
    assert len(flask_runs) == 2


def test_an_answer_that_sets_a_cookie_is_never_kept(app, client, flask_runs):
    from flask import request

    @app.after_request
    def hand_out_a_cookie(response):
        if request.path == LIST:
            response.set_cookie("reader", "one")
        return response

    client.get(LIST)
    other = app.test_client().get(LIST)
    assert len(flask_runs) == 2 and other.headers["Set-Cookie"].startswith("reader=")


def test_rate_limited_answers_reach_flask_every_time(database_url, tmp_path, demo):
    limited = make_app(database_url, tmp_path, RATE_LIMITS=LIMITS, RATE_LIMIT_WINDOW=60)
    try:
        client = limited.test_client()
        statuses = [client.get("/v/lianban/arrears.pdf").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]  # the PDF is page-cached, but each request is counted
        searches = [client.get("/v/lianban/search?q=%E5%9C%B0").status_code for _ in range(3)]
        assert searches == [200, 200, 429]
    finally:
        limited.extensions["portal"].db.dispose()


def test_with_the_page_cache_off_every_request_reaches_flask(app, client, flask_runs):
    app.config["PAGE_CACHE"] = False
    for _ in range(3):
        assert client.get(LIST).status_code == 200
    assert len(flask_runs) == 3
