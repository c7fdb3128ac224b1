"""Fixtures for the browser suite: Debian's Chromium driven by Playwright against a live server
of the portal on PostgreSQL. Every test's last step, and any step that fails, leaves a
screenshot under test-artifacts/screenshots/ (git ignores it; CI keeps it)."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make e2e-deps` (Debian's chromium package).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:120]


@pytest.fixture
def context_options():
    return {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(request, browser, live_server, context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failed = getattr(request.node, "report_call", None)
    suffix = "FAILED" if failed is not None and failed.failed else "last-step"
    page.screenshot(path=SCREENSHOTS / f"{_slug(request.node.name)}-{suffix}.png", full_page=True)
    context.close()


def sign_in(page, user):
    """Start the browser signed in as `user`, without going through the form (and so without
    being asked for an MFA code: organisers made by the factories have an authenticator app,
    so the portal lets them straight through)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def sign_out(page):
    """Sign out with the button every page has, and wait until the portal has done it."""
    page.get_by_role("button", name="Sign out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()


def sign_in_with_form(page, user, password="correct horse battery staple"):  # noqa: S107 - the factories' test password
    """Sign in as `user` through the sign-in page, typing the current code from their
    authenticator app (tests/factories.TOTP_SECRET) when the portal asks for one."""
    from tests.factories import totp_code

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    if page.url.endswith("/accounts/2fa/authenticate/"):
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules on the page as it is."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]  # fmt: skip
