"""The signed-in pages of the staff and committee workspaces are valid HTML (vnu), as the public
pages are (tests/test_html_valid.py): demo-staff and demo-committee log in to the demo village,
write a receipt and a vote with their scans, and every page they pass through is checked, forms
showing their errors included."""
from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.test_html_valid import _vnu
from tests.test_receipt_editing import PDF, png

PASSWORD = "demo-2026"
RECEIPT = {"number": "LB-SK-VNU-1", "amount": "1,234.50", "received_on": "2026年11月20日", "payer_name": "王秀英",
           "payer_is_person": "y", "contract_number": "LB-HT-2016-017", "note": "2026 年度租金"}
VOTE = {"plan": "FA-2023-001", "meeting": "村民代表会议", "question": "是否同意", "held_on": "2023-09-28",
        "eligible": "45", "yes": "41", "no": "2", "abstain": "2", "result": "通过"}


def _login(client, username: str) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302


def _draft_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return re.search(r"/drafts/(\d+)$", response.headers["Location"]).group(1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_workspace_pages_pass_the_nu_html_checker(client, demo, tmp_path):
    command = _vnu()
    pages: dict[str, tuple[str, str]] = {}

    def keep(label: str, response, status: int = 200) -> None:
        assert response.status_code == status, (label, response.status_code)
        pages[f"{len(pages):02d}-{re.sub(r'[^A-Za-z0-9]+', '-', label).strip('-')}.html"] = (
            label, response.get_data(as_text=True))

    _login(client, "demo-staff")
    for url in ("/staff/", "/staff/new/receipt", "/staff/new/plan", "/staff/new/consent_vote", "/staff/comments/new",
                "/staff/replies", "/staff/replies/FA-2026-001/2", "/staff/records/receipt", "/staff/records/plan",
                "/staff/records/consent_vote", "/staff/plan/FA-2026-001/adopt", "/staff/consent_vote/FA-2023-001/1/correct",
                "/staff/reconciliation", "/staff/reconciliation?year=2025", "/staff/settings", "/staff/landmarks",
                "/staff/landmarks/new", "/staff/landmarks/1", "/staff/landmarks/1/remove"):
        keep(url, client.get(url))
    keep("phone with errors", client.post("/staff/settings", data={"supervisor_phone": "电话", "reason": ""}), 400)
    keep("landmark with errors", client.post("/staff/landmarks/new", data={"kind": "", "name": "", "points": "1,2,3"}), 400)
    keep("receipt with errors", client.post("/staff/new/receipt", data={**RECEIPT, "amount": "十元", "action": "submit"}), 400)
    keep("comment with errors", client.post("/staff/comments/new", data={"plan": "FA-2026-001", "body": "打 13812345678"}), 400)
    receipt = _draft_id(client.post("/staff/new/receipt", data={**RECEIPT, "scan": (io.BytesIO(png()), "scan.png"),
                                                                   "action": "submit"}, content_type="multipart/form-data"))
    keep("receipt draft", client.get(f"/staff/drafts/{receipt}"))
    vote = _draft_id(client.post("/staff/new/consent_vote", data={**VOTE, "forms": (io.BytesIO(PDF), "forms.pdf"),
                                                                    "action": "submit"}, content_type="multipart/form-data"))
    saved = _draft_id(client.post("/staff/new/consent_vote", data={**VOTE, "yes": "50", "action": "save"}))
    keep("vote draft edit with tallies", client.get(f"/staff/drafts/{saved}/edit"))

    _login(client, "demo-committee")
    for url in ("/committee/", "/committee/reconciliation", "/committee/replies", "/committee/replies/FA-2026-001/2",
                f"/committee/drafts/{receipt}", f"/committee/drafts/{vote}", "/committee/cosign/"):
        keep(url, client.get(url))
    keep("cosign page with a refused key", client.post("/committee/cosign/keys", data={"verifier_key": "<b>x</b>"}), 400)
    assert client.post(f"/committee/drafts/{vote}/approve").status_code == 302
    keep("plan page with the forms link", client.get("/v/lianban/plans/FA-2023-001"))
    assert "/votes/2/forms" in pages[max(pages)][1]

    folder = tmp_path / "pages"
    folder.mkdir()
    for name, (_label, page) in pages.items():
        (folder / name).write_text(page, encoding="utf-8")
    run = subprocess.run(command + sorted(str(folder / name) for name in pages), capture_output=True, text=True,
                         timeout=600)
    messages = json.loads(run.stdout)["messages"]
    errors = [f"{pages.get(Path(m.get('url', '')).name, ('?',))[0]}:{m.get('lastLine', '?')}: {m.get('message', '')} "
              f"«{m.get('extract', '').strip()}»" for m in messages
              if not (m.get("subType") == "warning" or m.get("type") == "info")]
    assert not errors, f"{len(errors)} vnu errors:\n" + "\n".join(errors)
