"""三资公开 — the village collective three-assets disclosure portal (Flask application)."""
from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config from the environment, overridden by `test_config` in tests."""
    from portal.app import build_app

    return build_app(test_config)
