"""Accounts through the pages: signing up and in, the profile and the member directory; and their
hardening (issue 9, item 4): MFA for organisers and staff, the admin's sign-in, session rotation
and timeouts, asking for the password again, and password rules."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from cop_portal.web.middleware import ABSOLUTE_MESSAGE, IDLE_MESSAGE, SEEN_AT, SIGNED_IN_AT
from members.middleware import MFA_CHECKED_AT, MFA_MESSAGE
from members.models import AuditEvent, User
from members.roles import ORGANISERS, STEERING_GROUP
from tests.factories import TOTP_SECRET, OrganisationFactory, TopicFactory, UserFactory, totp_code
from tests.prod_settings import production_settings

PASSWORD = "correct horse battery staple"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _sign_in(client, user, *, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def _reauthenticate(client, *, password=PASSWORD):
    return client.post(reverse("account_reauthenticate"), {"password": password})


# Signing up and in, the profile and the directory -------------------------------------------------


@pytest.mark.django_db
def test_unverified_member_cannot_sign_in(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": "a long passphrase"}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("members:profile"))["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_signing_in_sends_a_member_without_a_profile_to_complete_it(client):
    UserFactory(email="half@example.org", profile_completed_at=None)
    response = client.post(
        reverse("account_login"),
        {"login": "half@example.org", "password": "correct horse battery staple"},
    )
    assert response["Location"] == reverse("members:profile_edit")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["members:profile", "members:profile_edit", "members:directory", "members:organise"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_profile_edit_keeps_what_was_typed_when_the_name_is_missing(member_client, member):
    response = member_client.post(
        reverse("members:profile_edit"), {"name": "", "job_role": "Social prescriber"}
    )
    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert b'value="Social prescriber"' in response.content
    member.refresh_from_db()
    assert member.job_role == "Community nurse"


def test_profile_shows_not_stated_for_a_blank_organisation(client, ground_rules):
    user = UserFactory(organisation=None, agreed_to=ground_rules)
    client.force_login(user)
    response = client.get(reverse("members:profile"))
    assert (
        b'<dt class="col-sm-4">Organisation</dt><dd class="col-sm-8">Not stated</dd>'
        in response.content
    )


def test_directory_lists_only_members_who_opted_in(member_client, ground_rules):
    topic = TopicFactory(name="Clinical bias")
    council = OrganisationFactory(name="Borough Council", sector="local_authority")
    UserFactory(
        name="Listed Person",
        listed_in_directory=True,
        organisation=council,
        sector="local_authority",
        interests=[topic],
    )
    UserFactory(name="Private Person", listed_in_directory=False)

    response = member_client.get(reverse("members:directory"))
    assert b"Listed Person" in response.content
    assert b"Private Person" not in response.content
    assert b"1 member</h2>" in response.content
    assert b"Interests: Clinical bias" in response.content

    response = member_client.get(reverse("members:directory"), {"sector": "nhs"})
    assert b"Listed Person" not in response.content
    response = member_client.get(reverse("members:directory"), {"interest": topic.pk})
    assert b"Listed Person" in response.content


def test_directory_shows_an_email_only_when_the_member_chose_to(member_client):
    UserFactory(email="shown@example.org", listed_in_directory=True, directory_shows_email=True)
    UserFactory(email="hidden@example.org", listed_in_directory=True)
    response = member_client.get(reverse("members:directory"))
    assert b"mailto:shown@example.org" in response.content
    assert b"hidden@example.org" not in response.content


@pytest.mark.parametrize(
    "params", [{"organisation": "abc"}, {"sector": "<script>"}, {"page": "x"}, {"page": "99999"}]
)
def test_directory_handles_bad_filters(member_client, params):
    response = member_client.get(reverse("members:directory"), params)
    assert response.status_code == 200


def test_directory_query_count_does_not_grow_with_members(member_client, same_queries_at_two_sizes):
    """The directory must not run a query per member card (organisation and interests)."""

    def make(n):
        for _ in range(n):
            UserFactory(listed_in_directory=True, interests=[TopicFactory()])

    pages = same_queries_at_two_sizes(
        member_client, reverse("members:directory"), grow=make, sizes=(3, 20)
    )
    assert pages.small.context["page"].paginator.count == 3
    assert pages.large.context["page"].paginator.count == 23
    assert pages.queries <= 10


@pytest.mark.django_db
def test_microsoft_sign_in_is_hidden_unless_configured(client):
    assert b"Microsoft" not in client.get(reverse("account_login")).content


@pytest.mark.django_db
@override_settings(
    SOCIALACCOUNT_PROVIDERS={
        "microsoft": {
            "APPS": [{"client_id": "id", "secret": "s", "settings": {"tenant": "organizations"}}]
        }
    }
)
def test_microsoft_sign_in_shows_when_configured(client):
    assert b"Microsoft" in client.get(reverse("account_login")).content


# MFA ---------------------------------------------------------------------------------------------


def test_factory_gives_organisers_and_staff_an_authenticator_app_and_members_none(ground_rules):
    organiser = UserFactory(groups=[ORGANISERS])
    staff = UserFactory(is_staff=True)
    member = UserFactory()
    assert Authenticator.objects.get(user=organiser, type="totp").data == {"secret": TOTP_SECRET}
    assert Authenticator.objects.filter(user=staff, type="totp").count() == 1
    assert Authenticator.objects.filter(user=organiser, type="recovery_codes").count() == 1
    assert not Authenticator.objects.filter(user=member).exists()


def test_organiser_with_mfa_is_asked_for_a_code_at_sign_in(client, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    response = _sign_in(client, organiser)
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: the password alone does not open an organiser's account.
    assert client.get(reverse("members:organise"))["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response["Location"] == reverse("members:home")
    assert client.get(reverse("members:organise")).status_code == 200


@pytest.mark.parametrize(
    "kind", [{"groups": [ORGANISERS]}, {"is_staff": True}, {"is_superuser": True}]
)
def test_organiser_or_admin_without_mfa_is_sent_to_set_it_up(client, ground_rules, kind):
    user = UserFactory(agreed_to=ground_rules, mfa=False, **kind)
    response = _sign_in(client, user)
    assert response["Location"] == reverse("members:home")
    response = client.get(reverse("members:home"))
    assert response["Location"] == reverse("mfa_activate_totp")
    assert _messages(response) == [f"You are signed in as {user.name}.", MFA_MESSAGE]
    for name in ("members:organise", "members:profile", "events:programme"):
        assert client.get(reverse(name))["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")


def _with_permission(user, codename):
    from django.contrib.auth.models import Group, Permission

    app_label, codename = codename.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    group, _ = Group.objects.get_or_create(name=f"Holders of {codename}")
    group.permissions.add(permission)
    user.groups.add(group)
    return user


@pytest.mark.parametrize(
    "holds",
    [
        {"groups": [STEERING_GROUP]},
        {"permission": "events.view_caucus_choice"},
        {"permission": "surveys.view_unsuppressed_results"},
        {"direct": "surveys.view_unsuppressed_results"},
    ],
)
def test_whoever_can_see_sensitive_figures_must_set_up_mfa(client, ground_rules, holds):
    """The steering group reads free-text answers; the two special permissions show caucus
    choices and figures with small numbers. None of them is an organiser role."""
    from django.contrib.auth.models import Permission

    user = UserFactory(agreed_to=ground_rules, mfa=False, groups=holds.get("groups", []))
    if "permission" in holds:
        _with_permission(user, holds["permission"])
    if "direct" in holds:
        app_label, codename = holds["direct"].split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    _sign_in(client, user)

    response = client.get(reverse("members:home"))

    assert response["Location"] == reverse("mfa_activate_totp")
    assert MFA_MESSAGE in _messages(response)
    assert client.get(reverse("members:profile"))["Location"] == reverse("mfa_activate_totp")


def test_steering_group_member_cannot_turn_mfa_off(client, ground_rules):
    user = UserFactory(agreed_to=ground_rules, groups=[STEERING_GROUP])
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    from members.adapters import MFAAdapter

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(authenticator) is False


def test_member_without_mfa_is_not_asked_to_set_it_up(member_client):
    assert member_client.get(reverse("members:home")).status_code == 200


def test_mfa_set_up_reauthentication_and_sign_out_stay_reachable(client, ground_rules):
    user = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS], mfa=False)
    _sign_in(client, user)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    response = client.post(reverse("account_logout"))
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_turning_on_mfa_lets_the_organiser_carry_on_at_once(
    client, ground_rules, django_capture_on_commit_callbacks
):
    user = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS], mfa=False)
    _sign_in(client, user)
    assert _reauthenticate(client)["Location"] == reverse("members:home")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Set up two-step sign-in" in page.content.decode()
    secret = client.session["mfa.totp.secret"]
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type="totp").count() == 1
    assert client.get(reverse("members:organise")).status_code == 200
    assert sorted(AuditEvent.objects.filter(action="mfa_added").values_list("actor", "detail")) == [
        (user.pk, "recovery_codes"),
        (user.pk, "totp"),
    ]


def test_new_organiser_is_asked_for_mfa_on_their_next_page(client, ground_rules):
    user = UserFactory(agreed_to=ground_rules)
    client.force_login(user)
    assert client.get(reverse("members:home")).status_code == 200
    user.groups.add(*User.groups.field.related_model.objects.filter(name=ORGANISERS))
    # The "not needed" answer is kept for a minute, but only while the member's permissions are
    # those it was worked out with: a new role is noticed on the very next page.
    assert client.get(reverse("members:home"))["Location"] == reverse("mfa_activate_totp")


def test_made_staff_is_asked_for_mfa_on_the_next_page(client, ground_rules):
    user = UserFactory(agreed_to=ground_rules)
    client.force_login(user)
    assert client.get(reverse("members:home")).status_code == 200
    user.is_staff = True
    user.save()
    assert client.get(reverse("members:home"))["Location"] == reverse("mfa_activate_totp")


def test_the_mfa_answer_is_kept_for_a_minute_while_nothing_changes(client, ground_rules):
    user = UserFactory(agreed_to=ground_rules)
    client.force_login(user)
    client.get(reverse("members:home"))
    checked_at = client.session[MFA_CHECKED_AT]
    client.get(reverse("members:home"))
    assert client.session[MFA_CHECKED_AT] == checked_at


def test_organiser_cannot_turn_mfa_off(client, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    client.force_login(organiser)
    # Turning it off asks for the password (or a code) again first.
    assert client.get(reverse("mfa_deactivate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    _reauthenticate(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "Your role needs two-step sign-in, so it must stay turned on." in (
        response.content.decode()
    )
    assert Authenticator.objects.filter(user=organiser, type="totp").count() == 1


def test_member_may_turn_mfa_on_and_off(client, ground_rules):
    member = UserFactory(agreed_to=ground_rules, mfa=True)
    client.force_login(member)
    _reauthenticate(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=member).exists()


def test_mfa_pages_use_the_portal_layout(client, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    client.force_login(organiser)
    html = client.get(reverse("mfa_index")).content.decode()
    assert html.count("<h1>") == 1
    assert "Skip to main content" in html
    assert '<section class="card mb-3">' in html


# The admin's sign-in -----------------------------------------------------------------------------


def test_admin_sign_in_goes_through_the_portal_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    response = client.post(reverse("admin:login"), {"username": "x@example.org", "password": "x"})
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_sign_in_refuses_members_who_are_not_staff(member_client, member):
    response = member_client.get(reverse("admin:login"))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access_denied")
    assert (event.actor_id, event.path) == (member.pk, reverse("admin:login"))


def test_staff_reach_the_admin_after_signing_in_with_a_code(client, ground_rules):
    staff = UserFactory(agreed_to=ground_rules, is_staff=True, is_superuser=True)
    response = client.post(
        reverse("account_login") + "?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_sign_in_is_rate_limited_after_five_failures_on_one_address(client, member):
    for _ in range(5):
        response = _sign_in(client, member, password="wrong password")
        assert "The email address and/or password you specified are not correct." in (
            response.content.decode()
        )
    response = _sign_in(client, member)
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


# Sessions ----------------------------------------------------------------------------------------


def test_signing_in_through_the_form_gives_a_new_session_id(client, member):
    session = client.session  # an anonymous visitor's session, before signing in
    session["seen_the_cookie_banner"] = True
    session.save()
    before = session.session_key
    response = _sign_in(client, member)
    assert response["Location"] == reverse("members:home")
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(member.pk)


def test_signing_in_with_a_code_gives_a_new_session_id(client, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    _sign_in(client, organiser)
    halfway = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != halfway


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_signing_in_starts_both_session_clocks(client, member):
    _sign_in(client, member)
    now = int(time.time())
    assert now - 2 <= client.session[SIGNED_IN_AT] <= now
    assert client.session[SEEN_AT] == client.session[SIGNED_IN_AT]


def test_session_ends_after_thirty_idle_minutes(member_client, member):
    _age_session(member_client, **{SEEN_AT: 30 * 60 - 5})
    assert member_client.get(reverse("members:profile")).status_code == 200
    _age_session(member_client, **{SEEN_AT: 30 * 60})
    response = member_client.get(reverse("members:profile") + "?tab=1")
    assert response["Location"] == reverse("account_login") + "?next=/profile/%3Ftab%3D1"
    assert "_auth_user_id" not in member_client.session
    page = member_client.get(response["Location"])
    assert IDLE_MESSAGE.format(minutes=30) in page.content.decode()
    event = AuditEvent.objects.get(action="session_expired")
    assert (event.actor_id, event.detail, event.path) == (member.pk, "idle", "/profile/")


def test_session_ends_twelve_hours_after_signing_in_however_busy(member_client, member):
    _age_session(member_client, **{SIGNED_IN_AT: 12 * 3600 - 5, SEEN_AT: 1})
    assert member_client.get(reverse("members:home")).status_code == 200
    _age_session(member_client, **{SIGNED_IN_AT: 12 * 3600, SEEN_AT: 1})
    response = member_client.post(reverse("members:ground_rules_agree"), {"version": "1"})
    assert response["Location"] == reverse("account_login")
    page = member_client.get(response["Location"])
    assert ABSOLUTE_MESSAGE.format(hours=12) in page.content.decode()
    assert AuditEvent.objects.get(action="session_expired").detail == "absolute"


@override_settings(SESSION_IDLE_TIMEOUT=120, SESSION_ABSOLUTE_TIMEOUT=600)
def test_session_timeouts_come_from_settings(member_client):
    # The clock stands still: on a busy machine a second could pass between ageing the session
    # and the request, and 119 seconds become 120.
    with time_machine.travel(time.time(), tick=False):
        _age_session(member_client, **{SEEN_AT: 119})
        assert member_client.get(reverse("members:home")).status_code == 200
        _age_session(member_client, **{SEEN_AT: 120})
        assert member_client.get(reverse("members:home")).status_code == 302
    assert (
        IDLE_MESSAGE.format(minutes=2)
        in member_client.get(reverse("account_login")).content.decode()
    )


def test_last_seen_is_written_at_most_once_a_minute(member_client):
    key = member_client.session.session_key
    member_client.get(reverse("members:profile"))  # warm: the session learns the ground rules
    # 40 seconds rather than 59: the request below must not cross the minute on a busy machine.
    _age_session(member_client, **{SEEN_AT: 40})
    stored = Session.objects.get(session_key=key).session_data
    member_client.get(reverse("members:profile"))
    assert Session.objects.get(session_key=key).session_data == stored
    _age_session(member_client, **{SEEN_AT: 60})
    member_client.get(reverse("members:profile"))
    assert abs(member_client.session[SEEN_AT] - int(time.time())) <= 1


def test_a_session_from_before_the_clocks_gets_them_on_its_next_request(member_client):
    session = member_client.session
    del session[SIGNED_IN_AT], session[SEEN_AT]
    session.save()
    assert member_client.get(reverse("members:home")).status_code == 200
    assert abs(member_client.session[SIGNED_IN_AT] - int(time.time())) <= 1


def test_session_checks_add_no_queries(client, ground_rules, django_assert_num_queries):
    """The timeout and MFA checks read the session only; they must not cost a query."""
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    client.force_login(organiser)
    client.get(reverse("members:profile"))
    without = [
        m
        for m in settings.MIDDLEWARE
        if m
        not in (
            "cop_portal.web.middleware.SessionTimeoutMiddleware",
            "members.middleware.MFARequiredMiddleware",
        )
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with override_settings(MIDDLEWARE=without), CaptureQueriesContext(connection) as baseline:
        client.get(reverse("members:profile"))
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(reverse("members:profile"))


# Asking for the password again -------------------------------------------------------------------


def test_adding_an_email_address_asks_for_the_password_again(client, member):
    _sign_in(client, member)
    data = {"action_add": "", "email": "second@example.org"}
    response = client.post(reverse("account_email"), data)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not member.emailaddress_set.filter(email="second@example.org").exists()
    response = _reauthenticate(client, password="not my password")
    assert response.status_code == 200
    _reauthenticate(client)
    client.post(reverse("account_email"), data)
    assert member.emailaddress_set.filter(email="second@example.org").exists()


def test_turning_on_mfa_asks_for_the_password_again(member_client):
    response = member_client.get(reverse("mfa_activate_totp"))
    assert response["Location"] == (
        reverse("account_reauthenticate") + "?next=" + "%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )


# Password rules ----------------------------------------------------------------------------------


def _sign_up(client, password):
    return client.post(
        reverse("account_signup"),
        {"email": "joiner@example.org", "password1": password, "password2": password},
    )


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("Kw7!pz", "This password is too short. It must contain at least 8 characters."),
        ("Kw7!pzQ", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("iloveyou", "This password is too common."),
        ("83920174", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, db, password, error):
    response = _sign_up(client, password)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(email="joiner@example.org").exists()


@pytest.mark.parametrize(
    "password",
    [
        "Kw7!pzQa",  # exactly eight
        "when the river runs quiet we still hear the people who were not in the room",
        "a" * 5 + " quiet river " * 9 + "z",  # 123 characters, spaces and all
        "é" * 128,
    ],
)
def test_long_passphrases_and_eight_characters_are_accepted(client, db, password):
    _sign_up(client, password)
    user = User.objects.get(email="joiner@example.org")
    assert user.check_password(password)


def test_password_validators_are_the_documented_set():
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] == {"min_length": 8}


# The shared cache for rate limits ----------------------------------------------------------------


def _prod_caches(**env):
    return production_settings("CACHES", **env)["CACHES"]["default"]


def test_production_shares_rate_limits_through_redis_when_given_one():
    assert _prod_caches(REDIS_URL="redis://127.0.0.1:6379/0") == {
        "BACKEND": "cop_portal.web.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


def test_production_without_redis_shares_rate_limits_through_the_database():
    assert _prod_caches() == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }


@pytest.mark.django_db(transaction=True)
def test_migrate_makes_the_database_cache_table():
    from importlib import import_module

    from django.core.cache import caches
    from django.db import connection

    migration = import_module("members.migrations.0005_shared_cache_table")
    database_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
    with override_settings(CACHES=database_cache):
        migration.create_cache_table(None, connection.schema_editor())
        try:
            assert "portal_cache" in connection.introspection.table_names()
            caches["default"].set("login_failed:someone", 3)
            assert caches["default"].get("login_failed:someone") == 3
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE portal_cache")
