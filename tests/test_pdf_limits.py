"""PDF rendering fetches nothing from outside (WeasyPrint's URL fetcher is deny-by-default here)
and has a time budget: a render over it answers a 503 page at once, and the worker goes on."""
from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

from portal.notices.services import NoticeInput, create_notice
from portal.publishing.pdf import RenderTimeout, render_pdf

from .conftest import DEMO_STAFF, make_app
from .test_security_headers import assert_secured

LONG = "<!doctype html><meta charset=utf-8>" + "<table>" + "<tr><td>莲坂村</td><td>¥1,234.50</td></tr>" * 4000 + "</table>"


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"@page { size: A3 }")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def outside_server():
    """An HTTP server on loopback that records every request made to it."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_document_pointing_outside_fetches_nothing(outside_server, tmp_path: Path):
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "SECRET-FILE" }', encoding="utf-8")
    html = (f'<link rel="stylesheet" href="{outside_server}/style.css">'
            f'<link rel="stylesheet" href="{secret.as_uri()}">'
            f'<img src="{outside_server}/tracker.png"><img src="file:///etc/passwd">'
            f'<p style="background: url({outside_server}/bg.png)">公示</p>')
    body = render_pdf(html, base_url=str(tmp_path / "static"))
    assert body.startswith(b"%PDF-")
    assert Recorder.hits == []
    assert b"SECRET-FILE" not in body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_record_carrying_outside_addresses_prints_without_fetching_them(outside_server, backend, demo, client):
    """The sanitizer drops image and link markup from a pasted notice, and what the printed sheet
    still names as text is never fetched."""
    body = (f'<p>见附件<img src="{outside_server}/tracker.png"></p>'
            f'<p style="background:url({outside_server}/bg.png)">{outside_server}/plain.css</p>')
    notice = create_notice(backend, DEMO_STAFF, "lianban", NoticeInput(
        "GG-2026-901", "外部链接测试", "finance", body, "2026-11-20"))
    response = client.get(f"/v/lianban/notices/{notice.number}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert Recorder.hits == []


def test_a_render_over_its_budget_stops_at_the_budget():
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        render_pdf(LONG, time_limit=0.2)
    assert time.monotonic() - started < 5


def test_a_render_in_another_thread_is_answered_at_the_budget_too():
    """The development server renders in threads, where no alarm can reach the render."""
    failed: list[BaseException] = []
    started = time.monotonic()

    def run() -> None:
        try:
            render_pdf(LONG, time_limit=0.2)
        except RenderTimeout as err:
            failed.append(err)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert failed and time.monotonic() - started < 5  # the whole render takes far longer
    # the render itself was stopped, not left running in the background
    assert not [thread for thread in threading.enumerate() if thread.name == "pdf-render"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_pdf_over_budget_answers_503_and_the_next_one_is_served(database_url, tmp_path, demo):
    app = make_app(database_url, tmp_path, PDF_RENDER_SECONDS=0.01)
    client = app.test_client()
    started = time.monotonic()
    slow = client.get("/v/lianban/arrears.pdf")
    assert time.monotonic() - started < 2
    assert slow.status_code == 503 and slow.headers["Retry-After"] == "30"
    page = slow.get_data(as_text=True)
    assert "系统繁忙" in page and "没能在 0.01 秒内生成" in page
    assert_secured(slow, "503")
    app.config["PDF_RENDER_SECONDS"] = 20
    served = client.get("/v/lianban/arrears.pdf")
    assert served.status_code == 200 and served.data.startswith(b"%PDF-")
    app.extensions["portal"].db.dispose()
