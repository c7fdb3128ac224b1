"""The layers of the code, as the README's layout table draws them, checked from the imports.

    cop_portal.web   plumbing: knows no model, imports no app
    members          accounts, onboarding, organisations, roles, the audit trail, emails
    events           -> members
    resources        -> members, events
    surveys          -> members, events

Some areas of members read or write the other apps, so they sit above all three, and nothing
imports them (members.services and members.selectors, what the apps call, never do):
    dashboard, data_rights, imports   figures, a member's data and spreadsheets span every app
    starter, demo                     the content a portal is loaded with, in every app
    home                              a member's home page shows their sessions and surveys
    journey                           an action names the session that prompted it
    digests                           a member's digest: sessions, resources, case studies

An app reaches another only through its `services` (writes) and `selectors` (reads); a service or
selector may also name another app's models, for a query that joins them, and a models module
another's models, for a relation or a shared set of choices. Views, forms, admin, commands and
template tags never reach into another app's models or internals."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("members", "events", "resources", "surveys")
# Which apps each app may import (the direction of the arrows above).
ALLOWED = {
    "members": set(),
    "events": {"members"},
    "resources": {"members", "events"},
    "surveys": {"members", "events"},
}
# The areas of members that sit above every app: they may import all three others.
MEMBERS_ABOVE = (
    "dashboard",
    "data_rights",
    "imports",
    "starter",
    "demo",
    "home",
    "journey",
    "digests",
)
INTERFACES = ("services", "selectors")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones made absolute, names imported
    from a package counted as modules (`from events import selectors` is events.selectors)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            for alias in node.names:
                # `from events import selectors` names the module events.selectors.
                submodule = ROOT.joinpath(*target.split("."), alias.name)
                is_module = submodule.is_dir() or submodule.with_suffix(".py").exists()
                found.append((node.lineno, f"{target}.{alias.name}" if is_module else target))
    return found


def _product_files():
    for top in (*APPS, "cop_portal"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _is_interface(target: str, importer: str) -> bool:
    """Whether `target` (in another app) is one the importer may use."""
    parts = target.split(".")
    if len(parts) < 2:
        return False  # `import events` alone names nothing in particular
    if parts[1] in INTERFACES:
        return True
    may_name_models = any(part in (*INTERFACES, "models") for part in importer.split(".")[1:])
    return parts[1] == "models" and may_name_models


def layer_breaches() -> list[str]:
    breaches = []
    for path in _product_files():
        importer = _module_name(path)
        home = importer.split(".")[0]
        for line, target in _imports(path):
            other = target.split(".")[0]
            if other not in APPS or other == home:
                continue
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if home == "cop_portal":
                breaches.append(f"{where}: the plumbing imports no app")
                continue
            above = home == "members" and any(a in importer.split(".") for a in MEMBERS_ABOVE)
            if other not in ALLOWED[home] and not above:
                breaches.append(f"{where}: {home} does not import {other}")
            elif not _is_interface(target, importer):
                breaches.append(f"{where}: only services and selectors cross apps")
    return breaches


def test_the_layers_hold():
    assert layer_breaches() == []


def test_what_members_offers_other_apps_brings_no_area_above_them_along():
    """members.services and members.selectors are what events, resources and surveys import:
    importing them must not import the dashboard, data rights or imports, which import those
    apps in turn (a circular import, and a layer upside down)."""
    interface = [ROOT / "members" / name / "__init__.py" for name in INTERFACES]
    above = [
        target
        for path in interface
        for _, target in _imports(path)
        if any(area in target.split(".") for area in MEMBERS_ABOVE)
    ]
    assert above == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from members.models import User\n", "plumbing imports no app"),
        ("from events import selectors\n", "plumbing imports no app"),
    ],
)
def test_a_breach_is_caught(source, expected):
    """The check itself can fail: a plumbing module that imports an app is reported."""
    fake = ROOT / "cop_portal" / "web" / "_layer_probe.py"
    fake.write_text(source)
    try:
        assert any(expected in breach for breach in layer_breaches())
    finally:
        fake.unlink()
