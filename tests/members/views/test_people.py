"""The organisers' People pages (issue 17, item 1): the member list, its CSV, a member's page,
and giving and taking away the organiser and steering-group roles."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.middleware import MFA_MESSAGE
from members.models import AuditEvent
from members.roles import ORGANISERS, STEERING_GROUP
from members.services.data_rights import member_erase
from members.services.imports import member_import_create
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

PEOPLE = reverse("members:people")
CSV = reverse("members:people_csv")
MANAGE_ROLES = "members.manage_roles"
ROW_LINK = re.compile(r'<th scope="row"><a href="/organise/members/(\d+)/">([^<]+)</a>')


def _listed(client, **filters) -> list[str]:
    response = client.get(PEOPLE, filters)
    assert response.status_code == 200
    return [name for _, name in ROW_LINK.findall(response.content.decode())]


def _csv(client, **filters) -> list[list[str]]:
    response = client.get(CSV, filters)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _attended(member, *, days_ago: int, **event):
    return AttendanceFactory(member=member, event=EventFactory(starts_at=_ago(days_ago), **event))


@pytest.fixture
def world(ground_rules, organiser):
    """The organiser (Organiser Olu, joined today) and four others, each different in one way."""
    organiser.name = "Organiser Olu"
    organiser.save()
    north = OrganisationFactory(name="North Trust", sector="nhs")
    south = OrganisationFactory(name="South Council", sector="local_authority")
    alice = UserFactory(
        name="Alice Adeyemi",
        email="alice@north.example",
        organisation=north,
        sector="voluntary",
        seniority="manager",
        date_joined=timezone.make_aware(datetime.datetime(2026, 1, 15, 10)),
        agreed_to=ground_rules,
    )
    bob = UserFactory(
        name="Bob Brown",
        organisation=south,
        sector="academic",
        seniority="executive",
        date_joined=timezone.make_aware(datetime.datetime(2026, 3, 10, 10)),
        groups=[STEERING_GROUP],
        agreed_to=ground_rules,
    )
    imported = member_import_create(email="ian@south.example", name="Ian Imported")
    erased = member_erase(member=UserFactory(name="Erin Erased"))
    _attended(alice, days_ago=10)
    _attended(bob, days_ago=200)
    _attended(imported, days_ago=500)
    return {"alice": alice, "bob": bob, "imported": imported, "erased": erased, "north": north}


# The list -----------------------------------------------------------------------------------------


def test_every_filter_is_exact(organiser_client, world):
    c = organiser_client
    erased = world["erased"].name
    assert _listed(c) == sorted(
        ["Alice Adeyemi", "Bob Brown", erased, "Ian Imported", "Organiser Olu"], key=str.lower
    )
    assert _listed(c, organisation=world["north"].pk) == ["Alice Adeyemi"]
    assert _listed(c, sector="academic") == ["Bob Brown"]
    assert _listed(c, seniority="manager") == ["Alice Adeyemi"]
    assert _listed(c, role="organiser") == ["Organiser Olu"]
    assert _listed(c, role="steering") == ["Bob Brown"]
    assert _listed(c, role="member") == ["Alice Adeyemi", erased, "Ian Imported"]
    assert _listed(c, status="unclaimed") == ["Ian Imported"]
    assert _listed(c, status="erased") == [erased]
    assert _listed(c, status="joined") == ["Alice Adeyemi", "Bob Brown", "Organiser Olu"]
    assert _listed(c, joined_from="2026-01-01", joined_to="2026-01-31") == ["Alice Adeyemi"]
    assert _listed(c, joined_from="2026-01-16", joined_to="2026-03-10") == ["Bob Brown"]
    assert _listed(c, last_attended="3m") == ["Alice Adeyemi"]
    assert _listed(c, last_attended="3-12m") == ["Bob Brown"]
    assert _listed(c, last_attended="12m+") == ["Ian Imported"]
    assert _listed(c, last_attended="never") == [erased, "Organiser Olu"]
    assert _listed(c, sector="voluntary", last_attended="3-12m") == []


def test_search_finds_by_name_or_email_whatever_the_case(organiser_client, world):
    assert _listed(organiser_client, search="aDeYe") == ["Alice Adeyemi"]
    assert _listed(organiser_client, search="@south.example") == ["Ian Imported"]
    assert _listed(organiser_client, search="nobody at all") == []


def test_the_list_marks_imported_and_erased_members(organiser_client, world):
    page = organiser_client.get(PEOPLE).content.decode()
    assert "<strong>Imported, not yet joined</strong>" in page
    assert "<strong>Erased</strong>" in page
    assert world["erased"].email not in page


def test_bad_filters_get_a_message_not_an_error(organiser_client, world):
    response = organiser_client.get(
        PEOPLE, {"joined_from": "2026-05-01", "joined_to": "2026-01-01", "role": "caucus"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This date must be on or after the first one." in page
    assert "Select a valid choice." in page
    response = organiser_client.get(CSV, {"joined_from": "not a date"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="member_list_exported").exists()


def test_the_list_runs_as_many_queries_however_many_members(
    organiser_client, organiser, same_queries_at_two_sizes
):
    """A page of 50 must not ask the database once per member (roles, status, attendance)."""

    def grow(size):
        for member in UserFactory.create_batch(size):
            _attended(member, days_ago=20)
        UserFactory(groups=[STEERING_GROUP])

    same_queries_at_two_sizes(organiser_client, PEOPLE, grow=grow, sizes=(3, 12))


def test_steering_group_and_members_cannot_see_the_list(client, steering_member, member):
    for user in (steering_member, member):
        client.force_login(user)
        assert client.get(PEOPLE).status_code == 403
        assert client.get(CSV).status_code == 403


# The CSV ------------------------------------------------------------------------------------------


def test_the_csv_has_the_filtered_rows_and_is_audited(organiser_client, organiser, world):
    rows = _csv(organiser_client, role="steering", search="bob")
    assert rows == [
        [
            "Name",
            "Email",
            "Organisation",
            "Sector",
            "Seniority",
            "Job role",
            "Roles",
            "Status",
            "Joined",
            "Last open session attended",
        ],
        [
            "Bob Brown",
            world["bob"].email,
            "South Council",
            "Academic and research",
            "Executive",
            "Community nurse",
            "Steering group",
            "Joined (has an account)",
            "2026-03-10",
            timezone.localdate(_ago(200)).isoformat(),
        ],
    ]
    (line,) = AuditEvent.objects.filter(action="member_list_exported")
    assert (line.actor, line.detail, line.path) == (
        organiser,
        "1 row; role=steering, search",
        CSV,
    )
    assert "bob" not in line.detail.lower()


def test_the_csv_of_everyone_leaves_erased_addresses_out(organiser_client, world):
    rows = _csv(organiser_client)
    assert len(rows) == 1 + 5
    erased_row = next(r for r in rows if r[0] == world["erased"].name)
    assert erased_row[1] == ""
    assert erased_row[7] == "Erased"
    assert AuditEvent.objects.get(action="member_list_exported").detail == "5 rows; no filter"


def test_a_name_a_spreadsheet_would_run_is_exported_as_text(organiser_client, world):
    UserFactory(name='=HYPERLINK("https://evil.example","Click")')
    rows = _csv(organiser_client, search="hyperlink")
    assert rows[1][0] == '\'=HYPERLINK("https://evil.example","Click")'


# Caucus: an attack that must fail ----------------------------------------------------------------


def test_nothing_on_the_list_or_its_csv_tells_who_is_in_a_caucus(ground_rules, client):
    """An organiser not trusted with caucus choices compares two members who differ only in
    that one is in a caucus and came to its sessions, before and after a caucus session,
    through every filter and the CSV, and tries a caucus filter of their own: the two always
    look the same."""
    caucus = CaucusFactory()
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    client.force_login(organiser)
    org = OrganisationFactory(name="Same Org")
    twin = {"organisation": org, "sector": "nhs", "seniority": "manager"}
    insider = UserFactory(name="Kim Caucus", **twin)
    outsider = UserFactory(name="Lee Open", **twin)
    CaucusMembershipFactory(member=insider, caucus=caucus)
    for person in (insider, outsider):
        _attended(person, days_ago=400)  # an open session, long ago, for both
    _attended(insider, days_ago=300, caucus=caucus)

    def views():
        seen = {}
        for value in ("", "never", "3m", "3-12m", "12m+"):
            names = _listed(client, last_attended=value, search="", organisation=org.pk)
            seen[value] = ("Kim Caucus" in names, "Lee Open" in names)
        for name in ("caucus", "caucus_id"):  # made-up filters are ignored
            names = _listed(client, **{name: caucus.pk})
            seen[name] = ("Kim Caucus" in names, "Lee Open" in names)
        rows = {r[0]: r[2:] for r in _csv(client, organisation=org.pk)}
        return seen, rows

    for _ in range(2):
        seen, rows = views()
        assert all(kim == lee for kim, lee in seen.values()), seen
        assert rows["Kim Caucus"] == rows["Lee Open"]
        # A caucus session today: the lists before and after must not differ for one of them.
        _attended(insider, days_ago=1, caucus=caucus)

    page = client.get(PEOPLE).content.decode() + client.get(CSV).content.decode()
    assert caucus.name not in page
    assert "caucus" not in client.get(PEOPLE).context["form"].fields


# A member's page ---------------------------------------------------------------------------------


def test_the_member_page_shows_open_sessions_and_counts_and_is_audited(organiser_client, organiser):
    caucus = CaucusFactory()
    member = UserFactory(name="Mo Member")
    CaucusMembershipFactory(member=member, caucus=caucus)
    _attended(member, days_ago=30, title="Open Forum")
    secret = _attended(member, days_ago=20, caucus=caucus, title="Caucus Circle").event
    ActionFactory(member=member, what="Private plan")
    ActionFactory(member=member, what="Private plan two")
    ActionFactory(member=member, what="From the caucus", event=secret)

    response = organiser_client.get(reverse("members:person", args=[member.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Open Forum" in page
    assert "Caucus Circle" not in page
    assert caucus.name not in page
    assert "Private plan" not in page
    assert re.search(r"Actions recorded</dt><dd[^>]*>2 ", page)
    (line,) = AuditEvent.objects.filter(action="member_page_viewed")
    assert (line.actor, line.target_id, line.detail) == (organiser, str(member.pk), "")


def test_an_organiser_trusted_with_caucus_choices_sees_caucus_sessions_audited_as_such(
    client, ground_rules
):
    caucus = CaucusFactory()
    trusted = UserFactory(
        agreed_to=ground_rules, groups=[ORGANISERS], permissions=["events.view_caucus_choice"]
    )
    member = UserFactory()
    _attended(member, days_ago=20, caucus=caucus, title="Caucus Circle")
    client.force_login(trusted)

    page = client.get(reverse("members:person", args=[member.pk])).content.decode()

    assert "Caucus Circle" in page
    assert AuditEvent.objects.get(action="member_page_viewed").detail == "caucus sessions shown"


# Roles -------------------------------------------------------------------------------------------


@pytest.fixture
def holder(ground_rules):
    """An organiser who may manage roles (given by name, as an administrator would)."""
    return UserFactory(
        name="Holder Hana", agreed_to=ground_rules, groups=[ORGANISERS], permissions=[MANAGE_ROLES]
    )


@pytest.fixture
def holder_client(holder):
    client = Client()
    client.force_login(holder)
    return client


def _role(client, member, role, *, give, confirm=True):
    data = {"role": role, "give": "1" if give else "0"}
    if confirm:
        data["confirm"] = "on"
    response = client.post(reverse("members:person_role", args=[member.pk]), data)
    if response.status_code == 302:
        client.get(response["Location"])  # where its message is shown, and so used up
    return response


def _role_emails(member) -> list:
    return [m for m in mail_sent() if m.to == [member.email]]


def test_a_holder_gives_and_takes_away_the_organiser_role(holder_client, holder, member):
    response = _role(holder_client, member, "organiser", give=True)

    assert response["Location"] == reverse("members:person", args=[member.pk])
    assert _messages(response) == [
        f"{member} now has the organiser role. They have been sent an email about it, and will "
        "be asked to set up two-step sign-in on their next page."
    ]
    assert list(member.groups.values_list("name", flat=True)) == [ORGANISERS]
    (message,) = _role_emails(member)
    assert message.subject.endswith("You are now in the CoP’s organiser role")
    assert "two-step sign-in" in message.body

    # Giving it again changes nothing and sends nothing more.
    response = _role(holder_client, member, "organiser", give=True)
    assert _messages(response) == [f"{member} already has the organiser role."]
    assert len(_role_emails(member)) == 1

    response = _role(holder_client, member, "organiser", give=False)
    assert _messages(response) == [
        f"{member} no longer has the organiser role, from their next page on."
    ]
    assert not member.groups.exists()
    lines = AuditEvent.objects.filter(action__in=["role_granted", "role_removed"]).order_by("pk")
    assert [(e.action, e.actor, e.target_id, e.detail) for e in lines] == [
        ("role_granted", holder, str(member.pk), "organiser"),
        ("role_removed", holder, str(member.pk), "organiser"),
    ]


def test_the_steering_group_role_is_given_the_same_way(holder_client, member):
    _role(holder_client, member, "steering", give=True)
    assert list(member.groups.values_list("name", flat=True)) == [STEERING_GROUP]
    (message,) = _role_emails(member)
    assert "steering group role" in message.subject


def test_nothing_changes_without_the_tick_to_confirm(holder_client, member):
    response = _role(holder_client, member, "organiser", give=True, confirm=False)
    assert _messages(response) == ["Tick the box to confirm. Nothing has been changed."]
    assert not member.groups.exists()
    assert _role_emails(member) == []


def test_an_organiser_without_manage_roles_is_refused(organiser_client, member):
    assert _role(organiser_client, member, "organiser", give=True).status_code == 403
    assert not member.groups.exists()
    page = organiser_client.get(reverse("members:person", args=[member.pk])).content.decode()
    assert "Give the organiser role" not in page


def test_the_member_page_offers_role_changes_to_holders(holder_client, member):
    page = holder_client.get(reverse("members:person", args=[member.pk])).content.decode()
    assert "Give the organiser role" in page
    assert "Give the steering group role" in page


def test_imported_or_erased_members_cannot_be_given_a_role(holder_client, world):
    for who in ("imported", "erased"):
        response = _role(holder_client, world[who], "organiser", give=True)
        assert not world[who].groups.exists()
        assert len(_messages(response)) == 1
    assert not AuditEvent.objects.filter(action="role_granted").exists()


def test_a_holder_cannot_take_away_their_own_role_that_lets_them_manage_roles(client, ground_rules):
    organisers = Group.objects.get(name=ORGANISERS)
    organisers.permissions.add(
        Permission.objects.get(content_type__app_label="members", codename="manage_roles")
    )
    me = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    client.force_login(me)

    response = _role(client, me, "organiser", give=False)

    assert _messages(response) == [
        "You cannot take away your own organiser role: it is what lets you manage roles, and "
        "nobody else could give it back to you. Ask another person who manages roles."
    ]
    assert list(me.groups.values_list("name", flat=True)) == [ORGANISERS]


def test_a_holder_by_name_may_leave_the_organisers(holder_client, holder):
    _role(holder_client, holder, "organiser", give=False)
    assert not holder.groups.exists()


def test_taking_a_role_away_takes_effect_on_the_next_request(
    holder_client, organiser_client, organiser
):
    assert organiser_client.get(PEOPLE).status_code == 200
    _role(holder_client, organiser, "organiser", give=False)
    assert organiser_client.get(PEOPLE).status_code == 403


def test_a_new_organiser_without_an_authenticator_is_sent_to_set_one_up_at_once(
    holder_client, member_client, member
):
    assert member_client.get(reverse("members:home")).status_code == 200
    _role(holder_client, member, "organiser", give=True)

    response = member_client.get(reverse("members:home"))

    assert response["Location"] == reverse("mfa_activate_totp")
    assert MFA_MESSAGE in _messages(response)
    assert member_client.get(PEOPLE)["Location"] == reverse("mfa_activate_totp")


def test_manage_roles_needs_two_step_sign_in_and_is_held_by_no_role():
    from members.middleware import MFA_PERMISSIONS
    from members.roles import ROLE_PERMISSIONS

    assert MANAGE_ROLES in MFA_PERMISSIONS
    assert all(MANAGE_ROLES not in held for held in ROLE_PERMISSIONS.values())


def test_the_organise_page_links_to_people(organiser_client, steering_member, client):
    assert f'href="{PEOPLE}"' in organiser_client.get(reverse("members:organise")).content.decode()
    client.force_login(steering_member)
    assert f'href="{PEOPLE}"' not in client.get(reverse("members:organise")).content.decode()
