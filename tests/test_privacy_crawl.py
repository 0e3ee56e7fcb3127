"""A crawl of the demo village's whole public site, as an anonymous visitor: every page linked
from the village home, followed to the end (HTML, CSV, XLSX, JSON, the Atom feed, PDF text via
pdftotext, the audit log's entries, checkpoint and proof bundles), must show no 18-digit ID
number, no mobile number and no person's name unmasked. The demo's people are read from its
database (lessees, payers, commenters, account holders), so every one of them is looked for.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.auditlog.models import AuditEntry
from portal.contracts.models import Contract
from portal.entrustments.models import Entrustment
from portal.kernel.privacy import mask_name
from portal.plans.models import PlanComment
from portal.receipts.models import Receipt

LINK = re.compile(r'(?:href|src|action)="([^"]+)"')
SKIPPED = ("/static/", "/staff", "/login", "/logout", "/account", "/prefs/", "/villages/new", "/accounts/")
PDFS_PER_KIND = 2  # a PDF render costs ~1 s: the first two of each kind of record are read
MAX_PAGES = 3000
# As portal.kernel.privacy finds them in text, but not inside a longer run of letters and digits:
# hex hashes and base64 roots are full of 11-digit runs.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z+/])1[3-9]\d{9}(?![0-9A-Za-z+/])")


def _people(backend) -> dict[str, str]:
    """Every person's full name in the demo → its masked form."""
    with backend.db.read() as session:
        names = set(session.scalars(select(Contract.lessee_name).where(Contract.lessee_kind == "person")))
        names |= set(session.scalars(select(Receipt.payer_name).where(Receipt.payer_is_person)))
        names |= set(session.scalars(select(PlanComment.commenter_name)))
        names |= set(session.scalars(select(User.display_name)))
        names |= set(session.scalars(select(Entrustment.household_name)))  # the households entrusting land
    return {name: mask_name(name) for name in names if len(name) >= 2}


def _text(response) -> str:
    """What a visitor can read in a response, whatever its type."""
    kind = response.mimetype or ""
    if kind == "application/pdf":
        return subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                              check=True).stdout.decode("utf-8")
    if kind.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(" ".join(str(v) for v in row if v is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    if kind.startswith("image/"):
        return ""
    body = response.get_data(as_text=True)
    if kind == "application/json":  # escaped \uXXXX would hide a name from a plain search
        body += "\n" + json.dumps(json.loads(body), ensure_ascii=False)
    return body


def _kind(path: str) -> str:
    """A PDF's record kind: its path with the record number taken out."""
    return re.sub(r"/[^/]+\.pdf$", "/*.pdf", path)


def _crawl(client, start: list[str]) -> dict[str, str]:
    """Every public URL reachable from `start` → the readable text of its response."""
    seen: dict[str, str] = {}
    queue = deque(start)
    queued = set(start)
    pdfs: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(response.headers["Location"])
            links = [target.path + (f"?{target.query}" if target.query else "")]
            seen[url] = ""
        else:
            assert response.status_code in (200, 403, 404), (url, response.status_code)
            seen[url] = _text(response) if response.status_code == 200 else response.get_data(as_text=True)
            links = LINK.findall(seen[url]) if (response.mimetype or "").startswith(("text/html", "application/atom")) else []
        for link in links:
            link = urldefrag(link.replace("&amp;", "&"))[0]
            if not link.startswith("/") or link.startswith("//") or link.startswith(SKIPPED) or link in queued:
                continue
            if link.split("?")[0].endswith(".pdf"):
                kind = _kind(link.split("?")[0])
                if pdfs.get(kind, 0) >= PDFS_PER_KIND:
                    continue
                pdfs[kind] = pdfs.get(kind, 0) + 1
            queued.add(link)
            queue.append(link)
    return seen


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_whole_public_site_shows_no_personal_data(client, backend, demo):
    people = _people(backend)
    assert len(people) >= 20  # the demo's lessees, payers, commenters and account holders
    start = [f"/v/{demo}/", "/", f"/v/{demo}/audit/entries.jsonl", f"/v/{demo}/audit/checkpoint",
             f"/v/{demo}/feed.atom"]
    with backend.db.read() as session:
        size = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.log == demo))
    start += [f"/v/{demo}/audit/bundle/{seq}.json" for seq in range(0, size, 7)]
    pages = _crawl(client, start)

    kinds = {re.sub(r"\d+", "N", url.split("?")[0]) for url in pages}
    for expected in ("/contracts", "/receipts", "/notices", "/plans", "/parcels", "/entrustments", ".csv", ".xlsx", ".json",
                     ".pdf", "feed.atom", "entries.jsonl"):
        assert any(expected in kind for kind in kinds), (expected, sorted(kinds))
    leaks = []
    for url, body in pages.items():
        for pattern, what in ((ID_NUMBER, "ID number"), (MOBILE, "mobile number")):
            leaks += [(url, what, found) for found in pattern.findall(body)]
        leaks += [(url, "name", body[max(0, body.find(name) - 40):body.find(name) + 20])
                  for name in people if name in body]
    assert leaks == [], sorted({(re.sub(r"\d+", "N", u), w, f) for u, w, f in leaks})[:40]
    # and the people are there, masked: the check above looked at the pages that name them
    everything = "\n".join(pages.values())
    shown = [masked for masked in people.values() if masked in everything]
    assert len(shown) >= len(people) // 2, (len(shown), len(people))
    print(f"\ncrawled {len(pages)} public URLs ({len(kinds)} kinds), {len(people)} people, none unmasked")
