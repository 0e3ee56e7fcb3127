"""The templates' remembered url_for (portal/publishing/links.py) gives what Flask's gives: the
same address for the same endpoint and values, another for another mount point, and anything it
cannot key (anchors, external addresses, lists) built afresh."""
from __future__ import annotations

import pytest
from flask import url_for

from portal.publishing.links import RememberedLinks


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_remembered_links_are_flasks_links(app):
    links = RememberedLinks()
    asks = [("villages.home", {}), ("contracts.contracts", {"code": "lianban"}),
            ("contracts.contracts", {"code": "lianban", "fmt": "csv", "status": "active"}),
            ("site.large_text", {"on": 1, "next": "/v/lianban/contracts?status=ended"}),
            ("contracts.contracts", {"code": "lianban", "_anchor": "top"}),
            ("contracts.contracts", {"code": "lianban", "_external": True}),
            ("contracts.contracts", {"code": "lianban", "status": ["active", "ended"]})]
    for root in ("", "/sanzi"):
        with app.test_request_context("/v/lianban/contracts", base_url=f"http://localhost{root}/"):
            for _ in range(2):  # built, then remembered
                for endpoint, values in asks:
                    assert links(endpoint, **values) == url_for(endpoint, **values)
            assert links("villages.home") == f"{root}/"
    with app.test_request_context("/v/lianban/contracts"):
        assert links(".contracts", code="lianban") == url_for(".contracts", code="lianban")  # the blueprint's
    with app.test_request_context("/staff/"):
        assert links(".home") == url_for(".home")


def test_remembered_links_keep_at_most_their_capacity(app):
    links = RememberedLinks(capacity=3)
    with app.test_request_context("/"):
        for n in range(10):
            links("contracts.contracts", code=f"v{n}")
        assert len(links._links) == 3
        assert links("contracts.contracts", code="v9") == "/v/v9/contracts"
