"""What signed-in pages keep in the cache between requests, and that a change shows at once."""

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import caching
from members.models import User
from members.roles import ORGANISERS
from tests.factories import GroundRulesFactory, totp_activate

HOME = reverse("members:home")
ORGANISE_LINK = f'<a class="nav-link" href="{reverse("members:organise")}"'


def _sql(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_second_page_asks_the_database_for_no_session_permissions_or_ground_rules(
    member_client,
):
    member_client.get(HOME)
    response, sql = _sql(member_client, HOME)
    assert response.status_code == 200
    assert not [q for q in sql if "django_session" in q]
    assert not [q for q in sql if "auth_permission" in q]
    assert not [q for q in sql if "members_groundrules" in q]


def test_joining_the_organisers_shows_their_menu_on_the_next_page(member_client, member):
    totp_activate(member)  # as organisers must, or the next page is the one to set it up
    assert ORGANISE_LINK not in member_client.get(HOME).content.decode()
    member.groups.add(Group.objects.get(name=ORGANISERS))
    assert ORGANISE_LINK in member_client.get(HOME).content.decode()
    member.groups.remove(Group.objects.get(name=ORGANISERS))
    assert ORGANISE_LINK not in member_client.get(HOME).content.decode()


def test_a_role_losing_a_permission_takes_effect_at_once(organiser_client):
    assert organiser_client.get(reverse("members:dashboard")).status_code == 200
    reports = Permission.objects.get(codename="view_reports", content_type__app_label="members")
    Group.objects.get(name=ORGANISERS).permissions.remove(reports)
    assert organiser_client.get(reverse("members:dashboard")).status_code == 403


def test_a_permission_given_to_one_person_takes_effect_at_once(member_client, member):
    assert member_client.get(reverse("members:dashboard")).status_code == 403
    member.user_permissions.add(
        Permission.objects.get(codename="view_reports", content_type__app_label="members")
    )
    assert member_client.get(reverse("members:dashboard")).status_code == 200


def test_an_answer_cached_while_a_change_is_not_yet_committed_is_dropped_at_commit(
    member, ground_rules, django_capture_on_commit_callbacks
):
    reports = Permission.objects.get(codename="view_reports", content_type__app_label="members")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member.user_permissions.add(reports)
        GroundRulesFactory(version=2)
        # Another request, reading before the commit, still sees the old rows and keeps them.
        stamp = caching._stamp_settled({}, member.pk)
        old = User.objects.get(pk=member.pk)
        cache.set(caching._member_key(member.pk), (stamp, old, frozenset()), 300)
        cache.set(caching._permissions_key(member.pk), (stamp, set()), 300)
        cache.set(caching.GROUND_RULES_VERSION_KEY, 1, 60)
    assert len(callbacks) == 2
    assert caching.CachedPermissionsBackend().get_user(member.pk).has_perm("members.view_reports")
    assert User.objects.get(pk=member.pk).has_perm("members.view_reports")
    assert caching.ground_rules_version() == 2


def test_a_new_version_of_the_ground_rules_stops_a_member_who_agreed_to_the_last(
    member_client, ground_rules
):
    directory = reverse("members:directory")
    assert member_client.get(directory).status_code == 200
    assert member_client.get(directory).status_code == 200  # the agreement is in the session
    GroundRulesFactory(version=2)
    response = member_client.get(directory)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('members:ground_rules')}?next=%2Fmembers%2F"
