"""Expensive answers (PDF, downloads, proofs, searches) are limited per client address, counted in
the database so every worker shares one count; over the limit: 429, Retry-After, a Chinese page."""
from __future__ import annotations

import pytest

from portal.publishing import ratelimit

from .conftest import make_app
from .test_security_headers import assert_secured

LIMITS = {"pdf": 2, "export": 3, "proof": 3, "search": 2}
A, B = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}


@pytest.fixture
def limited(database_url, tmp_path, demo):
    app = make_app(database_url, tmp_path, RATE_LIMITS=LIMITS, RATE_LIMIT_WINDOW=60)
    yield app
    app.extensions["portal"].db.dispose()


def statuses(client, url: str, times: int, environ=A) -> list[int]:
    return [client.get(url, environ_base=environ).status_code for _ in range(times)]


def test_a_third_pdf_in_a_minute_gets_429_with_retry_after_in_chinese(limited):
    client = limited.test_client()
    assert statuses(client, "/v/lianban/arrears.pdf", 2) == [200, 200]
    refused = client.get("/v/lianban/arrears.pdf", environ_base=A)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 120
    page = refused.get_data(as_text=True)
    assert "请求太频繁" in page and "打印版（PDF）" in page and "秒后再试" in page
    assert_secured(refused, "429")
    # Another address has its own count; pages that cost little are not counted at all.
    assert client.get("/v/lianban/arrears.pdf", environ_base=B).status_code == 200
    assert statuses(client, "/v/lianban/contracts", 5) == [200] * 5


def test_each_kind_of_expensive_answer_has_its_own_limit(limited):
    client = limited.test_client()
    assert statuses(client, "/v/lianban/contracts.csv", 4) == [200, 200, 200, 429]
    assert statuses(client, "/v/lianban/search?q=%E5%9C%B0", 3) == [200, 200, 429]
    assert statuses(client, "/v/lianban/search", 3) == [200] * 3  # no query: no search run
    proofs = statuses(client, "/v/lianban/audit/proof/inclusion?index=0&size=1", 4)
    assert proofs == [200, 200, 200, 429]
    refused = client.get("/v/lianban/audit/proof/inclusion?index=0&size=1", environ_base=A)
    assert refused.is_json and refused.json["error"] == "请求太频繁" and refused.headers["Retry-After"]


def test_the_count_is_shared_by_every_worker(limited, database_url, tmp_path):
    """Two app instances on one database stand for two gunicorn workers: the count is the sum."""
    other = make_app(database_url, tmp_path, RATE_LIMITS=LIMITS, RATE_LIMIT_WINDOW=60)
    try:
        assert statuses(limited.test_client(), "/v/lianban/contracts.json", 2) == [200, 200]
        assert statuses(other.test_client(), "/v/lianban/contracts.json", 2) == [200, 429]
    finally:
        other.extensions["portal"].db.dispose()


def test_the_limit_lifts_as_the_window_slides(limited, monkeypatch):
    now = [1_800_000_000.0]  # a window boundary
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    client = limited.test_client()
    assert statuses(client, "/v/lianban/contracts.xlsx", 4) == [200, 200, 200, 429]
    now[0] += 61  # the next window, the previous still fully in reach: still refused
    assert statuses(client, "/v/lianban/contracts.xlsx", 1) == [429]
    now[0] += 120  # two windows on (the refused request counted too): nothing is in reach any more
    assert statuses(client, "/v/lianban/contracts.xlsx", 3) == [200, 200, 200]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_zero_limit_is_no_limit(database_url, tmp_path, demo):
    app = make_app(database_url, tmp_path, RATE_LIMITS={**LIMITS, "export": 0})
    assert statuses(app.test_client(), "/v/lianban/contracts.csv", 6) == [200] * 6
    app.extensions["portal"].db.dispose()


def test_clients_are_counted_by_ipv4_address_and_ipv6_slash_64():
    assert ratelimit.client_key("192.0.2.7") == "192.0.2.7"
    assert ratelimit.client_key("2001:db8:1:2:aaaa::1") == ratelimit.client_key("2001:db8:1:2:bbbb::9") \
        == "2001:db8:1:2::/64"
    assert ratelimit.client_key("2001:db8:1:3::1") != ratelimit.client_key("2001:db8:1:2::1")
    assert ratelimit.client_key(None) == "unknown"


def test_which_requests_count():
    assert ratelimit.bucket_of("/v/x/contracts/A-1.pdf", False) == "pdf"
    assert ratelimit.bucket_of("/v/x/audit/proof/consistency", False) == "proof"
    assert ratelimit.bucket_of("/v/x/audit/entries.jsonl", False) == "export"
    assert ratelimit.bucket_of("/v/x/contracts", True) == "search"
    assert ratelimit.bucket_of("/v/x/contracts", False) is None
