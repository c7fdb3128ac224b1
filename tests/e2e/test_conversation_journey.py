"""Conversation between sessions in the browser, and the home page a visitor first meets.

A member writes in a topic space; another raises a concern under the ground rules; the post
disappears for everyone but its author and reaches the organisers' queue, where it is removed. A
caucus session's conversation is reached from the session's page by its caucus, and by nobody
else, whatever address they type. A visitor's home shows the next sessions (a caucus session
with no title or link), the CoP in figures, public resources only, and why to join."""

import datetime
from pprint import pformat

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from resources.models import Post, Space
from tests.e2e.conftest import axe_violations, sign_in, sign_out
from tests.factories import (
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    OrganisationFactory,
    ResourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

REMARK = "People like that never speak up in meetings."


@pytest.fixture
def context_options():
    # axe is injected as a script: the test context lets it past the Content-Security-Policy.
    return {"bypass_csp": True}


def no_violations(page):
    violations = axe_violations(page)
    assert violations == [], pformat(violations)


def test_a_reported_post_is_hidden_and_reaches_the_organisers_who_remove_it(
    page, member, ground_rules, organiser
):
    Space.objects.create(title="Practice questions", slug="practice-questions")
    author = UserFactory(agreed_to=ground_rules, name="Sam Writer")

    sign_in(page, author)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conversations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversations")
    page.get_by_role("link", name="Practice questions").click()
    page.get_by_label("Your post").fill(REMARK)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your post is up. Replies will be in your digest."
    )
    expect(page.get_by_text(REMARK)).to_be_visible()
    no_violations(page)
    sign_out(page)

    sign_in(page, member)
    page.goto("/conversations/spaces/practice-questions/")
    page.get_by_role("link", name="Raise a concern about the post by Sam Writer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern")
    no_violations(page)
    page.get_by_label("What concerns you").fill("It stereotypes colleagues: ground rule 2.")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("status")).to_contain_text("The post is hidden while an organiser")
    expect(page.get_by_text(REMARK)).to_have_count(0)
    expect(page.get_by_role("heading", name="0 posts")).to_be_visible()
    sign_out(page)

    sign_in(page, organiser)
    page.goto("/organise/")
    page.get_by_role("link", name="Concerns raised about posts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns to review")
    expect(page.get_by_text(REMARK)).to_be_visible()
    expect(page.get_by_text("It stereotypes colleagues: ground rule 2.")).to_be_visible()
    no_violations(page)
    page.get_by_role("radio", name="Removed").check()
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_role("status")).to_have_text(
        "The post is removed and its author told by email."
    )
    expect(page.get_by_text("No concerns are waiting.")).to_be_visible()
    assert Post.objects.get().status == Post.Status.REMOVED
    sign_out(page)

    sign_in(page, author)
    page.goto("/conversations/spaces/practice-questions/")
    expect(
        page.get_by_text("The organisers removed this post under the ground rules.")
    ).to_be_visible()


def test_a_caucus_sessions_conversation_is_for_its_caucus_alone(page, member, ground_rules):
    caucus = CaucusFactory(name="Global majority")
    CaucusMembershipFactory(member=member, caucus=caucus)
    session = EventFactory(title="Global majority caucus: rest and repair", caucus=caucus)
    outsider = UserFactory(agreed_to=ground_rules)

    sign_in(page, member)
    page.goto(session.get_absolute_url())
    page.get_by_role(
        "link", name="Talk about this session with other members of the caucus"
    ).click()
    page.get_by_label("Your post").fill("What helped me this month was saying no.")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("What helped me this month was saying no.")).to_be_visible()
    thread_url = page.url
    sign_out(page)

    sign_in(page, outsider)
    page.goto(session.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)
    expect(page.get_by_role("link", name="Talk about this session")).to_have_count(0)
    response = page.goto(thread_url)
    assert response.status == 404
    assert "saying no" not in page.content()
    page.goto("/conversations/")
    expect(page.get_by_role("heading", name="Recently active")).to_be_visible()
    assert session.title not in page.content()


def test_a_visitors_home_shows_the_next_sessions_the_cop_in_figures_and_public_resources(page):
    organisations = [OrganisationFactory() for _ in range(12)]
    for n in range(24):
        UserFactory(organisation=organisations[n % 12])
    now = timezone.now()
    for n in range(11):
        EventFactory(title=f"Past session {n}", past=True)
    EventFactory(
        title="Data and ethnicity: what to ask for", starts_at=now + datetime.timedelta(days=3)
    )
    EventFactory(
        title="Caucus: a room of our own",
        caucus=CaucusFactory(name="White allies"),
        starts_at=now + datetime.timedelta(days=4),
    )
    ResourceFactory(title="Reading list for everyone", audience="public")
    ResourceFactory(title="Recording for members", audience="members")

    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Anti-Racism for Health Equity Community of Practice"
    )
    sessions = page.get_by_role("region", name="Next sessions")
    expect(sessions.get_by_role("link", name="Data and ethnicity: what to ask for")).to_be_visible()
    expect(sessions.get_by_role("heading", name="Caucus session")).to_be_visible()
    expect(sessions.get_by_role("link", name="Caucus session")).to_have_count(0)
    assert "a room of our own" not in page.content()
    figures = page.get_by_role("region", name="The CoP in figures")
    expect(figures.get_by_text("Over 20 members")).to_be_visible()
    expect(figures.get_by_text("From over 10 organisations")).to_be_visible()
    expect(figures.get_by_text("Over 10 sessions held so far")).to_be_visible()
    resources = page.get_by_role("region", name="Recent resources")
    expect(resources.get_by_role("link", name="Reading list for everyone")).to_be_visible()
    expect(resources.get_by_text("Recording for members")).to_have_count(0)
    expect(page.get_by_role("region", name="Why join")).to_contain_text(
        "Keep the conversation going between sessions"
    )
    no_violations(page)
