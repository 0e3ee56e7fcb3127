"""Parameters the portal does not read neither change a page nor force a fresh render: the page
cache and the PDF cache key on the listed parameters only (publishing/query.py)."""
from __future__ import annotations

import pytest

from portal.contracts import reads as contract_reads
from portal.publishing import pdf, query

JUNK = {"from": "singlemessage", "isappinstalled": "0", "x": "1732869000"}


def refuse(*_args, **_kwargs):
    raise AssertionError("rendered again: the cached copy should have been served")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_parameters_get_the_cached_page(client, demo, monkeypatch):
    first = client.get("/v/lianban/contracts")
    monkeypatch.setattr(contract_reads, "contracts_listing", refuse)
    for junk in (JUNK, {"x": "2"}, {"utm_source": "wechat", "sort": ""}):
        again = client.get("/v/lianban/contracts", query_string=junk)
        assert again.status_code == 200 and again.data == first.data


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_known_parameters_still_make_their_own_page(client, demo):
    ended = client.get("/v/lianban/contracts?status=ended").get_data(as_text=True)
    active = client.get("/v/lianban/contracts?status=active&from=singlemessage").get_data(as_text=True)
    assert ended != active and "LB-HT-2016-003" in ended and "LB-HT-2016-003" not in active


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_parameters_get_the_cached_pdf(client, demo, monkeypatch):
    first = client.get("/v/lianban/arrears.pdf")
    assert first.status_code == 200
    monkeypatch.setattr(pdf, "render_pdf", refuse)
    again = client.get("/v/lianban/arrears.pdf", query_string=JUNK)
    assert again.status_code == 200 and again.data == first.data


def test_a_parameter_not_listed_cannot_be_read(app):
    with app.test_request_context("/?sneaky=1&q=%E8%8E%B2"):
        assert query.arg("q") == "莲"
        with pytest.raises(KeyError):
            query.arg("sneaky")
        assert query.known_query() == "q=%E8%8E%B2"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_links_a_page_makes_to_itself_carry_only_listed_parameters(client, demo):
    """The first reader's extra parameters must not reach the pager and download links of a page
    the cache then serves to every reader; downloads hold every row, so they carry no ?page=."""
    pages = [client.get("/v/lianban/receipts", query_string={"x": "evil", "from": "singlemessage", "page": "1"}),
             client.get("/v/lianban/contracts", query_string={"status": "active", "x": "evil"})]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "evil" not in html and "singlemessage" not in html
    receipts, contracts = (p.get_data(as_text=True) for p in pages)
    assert 'class="pager"' in receipts and "page=2" in receipts
    assert "receipts.csv\"" in receipts and "receipts.csv?page" not in receipts
    assert "contracts.csv?status=active" in contracts
