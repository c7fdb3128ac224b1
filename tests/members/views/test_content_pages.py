"""Organisers edit the portal's pages (the privacy notice, the accessibility statement, the
special category data policy) without the admin, and every change is a new version: what a
page said when someone read it stays readable, word for word, with its dates."""

import re

import pytest
from django.urls import reverse

from members.models import ContentPage, ContentPageVersion
from members.services.starter import starter_content_load
from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db


def _edit(client, slug, **fields):
    data = {"title": "Privacy notice", "summary": "", "body": "We keep little.", **fields}
    return client.post(reverse("members:content_page_edit", args=[slug]), data)


def test_each_change_is_a_new_version_and_the_old_one_stays_readable(organiser_client, client):
    page = ContentPageFactory(slug="privacy", title="Privacy notice", body="Version one words.")

    assert _edit(organiser_client, "privacy", body="Version two words.").status_code == 302
    assert _edit(organiser_client, "privacy", body="Version three words.").status_code == 302

    page.refresh_from_db()
    assert (page.version, page.body) == (3, "Version three words.")
    assert list(page.versions.values_list("version", "body")) == [
        (2, "Version two words."),
        (1, "Version one words."),
    ]
    client.logout()
    current = client.get(reverse("members:page", args=["privacy"])).content.decode()
    assert "Version 3, in force since" in current
    listed = client.get(reverse("members:page_versions", args=["privacy"])).content.decode()
    assert re.findall(r">Version (\d)</a>", listed) == ["3", "2", "1"]
    first = client.get(reverse("members:page_version", args=["privacy", 1])).content.decode()
    assert "Version one words." in first
    assert "This is version 1 of this page" in first


def test_saving_without_a_change_makes_no_version(organiser_client):
    ContentPageFactory(slug="privacy", title="Privacy notice", summary="", body="Same.")
    _edit(organiser_client, "privacy", body="Same.")
    assert ContentPageVersion.objects.count() == 0
    assert ContentPage.objects.get(slug="privacy").version == 1


def test_an_unknown_version_is_not_found_and_the_current_one_redirects(client):
    ContentPageFactory(slug="privacy", title="Privacy notice", body="Words.")
    assert client.get(reverse("members:page_version", args=["privacy", 7])).status_code == 404
    response = client.get(reverse("members:page_version", args=["privacy", 1]))
    assert response.url == reverse("members:page", args=["privacy"])


def test_an_empty_body_is_refused_and_nothing_changes(organiser_client):
    ContentPageFactory(slug="privacy", title="Privacy notice", body="Words.")
    response = _edit(organiser_client, "privacy", body="")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ContentPage.objects.get(slug="privacy").body == "Words."
    assert ContentPageVersion.objects.count() == 0


def test_a_starter_page_brought_up_to_date_keeps_the_wording_it_replaces(settings):
    starter_content_load()
    page = ContentPage.objects.get(slug="privacy")
    current = page.body
    superseded = (
        settings.BASE_DIR / "members" / "starter" / "superseded" / "privacy.1.md"
    ).read_text(encoding="utf-8")
    ContentPage.objects.filter(pk=page.pk).update(body=superseded)

    assert starter_content_load()["pages_updated"] == 1

    page.refresh_from_db()
    assert (page.body, page.version) == (current, 2)
    assert page.versions.get().body == superseded


def test_the_pages_list_shows_each_page_with_its_version(organiser_client):
    ContentPageFactory(slug="privacy", title="Privacy notice", body="One.")
    _edit(organiser_client, "privacy", body="Two.")
    page = organiser_client.get(reverse("members:content_pages_manage")).content.decode()
    assert "<td>2 (<a" in page
    assert "1 earlier</a>" in page
    assert reverse("members:content_page_edit", args=["privacy"]) in page


def test_the_privacy_notice_says_what_conversation_keeps_who_reads_it_and_for_how_long(client):
    """Posts, messages and concerns are personal data the notice must name: what is kept, who
    reads it (a caucus's conversation its members alone; a reported message the organisers; the
    server's administrators, as nothing is end-to-end encrypted), and that deleting an account
    deletes them rather than keeping them under “A CoP member”."""
    starter_content_load()

    page = client.get(reverse("members:page", args=["privacy"])).content.decode()

    for promise in (
        # What we keep.
        "<strong>Conversations</strong>: the posts you write in the conversations on sessions, "
        "resources and topic spaces, kept as you wrote them, with your name",
        "<strong>Messages</strong>: the private messages you send to other members and receive "
        "from them, kept as written",
        "<strong>Concerns</strong>: if you raise a concern about a post or a message under the "
        "ground rules, that you raised it, when, and what you wrote.",
        "we keep who decided, what they decided",
        # Who can see it.
        "and the conversation on its materials, is open to that caucus",
        "the organisers who handle concerns read that message, who sent it and to whom "
        "(not the rest of your conversation)",
        "they are not end-to-end encrypted",
        "The member who wrote the post or message is not told who raised it",
        "It never includes what anyone wrote or who wrote it.",
        # How long we keep it.
        "Posts and messages have no fixed time limit.",
        "Your posts are not kept in this way: they are deleted, with the concerns raised about "
        "them.",
        "every message you sent or received, on both sides",
    ):
        assert promise in page, promise
