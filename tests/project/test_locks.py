"""The two locks (`make lock`): requirements.lock for development, the tests and CI, and
requirements-prod.lock for production, which holds none of the development tools and pins
every package it shares with the first at the same version and hashes (the tested ones)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")


def _name(requirement: str) -> str:
    """A requirement's distribution name as a lock writes it (PEP 503 normalised)."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip()).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(filename: str) -> dict[str, tuple[str, frozenset[str]]]:
    """{name: (version, hashes)} of a lock written by `uv pip compile --generate-hashes`."""
    pins, current = {}, None
    for line in (ROOT / filename).read_text().splitlines():
        if match := PIN.match(line):
            current = _name(match.group(1))
            pins[current] = (match.group(2), set())
        if current and (found := HASH.search(line)):
            pins[current][1].add(found.group(1))
    return {name: (version, frozenset(hashes)) for name, (version, hashes) in pins.items()}


DEV = _lock("requirements.lock")
PROD = _lock("requirements-prod.lock")


def test_the_production_lock_holds_no_development_tool():
    dev_group = {_name(requirement) for requirement in PYPROJECT["dependency-groups"]["dev"]}
    assert {"pytest", "locust", "playwright", "moto", "ruff"} <= dev_group
    assert dev_group & set(PROD) == set()


def test_the_production_lock_holds_every_project_dependency():
    project = {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    assert {"django", "gunicorn", "sentry-sdk", "django-storages"} <= project
    assert project - set(PROD) == set()


def test_each_production_pin_is_the_development_lock_s_pin():
    """The tests run against requirements.lock, so production gets those very versions."""
    assert set(PROD) <= set(DEV)
    assert {name: PROD[name][0] for name in PROD} == {name: DEV[name][0] for name in PROD}
    assert {name: PROD[name][1] for name in PROD} == {name: DEV[name][1] for name in PROD}
    assert all(hashes for _version, hashes in PROD.values())


def test_make_lock_writes_both_locks():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nlock:") :].split("\n\n")[0]
    assert "--group dev --generate-hashes" in recipe
    assert "-o requirements.lock" in recipe
    assert "-c requirements.lock -o requirements-prod.lock" in recipe
