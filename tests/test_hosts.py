"""Absolute addresses come from PUBLIC_BASE_URL, never from the Host header, and a Host the portal
does not know is refused: otherwise one request by another name, cached for every anonymous
reader, would hand everyone a QR code and a feed leading elsewhere."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portal import create_app
from portal.config import load_config

from .production import production_config
from .test_printing import fetch_pdf, pdf_text, qr_on_last_page

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BASE = "https://sanzi.example.cn"
ALIAS = "127.0.0.1:5000"  # trusted, but not the public name
EVIL = "evil.example"
CONTRACT = "LB-HT-2016-017"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def deployed(app):
    """The demo portal as deployed: PUBLIC_BASE_URL set, TRUSTED_HOSTS left to its default."""
    site = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret",
                       "INSTANCE_PATH": app.instance_path, "PUBLIC_BASE_URL": BASE + "/"})
    yield site
    site.extensions["portal"].db.dispose()


def qr_in_page(page: str, tmp_path) -> str:
    """The text of the page's village QR code (一村一码), drawn to PDF and read back with zbar."""
    from weasyprint import HTML

    svg = re.search(r'<div class="qr">\s*(<svg.*?</svg>)', page, flags=re.S)[1]
    pdf = tmp_path / "village-qr.pdf"
    HTML(string=f"<!doctype html><html><body>{svg}</body></html>").write_pdf(pdf)
    return qr_on_last_page(pdf, tmp_path)


@sqlite_only
@pytest.mark.parametrize("url", ["/", "/v/lianban/", "/v/lianban/feed.atom", f"/v/lianban/contracts/{CONTRACT}.pdf",
                                 "/v/lianban/audit/checkpoint", "/login"])
def test_unknown_host_gets_a_plain_chinese_400(client, demo, url):
    response = client.get(url, headers={"Host": EVIL})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert "主机名不是本站的地址" in body and "http://127.0.0.1:5000" in body
    assert EVIL not in body and "Traceback" not in body
    assert client.get(url).status_code == 200  # the test client's own host, localhost, is trusted


@sqlite_only
def test_unknown_host_is_told_in_english_to_an_english_reader(client, demo):
    response = client.get("/v/lianban/?lang=en", headers={"Host": EVIL})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert body == "400 Bad request: the host name in the address is not this site's. This site is at http://127.0.0.1:5000\n"


@sqlite_only
def test_village_qr_code_carries_the_public_address_whatever_the_host(deployed, demo, tmp_path):
    client = deployed.test_client()
    assert client.get("/v/lianban/", headers={"Host": EVIL}).status_code == 400
    by_alias = client.get("/v/lianban/", headers={"Host": ALIAS})  # rendered now, and cached
    by_name = client.get("/v/lianban/", headers={"Host": "sanzi.example.cn"})
    assert by_alias.status_code == by_name.status_code == 200
    for response in (by_alias, by_name):
        page = response.get_data(as_text=True)
        assert qr_in_page(page, tmp_path) == f"{BASE}/v/lianban/"
        assert f"<code>{BASE}/v/lianban/</code>" in page
        assert ALIAS not in page


@sqlite_only
def test_feed_ids_and_links_carry_the_public_address(deployed, demo):
    response = deployed.test_client().get("/v/lianban/feed.atom", headers={"Host": ALIAS})
    feed = ET.fromstring(response.data)
    ids = [e.text for e in feed.iter(f"{ATOM}id")]
    links = [e.get("href") for e in feed.iter(f"{ATOM}link")]
    assert len(ids) == 51 and links
    assert all(value.startswith(f"{BASE}/v/lianban/") for value in ids + links), ids + links


@sqlite_only
def test_printed_qr_code_carries_the_public_address(deployed, demo, tmp_path):
    client = deployed.test_client()
    assert client.get(f"/v/lianban/contracts/{CONTRACT}.pdf", headers={"Host": EVIL}).status_code == 400
    client.environ_base["HTTP_HOST"] = ALIAS
    pdf = fetch_pdf(client, f"/v/lianban/contracts/{CONTRACT}.pdf", tmp_path)
    assert qr_on_last_page(pdf, tmp_path) == f"{BASE}/v/lianban/contracts/{CONTRACT}"
    assert ALIAS not in pdf_text(pdf)


def test_trusted_hosts_default_to_loopback_and_the_public_name(monkeypatch, tmp_path):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    config = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]

    monkeypatch.setenv("PUBLIC_BASE_URL", BASE + "/")
    config = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert config["PUBLIC_BASE_URL"] == BASE
    assert config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost", "sanzi.example.cn"]
    monkeypatch.setenv("TRUSTED_HOSTS", "sanzi.example.cn")
    config = production_config(tmp_path, "postgresql+psycopg://portal@db/portal")
    del config["TRUSTED_HOSTS"]
    production = load_config(str(tmp_path), config)
    assert production["TRUSTED_HOSTS"] == ["sanzi.example.cn"]  # no loopback in production


@sqlite_only
def test_listed_trusted_hosts_replace_the_defaults(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("TRUSTED_HOSTS", "a.example, B.example")
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    site = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                       "INSTANCE_PATH": str(tmp_path / "instance")})
    site.extensions["portal"].db.create_schema()
    assert site.config["TRUSTED_HOSTS"] == ["a.example", "b.example", "sanzi.example.cn"]
    client = site.test_client()
    for host, status in (("a.example", 200), ("b.example:8080", 200), ("sanzi.example.cn", 200),
                         ("localhost", 400), (EVIL, 400)):
        assert client.get("/", headers={"Host": host}).status_code == status, host
    site.extensions["portal"].db.dispose()


@pytest.mark.parametrize("overrides, message", [
    ({"PORTAL_ENV": "production"}, "PUBLIC_BASE_URL: the portal's public https address"),
    ({"PUBLIC_BASE_URL": "sanzi.example.cn"}, "scheme and host"),
    ({"PUBLIC_BASE_URL": "https://sanzi.example.cn/portal"}, "scheme and host"),
])
def test_missing_or_malformed_public_base_url_is_refused_at_start(monkeypatch, tmp_path, overrides, message):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match=message):
        load_config(str(tmp_path), {"SECRET_KEY": "x", **overrides})
