"""A draft on paper: its fields and what it changes, with room for signatures. Never cached."""
from __future__ import annotations

from typing import Any

from flask import Response, render_template

from portal.publishing.pdf import render_pdf
from portal.publishing.printing import is_demo_village, pdf_response


def draft_pdf(code: str, review: dict[str, Any]) -> Response:
    draft = review["draft"]
    html = render_template("print/draft.html", demo=is_demo_village(code), running_head='"草稿 · 未发布"',
                           **review)
    response = pdf_response(render_pdf(html), f"{code}-draft-{draft.id}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
