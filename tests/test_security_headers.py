"""Every response carries the security headers, whatever produced it (a page, a download, an
error, a 304, a page from the cache), and no public page needs inline script to work."""
from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.publishing.headers import CONTENT_SECURITY_POLICY

from .test_html_valid import PAGES

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
RESPONSES = [
    "/", "/v/lianban/", "/v/lianban/contracts", "/v/lianban/contracts.csv", "/v/lianban/contracts.json",
    "/v/lianban/contracts.xlsx", "/v/lianban/arrears.pdf", "/v/lianban/audit/checkpoint",
    "/v/lianban/audit/proof/inclusion?index=0&size=1", "/v/lianban/audit/proof/inclusion?index=x",
    "/v/lianban/contracts/NOPE", "/v/nowhere/", "/static/portal.css", "/login", "/v/lianban/feed.atom",
]


def assert_secured(response, url: str) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{url}: {name} = {response.headers.get(name)!r}"
    assert "Strict-Transport-Security" not in response.headers, url  # served over http here


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_kind_of_response_carries_the_security_headers(client, demo):
    for url in RESPONSES:
        response = client.get(url)
        assert_secured(response, url)
    again = client.get("/v/lianban/contracts")  # the second anonymous view comes from the page cache
    assert_secured(again, "cached page")
    etag = again.headers["ETag"]
    not_modified = client.get("/v/lianban/contracts", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert_secured(not_modified, "304")
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert_secured(refused, "untrusted host")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_downloads_say_their_charset_once(client, demo):
    for fmt in ("csv", "json"):
        content_type = client.get(f"/v/lianban/contracts.{fmt}").headers["Content-Type"]
        assert content_type.count("charset") == 1, content_type


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_public_page_has_inline_script(client, demo):
    """The CSP allows scripts only from the portal: a page with inline script would break."""
    for url, _status in PAGES:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{url}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{url}: inline event handler"
        assert "javascript:" not in html, f"{url}: javascript: URL"


def test_the_policy_allows_nothing_inline():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_public_page_has_inline_style(client, demo):
    """The CSP allows styles only from static/portal.css: an inline <style> or style attribute
    (the map's, the vote bars') would be dropped by the browser."""
    for url, _status in [*PAGES, ("/v/lianban/plans/FA-2023-001?lang=en", 200)]:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<style[\s>]", html), f"{url}: inline <style>"
        assert not re.search(r"\sstyle\s*=", html), f"{url}: style attribute"


def test_hsts_only_when_the_public_address_is_https(tmp_path):
    for base, expected in (("https://sanzi.example.cn", True), ("http://127.0.0.1:5000", False)):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "SECRET_KEY": "test",
                          "INSTANCE_PATH": str(tmp_path / "instance"), "PUBLIC_BASE_URL": base})
        response = app.test_client().get("/static/portal.css", headers={"Host": base.split("//")[1]})
        assert ("Strict-Transport-Security" in response.headers) is expected, base


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (1, "https", True),    # the trusted proxy says the reader came over TLS
    (1, "http", False),
    (0, "https", False),   # no proxy trusted: anyone could have sent the header
])
def test_hsts_follows_a_trusted_proxys_tls(tmp_path, proxies, forwarded, expected):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "SECRET_KEY": "test",
                      "INSTANCE_PATH": str(tmp_path / "instance"), "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
                      "TRUSTED_PROXIES": proxies})
    response = app.test_client().get("/static/portal.css", headers={"X-Forwarded-Proto": forwarded,
                                                                    "X-Forwarded-For": "192.0.2.1"})
    assert ("Strict-Transport-Security" in response.headers) is expected


def test_a_direct_https_request_gets_hsts(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}", "SECRET_KEY": "test",
                      "INSTANCE_PATH": str(tmp_path / "instance"), "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})
    response = app.test_client().get("/static/portal.css", base_url="https://127.0.0.1:5000")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


WORKSPACE = {
    "demo-staff": ("/staff/", "/staff/new/receipt", "/staff/new/plan", "/staff/new/consent_vote",
                   "/staff/comments/new", "/staff/replies", "/staff/records/receipt", "/staff/records/plan",
                   "/staff/plan/FA-2026-001/adopt", "/account/password"),
    "demo-committee": ("/committee/", "/committee/replies"),
    "demo-township": ("/township/", "/township/villages/new"),
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_public_and_workspace_page_carries_the_headers_and_no_inline_script(client, demo):
    for url, _status in PAGES:
        assert_secured(client.get(url), url)
    for username, urls in WORKSPACE.items():
        client.post("/logout")
        login = client.post("/login", data={"username": username, "password": "demo-2026"})
        assert login.status_code == 302, username
        assert_secured(login, f"login of {username}")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_secured(response, url)
            html = response.get_data(as_text=True)
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{url}: inline <script>"
            assert not re.search(r"\son[a-z]+\s*=", html), f"{url}: inline event handler"
