"""Imports between apps follow docs/architecture.md's table "which app may import which".

Every import statement in every module of every app is read from the source (function-level
imports included), so a new dependency that breaks the table fails here, whether or not it
would have made a circle Python trips over at import time. Imports inside one app (services ↔
tasks) are the app's own business and are not checked here.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# docs/architecture.md, "The apps": each app and the apps it may import. `exports` also reads
# `accounts` (the profile's title choices for a column, the user who exports), which the
# document's table leaves out; `accounts` is a leaf below `registrations` in any case.
MAY_IMPORT = {
    "accounts": {"mail"},
    "events": set(),
    "legal": set(),
    "mail": set(),
    "registrations": {"events", "accounts", "legal", "mail"},
    "exports": {"events", "registrations", "accounts"},
    "visas": {"events", "registrations", "accounts", "mail", "legal"},
    "billing": {"events", "registrations", "accounts", "mail", "legal", "pricing"},
    "pricing": {"events", "registrations", "accounts", "mail"},
    "badges": {"events", "registrations", "accounts", "mail", "legal"},
    "delegations": {"events", "registrations", "accounts", "mail", "pricing", "addons", "exports"},
    # The site-visit manifest writes through exports' formula-safe CSV/XLSX helpers.
    "addons": {"events", "registrations", "accounts", "mail", "pricing", "exports"},
    "checkin": {"events", "registrations", "accounts", "badges", "billing"},
    "api": {"events", "registrations", "accounts", "exports", "mail"},
    "mailings": {"events", "registrations", "accounts", "mail", "legal", "billing"},
    # Reaches every app's personal data (privacy/sources.py); apps register into
    # minex/personal_data.py and never import privacy.
    "privacy": {
        "events",
        "registrations",
        "accounts",
        "mail",
        "legal",
        "exports",
        "visas",
        "billing",
        "badges",
        "mailings",
    },
}
APPS = set(MAY_IMPORT)
# The project package: every app may use its shared helpers (rate limits, widgets, error
# pages); it may import apps only to route URLs to them.
PROJECT = "minex"
PROJECT_MAY_IMPORT_APPS_FROM = {"urls.py"}


def _imported_packages(path: Path) -> list[tuple[str, int]]:
    """The top-level package of every absolute import in the module, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def _modules(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


def _violations(package: str, allowed: set[str], *, allowed_files: set[str] | None = None):
    violations = []
    for path in _modules(package):
        relative = path.relative_to(ROOT)
        for imported, line in _imported_packages(path):
            if imported == package or imported not in APPS:
                continue
            if allowed_files is not None and path.name in allowed_files:
                continue
            if imported not in allowed:
                violations.append(f"{relative}:{line} imports {imported}")
    return violations


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_app_imports_only_the_apps_the_architecture_allows(app):
    assert _violations(app, MAY_IMPORT[app]) == []


def test_project_package_imports_apps_only_to_route_urls():
    assert _violations(PROJECT, set(), allowed_files=PROJECT_MAY_IMPORT_APPS_FROM) == []


def test_the_allowed_imports_have_no_circle():
    # Depth-first search for a path from an app back to itself along MAY_IMPORT.
    def reaches(start, target, seen):
        for neighbour in MAY_IMPORT[start]:
            if neighbour == target:
                return True
            if neighbour not in seen and reaches(neighbour, target, seen | {neighbour}):
                return True
        return False

    assert [app for app in sorted(APPS) if reaches(app, app, {app})] == []


def test_every_app_on_disk_is_in_the_table():
    # A new app must be placed in the table (and in docs/architecture.md) before it is used.
    # minex/apps.py only swaps in the project's admin site: the project is not an app.
    installed = {
        path.parent.name for path in ROOT.glob("*/apps.py") if not path.parent.name.startswith(".")
    } - {PROJECT}
    assert installed == APPS
