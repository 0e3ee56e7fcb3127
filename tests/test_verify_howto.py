"""The village page's "在自己的电脑上核验" how-to, run word for word in a shell against the portal
served over HTTP, on SQLite and PostgreSQL; and the files it downloads."""
from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from audit.cosignature import parse_cosigner
from audit.note import key_fingerprint, parse_verifier


@pytest.fixture
def served(app, demo) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # absolute addresses come from configuration
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield url
    finally:
        server.shutdown()


def _howto(page: str) -> list[str]:
    found = re.search(r'<pre class="howto"><code>(.*?)</code></pre>', page, re.S)
    assert found, "the village page has no how-to"
    return html.unescape(found.group(1)).splitlines()


def test_the_howto_on_the_village_page_runs_as_written(served, client, tmp_path):
    lines = _howto(client.get("/v/lianban/").get_data(as_text=True))
    assert lines[-1] == "python3 -m audit.verify ."
    # python3 is the test's own interpreter (it has `cryptography`, so signatures are checked).
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["bash", "-euc", "\n".join(lines)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.match(r"OK lianban size=\d+ root=\S+=", done.stdout), done.stdout
    assert "signed by the portal key sanzi-portal" in done.stdout
    # The verifier that ran is the one the portal served, unzipped next to the files.
    assert (tmp_path / "lianban-log" / "audit" / "verify.py").is_file()
    # The demo's checkpoint is co-signed by its one committee member: k of n as the page says.
    assert "co-signed by committee key" in done.stdout
    page = client.get("/v/lianban/").get_data(as_text=True)
    require = html.unescape(re.search(r'<code class="require">(.*?)</code>', page).group(1))
    assert require == "python3 -m audit.verify . --require 2"
    for k, status, said in ((2, 1, "2 committee cosignatures required, but only 1 committee keys are known"),
                            (1, 0, "co-signed by committee key")):
        run = subprocess.run(["bash", "-euc", require.replace("2", str(k))], cwd=tmp_path / "lianban-log", env=env,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == status and said in run.stdout, run.stdout + run.stderr


def test_the_howto_downloads_only_what_the_checkpoint_covers(served, client, backend):
    """Entries written between the two downloads would make the file longer than the checkpoint:
    the how-to asks for entries up to the checkpoint's size."""
    lines = _howto(client.get("/v/lianban/").get_data(as_text=True))
    assert any('entries.jsonl?end=$(sed -n 2p checkpoint)"' in line for line in lines)


def test_keys_serves_the_verifier_key_whose_fingerprint_the_pages_print(client, demo, backend):
    response = client.get("/v/lianban/audit/keys")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    keys = response.get_data(as_text=True).splitlines()
    # The portal's key first, then the committee's (the demo member's witness key).
    assert keys[0] == backend.signer.verifier_key and len(keys) == 2
    assert parse_cosigner(keys[1]).name.endswith("/v/lianban/committee/1")
    parse_verifier(keys[0])
    fingerprint = key_fingerprint(keys[0])
    assert fingerprint in client.get("/v/lianban/").get_data(as_text=True)
    assert fingerprint in client.get("/v/lianban/contracts/LB-LZ-2024-001").get_data(as_text=True)
    assert client.get("/v/nosuch/audit/keys").status_code == 404


def test_roots_are_shown_as_the_checkpoint_writes_them(client, demo):
    checkpoint = client.get("/v/lianban/audit/checkpoint").get_data(as_text=True)
    root = checkpoint.split("\n")[2]
    for page in ("/v/lianban/", "/v/lianban/contracts/LB-LZ-2024-001"):
        text = client.get(page).get_data(as_text=True)
        assert root in text and f"简记 {root[:8]}" in text
        assert bytes.fromhex(client.get("/v/lianban/audit/proof/inclusion?index=0").get_json()["root"]).hex() not in text
