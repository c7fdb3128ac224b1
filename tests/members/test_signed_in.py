"""The signed-in member is kept between requests (members.caching), and the header is rendered
once per form (cop_portal.web.navigation). Each test here is a way a kept answer could outlive
the change that should end it, and must find that it does not: on the very next request."""

import re

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.cache import cache, caches
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import caching
from members.models import User
from members.services.accounts import email_unsubscribe
from members.services.data_rights import member_erase
from members.services.emails import CATEGORIES, TURNED_OFF
from members.services.organisations import organisation_merge
from tests.factories import OrganisationFactory

PROFILE = reverse("members:profile")
DIRECTORY = reverse("members:directory")
PASSWORD = "correct horse battery staple"
ORGANISE_LINK = f'<a class="nav-link" href="{reverse("members:organise")}"'


def _member_queries(client, url, member) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "members_user"' in q["sql"] and f'"members_user"."id" = {member.pk}' in q["sql"]
    ]


def _signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_second_page_reads_the_member_from_the_cache_not_the_database(member_client, member):
    """What the rest of this file relies on: the member really is kept."""
    assert _member_queries(member_client, PROFILE, member)
    assert _member_queries(member_client, PROFILE, member) == []


def test_signing_in_with_a_password_records_the_backend_that_keeps_the_member(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "members.caching.CachedPermissionsBackend"


def test_a_password_changed_elsewhere_signs_out_the_other_session_at_once(member, ground_rules):
    kept, other = Client(), Client()
    kept.force_login(member)
    other.force_login(member)
    assert kept.get(PROFILE).status_code == 200
    assert kept.get(PROFILE).status_code == 200  # now from the cache

    response = other.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
    )
    assert response.status_code == 302

    assert _signed_out(kept.get(PROFILE))
    assert other.get(PROFILE).status_code == 200  # the session that changed it stays in


def test_an_account_closed_in_the_admin_is_signed_out_at_once(member_client, member):
    member_client.get(PROFILE)
    assert member_client.get(PROFILE).status_code == 200
    member.is_active = False
    member.save()
    assert _signed_out(member_client.get(PROFILE))


def test_an_account_deleted_in_the_admin_is_signed_out_at_once(member_client, member):
    member_client.get(PROFILE)
    assert member_client.get(PROFILE).status_code == 200
    User.objects.filter(pk=member.pk).delete()
    assert _signed_out(member_client.get(PROFILE))


def test_an_erased_account_is_signed_out_at_once(member_client, member):
    member_client.get(PROFILE)
    assert member_client.get(PROFILE).status_code == 200
    member_erase(member=member)
    assert _signed_out(member_client.get(PROFILE))


def test_a_role_taken_away_removes_the_organise_link_and_the_pages_at_once(
    organiser_client, organiser
):
    assert ORGANISE_LINK in organiser_client.get(PROFILE).content.decode()
    assert organiser_client.get(reverse("members:dashboard")).status_code == 200
    organiser.groups.clear()
    assert ORGANISE_LINK not in organiser_client.get(PROFILE).content.decode()
    assert organiser_client.get(reverse("members:dashboard")).status_code == 403


def test_a_kept_member_whose_generation_was_evicted_is_not_trusted(member_client, member):
    """An evicted generation must never read as an older one: an answer kept under that one
    would be trusted again. Here the kept answer says the member may see reports."""
    generation = caching._generation_key(member.pk)
    cache.delete(generation)  # never set, or evicted
    member_client.get(PROFILE)
    key = caching._member_key(member.pk)
    stamp, kept, _ = cache.get(key)
    cache.set(key, (stamp, kept, frozenset({"members.view_reports"})), 300)
    assert member_client.get(reverse("members:dashboard")).status_code == 200  # it is used
    caching.member_forget(member.pk)
    assert member_client.get(reverse("members:dashboard")).status_code == 403
    cache.set(key, (stamp, kept, frozenset({"members.view_reports"})), 300)
    cache.delete(generation)  # evicted again
    assert member_client.get(reverse("members:dashboard")).status_code == 403


def test_an_unsubscribe_link_is_not_undone_by_saving_the_profile_afterwards(member_client, member):
    """The link changes the row with an UPDATE, which no save signal sees; a kept copy of the
    member saved by the profile page would write the old choice back."""
    member_client.get(PROFILE)
    email_unsubscribe(member_id=member.pk, category="digest")
    response = member_client.post(
        reverse("members:profile_edit"), {"name": "Renamed Member", "organisation": ""}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "Renamed Member"
    assert member.email_digest == TURNED_OFF["digest"]
    assert getattr(member, CATEGORIES["digest"]) == TURNED_OFF["digest"]


def test_an_organisation_merged_away_is_not_named_or_written_back(member_client, member):
    duplicate = member.organisation
    keep = OrganisationFactory(name="Kept Trust")
    member_client.get(PROFILE)
    organisation_merge(keep=keep, duplicates=[duplicate])
    assert "Kept Trust" in member_client.get(PROFILE).content.decode()
    response = member_client.post(
        reverse("members:profile_edit"), {"name": "Still Here", "organisation": keep.pk}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.organisation == keep


# The header, rendered once per form --------------------------------------------------------------


def test_each_role_gets_its_own_header_whichever_came_first(organiser_client, member):
    assert ORGANISE_LINK in organiser_client.get(PROFILE).content.decode()
    member_client = Client()
    member_client.force_login(member)
    assert ORGANISE_LINK not in member_client.get(PROFILE).content.decode()
    assert ORGANISE_LINK in organiser_client.get(PROFILE).content.decode()
    visitor = Client().get(reverse("members:glossary")).content.decode()
    assert ORGANISE_LINK not in visitor
    assert f'href="{reverse("account_login")}">Sign in</a>' in visitor
    assert "Sign out" not in visitor


@pytest.mark.parametrize(("url", "current"), [(PROFILE, None), (DIRECTORY, "Members")])
def test_the_header_marks_the_page_the_member_is_on(member_client, url, current):
    member_client.get(reverse("members:directory"))  # the directory's form is kept first
    html = member_client.get(url).content.decode()
    assert re.findall(r'aria-current="page">([^<]+)</a>', html) == ([current] if current else [])


def test_each_page_carries_its_own_members_csrf_token_and_signing_out_works(member, organiser):
    clients = []
    for person in (member, organiser):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        clients.append(client)
    for client in clients:
        html = client.get(PROFILE).content.decode()
        form = html.split(f'action="{reverse("account_logout")}"')[1]
        token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
        response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert _signed_out(client.get(PROFILE))


# The session and the member in one round trip (members.sessions) -------------------------------


@pytest.fixture
def cache_reads(monkeypatch):
    """Every read of the cache during a request, in order: (method, keys), each a round trip
    to Redis in production (the test cache's get_many calls its own get: those are not)."""
    reads, inside = [], []
    backend = type(caches["default"])
    for method in ("get", "get_many"):
        original = getattr(backend, method)

        def spy(self, keys, *args, _method=method, _original=original, **kwargs):
            if not inside:
                reads.append((_method, list(keys) if _method == "get_many" else [keys]))
            inside.append(_method)
            try:
                return _original(self, keys, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, method, spy)
    return reads


def test_a_signed_in_page_reads_its_session_and_member_in_one_round_trip(
    member_client, member, cache_reads
):
    member_client.get(PROFILE)  # the worker learns whose the session is
    session_key = "django.contrib.sessions.cached_db" + member_client.session.session_key
    cache_reads.clear()
    assert member_client.get(PROFILE).status_code == 200
    member_keys = caching.member_entries_keys(member.pk)
    assert cache_reads[0] == ("get_many", [session_key, *member_keys])
    # Neither the session nor the member is read again in that request (the page's own kept
    # parts are read with the generations they are kept under, once more).
    later = [key for _, keys in cache_reads[1:] for key in keys]
    assert session_key not in later
    assert caching._member_key(member.pk) not in later


def test_a_session_wrongly_remembered_as_another_members_still_signs_in_its_own(
    member_client, member, organiser
):
    """The worker's memory of whose a session is only says what to read along: were it wrong
    (here it is made to say the session is the organiser's, whose kept self and permissions are
    in the cache), the session as read still decides who is signed in, and the organiser's
    entries are not used for them."""
    from members import sessions

    organiser_client = Client()
    organiser_client.force_login(organiser)
    assert ORGANISE_LINK in organiser_client.get(PROFILE).content.decode()
    member_client.get(PROFILE)
    sessions._members_of_sessions[member_client.session.session_key] = organiser.pk

    page = member_client.get(PROFILE).content.decode()
    assert member.email in page
    assert organiser.email not in page
    assert ORGANISE_LINK not in page
    assert member_client.get(reverse("members:dashboard")).status_code == 403
    # And it is corrected from the session as read.
    assert sessions._members_of_sessions[member_client.session.session_key] == member.pk


def test_entries_read_along_for_one_request_are_never_used_by_the_next(
    member_client, member, organiser
):
    """What was read along with one session is dropped when the next session is read, whoever's
    it is: here a forged read-along entry makes the member an organiser, as if left over from
    an earlier request, and is not used."""
    from members import sessions

    organiser_client = Client()
    organiser_client.force_login(organiser)
    organiser_client.get(PROFILE)
    _, organiser_self, permissions = cache.get(caching._member_key(organiser.pk))
    member_client.get(PROFILE)
    found = cache.get_many(caching.member_entries_keys(member.pk))
    stamp = found[caching._member_key(member.pk)][0]
    forged = {**found, caching._member_key(member.pk): (stamp, organiser_self, permissions)}
    for remembered in (True, False):
        if not remembered:
            sessions._members_of_sessions.pop(member_client.session.session_key)
        caching.member_read_ahead((member.pk, forged))
        page = member_client.get(PROFILE).content.decode()
        assert member.email in page
        assert ORGANISE_LINK not in page
