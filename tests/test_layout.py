"""The layout's rules, checked on the source: imports flow one way, modules stay small."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

DOMAINS = ("villages", "accounts", "parcels", "contracts", "receipts", "notices", "plans", "stats", "site", "imports", "tenders")
WEB = ("flask", "flask_login", "flask_wtf", "flask_babel", "werkzeug", "jinja2", "markupsafe")
MAX_LINES = 400


def modules(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module name `path` imports, at any depth of the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_audit_imports_nothing_of_the_portal():
    offenders = {p.name: sorted(n for n in imported(p) if n.split(".")[0] == "portal") for p in modules("audit")}
    assert not {k: v for k, v in offenders.items() if v}


def test_the_kernel_knows_no_web_framework_and_no_domain():
    for path in modules("portal/kernel"):
        names = imported(path)
        assert not {n for n in names if n.split(".")[0] in WEB}, path
        assert not {n for n in names if n.startswith("portal.") and n.split(".")[1] in DOMAINS}, path


@pytest.mark.parametrize("folder", ["portal", "audit", "benchmarks"])
def test_no_module_is_over_400_lines(folder):
    long = {str(p.relative_to(REPO_ROOT)): n for p in modules(folder)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these into modules of one concern each: {long}"
