"""The portal on a small phone, and with a keyboard alone: the menu opens, no page scrolls
sideways, focus can always be seen, and a member can sign in and book a place either way."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from members.services.starter import starter_content_load
from tests.e2e.conftest import sign_in
from tests.e2e.world import stand_in_video_players, world_build
from tests.factories import EventFactory, ProgrammeFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        role: el.getAttribute("role"),
        text: (el.innerText || el.value || el.id || "").trim(),
        outline: style.outlineStyle === "none" || style.outlineWidth === "0px"
            ? "none" : style.outlineStyle,
        shadow: style.boxShadow,
    };
}"""


@pytest.fixture
def context_options():
    # A small phone: the iPhone SE's CSS width and a browser's usable height.
    return {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def _world(ground_rules):
    starter_content_load()
    programme = ProgrammeFactory(title="April to September 2027", theme="Racism is a health issue")
    event = EventFactory(
        programme=programme,
        title="Understanding ethnic health inequalities in maternity and neonatal care",
        capacity=30,
    )
    ResourceFactory(title="Race Equality Standard for community health and care services")
    member = UserFactory(
        email="kemi.adeyemi@example.org", name="Kemi Adeyemi", agreed_to=ground_rules
    )
    return event, member


def _fits(page):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways on a phone"


def _open_menu_and_choose(page, name):
    # Wait for the page's script to load and for the menu to finish opening: a tap that lands
    # mid-animation, or before Bootstrap is listening, is not what a person on a phone does.
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()


def test_on_a_phone_a_visitor_finds_a_session_signs_in_and_registers(page, ground_rules):
    event, member = _world(ground_rules)

    page.goto("/")
    _fits(page)
    nav_link = page.get_by_role("link", name="Programme", exact=True)
    expect(nav_link).to_be_hidden()
    _open_menu_and_choose(page, "Programme")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    _fits(page)

    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.get_by_text("0 of 30 taken")).to_be_visible()
    _fits(page)

    _open_menu_and_choose(page, "Resources")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource hub")
    _fits(page)

    for name, heading in [
        ("About", "About the Community of Practice"),
        ("Ground rules", "Ground rules"),
        ("Join", "Join the CoP"),
        ("Sign in", "Sign in"),
    ]:
        _open_menu_and_choose(page, name)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _fits(page)

    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Kemi")
    _fits(page)

    _open_menu_and_choose(page, "Programme")
    page.get_by_role("link", name=event.title).click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_have_text(
        "You are registered. We have emailed you the details and a calendar file."
    )
    booking = page.get_by_role("complementary", name="Your place")
    expect(booking.get_by_text("You are registered.")).to_be_visible()
    expect(booking.get_by_role("link", name="Join the session online")).to_be_visible()
    _fits(page)

    _open_menu_and_choose(page, "My sessions")
    expect(page.get_by_role("link", name=event.title)).to_be_visible()
    _fits(page)
    assert page.errors == []


def test_on_a_phone_pages_full_of_data_do_not_scroll_sideways(page, ground_rules, organiser):
    world = world_build(ground_rules)
    stand_in_video_players(page)
    results = reverse("surveys:results", args=[world.answered.pk])
    visits = [
        (world.member, [
            reverse("members:home"),
            reverse("events:programme"),
            world.upcoming.get_absolute_url(),
            world.past.get_absolute_url(),
            reverse("events:mine"),
            reverse("resources:search") + "?q=interpreter",
            world.video.get_absolute_url(),
            world.pathway.get_absolute_url(),
            world.case_study.get_absolute_url(),
            reverse("resources:initiatives"),
            world.waiting.get_absolute_url(),
            reverse("members:actions"),
            reverse("members:action_detail", args=[world.done.pk]),
            reverse("members:journey"),
        ]),
        (organiser, [
            reverse("surveys:organise"),
            reverse("surveys:survey_detail", args=[world.answered.pk]),
            results,
            f"{results}?by=sector&question={world.single.pk}",
            reverse("members:dashboard"),
        ]),
    ]  # fmt: skip
    wide = []
    for person, paths in visits:
        page.context.clear_cookies()
        sign_in(page, person)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                wide.append(path)
    assert wide == []
    assert page.errors == []


def _tab_to(page, target, *, limit=80):
    """Press Tab until `target` has focus, checking that every link and button passed through,
    and the target, shows where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] in ("a", "button") or focused["role"] == "button":
            assert (focused["outline"], focused["shadow"]) != ("none", "none"), (
                f"no visible focus on {focused['tag']} “{focused['text']}” at {page.url}"
            )
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target} at {page.url}")


@pytest.mark.parametrize("context_options", [DESKTOP], ids=["desktop"])
def test_by_keyboard_alone_a_member_signs_in_and_registers(page, ground_rules):
    event, member = _world(ground_rules)

    page.goto("/accounts/login/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    _tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(member.email)
    _tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Kemi")

    _tab_to(page, page.get_by_role("link", name="Programme", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    _tab_to(page, page.get_by_role("link", name=event.title))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    _tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        "You are registered. We have emailed you the details and a calendar file."
    )
    _tab_to(page, page.get_by_role("link", name="Join the session online"))
    assert page.errors == []
