"""Data rights: a member's copy of their data, erasure of their account, organisers acting on a
member's request, and the privacy pages. Exact values throughout, on real PostgreSQL."""

import datetime
import json
import logging
from importlib import import_module

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from events.models import (
    Attendance,
    CalendarFeed,
    CaucusMembership,
    Registration,
    Suggestion,
)
from members.forms.data_rights import DELETE_PHRASE
from members.models import (
    Action,
    ActionUpdate,
    AuditEvent,
    CheckIn,
    GroundRulesAgreement,
    User,
)
from members.selectors import dashboard
from members.selectors.data_rights import (
    ABOUT_THIS_FILE,
    ANONYMOUS_ANSWERS,
    CAUCUS_LEFT_OUT,
    member_data_export,
)
from members.services import data_rights as data_rights_services
from members.services.data_rights import USER_RELATIONS, member_erase
from members.services.starter import starter_content_load
from resources.models import (
    CaseStudy,
    Reflection,
    StepProgress,
)
from surveys.models import Answer, Response
from surveys.selectors.results import survey_results
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AnswerFactory,
    AttendanceFactory,
    CalendarFeedFactory,
    CaseStudyFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    CheckInFactory,
    EventFactory,
    InvitationFactory,
    LearningPathwayFactory,
    OrganisationFactory,
    PathwayStepFactory,
    QuestionFactory,
    ReflectionFactory,
    RegistrationFactory,
    ResourceFactory,
    ResponseFactory,
    StepProgressFactory,
    SuggestionFactory,
    SurveyFactory,
    TopicFactory,
    UserFactory,
    permission_give,
)

ANONYMOUS_ANSWERED_LEFT_OUT = (
    "Not included in a copy made by an organiser, because the survey is anonymous: the "
    "member can see it in their own download from their profile."
)
pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
# A name found nowhere else, so its absence from a page means something.
CAUCUS_NAME = "Zephyr caucus"
T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def iso(moment):
    """A time as the downloaded file writes it (JSON, to the millisecond)."""
    return DjangoJSONEncoder().default(moment)


def at(days=0, hours=0):
    return T0 + datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def world(ground_rules):
    """A member who has used every part of the portal, and what surrounds them."""
    organisation = OrganisationFactory(name="Northside NHS Trust", sector="nhs")
    amara = UserFactory(
        email="amara@example.org",
        name="Amara Okafor",
        organisation=organisation,
        job_role="Health visitor",
        sector="nhs",
        seniority="manager",
        listed_in_directory=True,
        email_catch_up=False,
        agreed_to=ground_rules,
        interests=[TopicFactory(name="Mental health")],
    )
    amara.date_joined = at(-30)
    amara.save(update_fields=["date_joined"])
    caucus = CaucusFactory(name=CAUCUS_NAME, slug="zephyr")
    CaucusMembershipFactory(
        member=amara, caucus=caucus, consent_text="I consent to this.", consented_at=at(-20)
    )
    other = UserFactory(email="other@example.org", agreed_to=ground_rules)

    past = EventFactory(
        title="Naming racism at work", starts_at=at(-10), ends_at=at(-10, hours=2), capacity=None
    )
    past_caucus = EventFactory(
        title="Caucus gathering", caucus=caucus, starts_at=at(-5), ends_at=at(-5, hours=1)
    )
    upcoming = EventFactory(title="Allyship in practice", capacity=1)
    for event in (past, past_caucus):
        for person in (amara, other):
            RegistrationFactory(event=event, member=person, requested_at=at(-15))
            AttendanceFactory(event=event, member=person, recorded_at=event.ends_at)
    RegistrationFactory(event=upcoming, member=amara, requested_at=at(-1))
    waiting = RegistrationFactory(event=upcoming, member=other, status="waitlisted")
    CalendarFeedFactory(member=amara, token="feed-secret-token-123", created_at=at(-3))
    SuggestionFactory(
        member=amara, topic="Race and maternity", details="A midwife panel", created_at=at(-2)
    )

    named = SurveyFactory(title="Named feedback", named=True)
    scale = QuestionFactory(survey=named, text="I felt safe")
    pick = QuestionFactory(survey=named, text="Best part", kind="single", choices=["The talks"])
    talks = pick.choices.get()
    free = QuestionFactory(survey=named, text="Anything else?", kind="text")
    anonymous = SurveyFactory(title="Anonymous pulse")
    pulse = QuestionFactory(survey=anonymous, text="Pulse")
    caucus_survey = SurveyFactory(title="Caucus check-in", named=True, caucus=caucus)
    caucus_q = QuestionFactory(survey=caucus_survey, text="Q", kind="text")
    for survey in (named, anonymous, caucus_survey):
        InvitationFactory(survey=survey, member=amara, invited_on=at(-4).date(), responded=True)
    mine = ResponseFactory(
        survey=named,
        member=amara,
        submitted_on=at(-3).date(),
        sector="nhs",
        seniority="senior",
        organisation=organisation,
    )
    AnswerFactory(response=mine, question=scale, value=4)
    AnswerFactory(response=mine, question=pick, choice=talks)
    AnswerFactory(response=mine, question=free, text="More time to talk")
    theirs = ResponseFactory(survey=named, member=other, submitted_on=at(-3).date())
    AnswerFactory(response=theirs, question=scale, value=2)
    AnswerFactory(question=pulse, value=5, response__submitted_on=at(-3).date())
    in_caucus = ResponseFactory(survey=caucus_survey, member=amara, submitted_on=at(-3).date())
    AnswerFactory(response=in_caucus, question=caucus_q, text="Felt heard")

    action = ActionFactory(
        member=amara,
        what="Audit our referral letters",
        why="Language matters",
        due_on=datetime.date(2026, 6, 1),
        level="team",
        event=past,
        status="in_progress",
        created_at=at(-9),
    )
    ActionUpdateFactory(action=action, status="in_progress", note="Begun", created_at=at(-8))
    CheckInFactory(member=amara, stage=2, note="Reading a lot", created_at=at(-7))

    pathway = LearningPathwayFactory(title="Foundations", description="Start here")
    step = PathwayStepFactory(pathway=pathway, resource=ResourceFactory(title="Why race matters"))
    StepProgressFactory(member=amara, step=step, completed_at=at(-6))
    ReflectionFactory(member=amara, step=step, text="This made me rethink triage")

    published = CaseStudyFactory(
        author=amara,
        title="Changing our interpreters policy",
        slug="interpreters",
        context="A busy clinic",
        what_we_did="Rewrote the policy",
        what_changed="Fewer missed appointments",
        status=CaseStudy.Status.PUBLISHED,
        submitted_at=None,
        published_at=at(-4),
        created_at=at(-6),
    )
    draft = CaseStudyFactory(
        author=amara,
        title="A draft",
        slug="a-draft",
        context="c",
        what_we_did="w",
        what_changed="x",
        created_at=at(-1),
    )
    app = SocialApp.objects.create(provider="microsoft", name="Microsoft", client_id="id")
    social = SocialAccount.objects.create(
        user=amara, provider="microsoft", uid="ms-42", extra_data={"displayName": "Amara O"}
    )
    SocialToken.objects.create(app=app, account=social, token="social-access-token-xyz")
    return {
        "amara": amara,
        "other": other,
        "caucus": caucus,
        "past": past,
        "past_caucus": past_caucus,
        "upcoming": upcoming,
        "waiting": waiting,
        "named": named,
        "anonymous": anonymous,
        "published": published,
        "draft": draft,
        "action": action,
    }


def _export(member, viewer=None):
    """The export as the downloaded file holds it."""
    data = member_data_export(member=member, viewer=viewer)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


# The copy ------------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_member_key_by_key(world, ground_rules):
    amara = world["amara"]

    data = _export(amara)

    assert list(data) == [
        "about_this_file",
        "exported_at",
        "account",
        "profile",
        "email_preferences",
        "email_addresses",
        "social_accounts",
        "two_step_sign_in",
        "account_activity",
        "ground_rules_agreements",
        "caucus",
        "event_registrations",
        "attendance",
        "guest_invitations",
        "calendar_feed",
        "suggestions",
        "survey_invitations",
        "named_survey_responses",
        "anonymous_survey_responses",
        "actions",
        "journey_check_ins",
        "pathway_progress",
        "reflections",
        "case_studies",
        "posts",
        "conversations_followed",
        "messages",
        "concerns_raised",
    ]
    assert data["about_this_file"] == ABOUT_THIS_FILE
    assert data["account"] == {
        "email": "amara@example.org",
        "date_joined": "2026-01-31T10:00:00Z",
        "last_login": None,
        "active": True,
        "roles": [],
    }
    assert data["profile"] == {
        "name": "Amara Okafor",
        "organisation": {"name": "Northside NHS Trust", "sector": "NHS"},
        "job_role": "Health visitor",
        "sector": "NHS",
        "seniority": "Manager",
        "areas_of_interest": ["Mental health"],
        "listed_in_directory": True,
        "directory_shows_email": False,
        "profile_completed_at": iso(amara.profile_completed_at),
        "introduction_read_at": iso(amara.introduction_read_at),
    }
    assert data["email_preferences"] == {
        "new_programme": True,
        "reminders": True,
        "catch_up": False,
        "survey_invitations": True,
        "digest": "Monthly, on the 1st",
        "organiser_waiting": True,
    }
    assert data["email_addresses"] == [
        {"email": "amara@example.org", "verified": True, "primary": True}
    ]
    assert data["social_accounts"] == [
        {
            "provider": "microsoft",
            "uid": "ms-42",
            "connected_at": data["social_accounts"][0]["connected_at"],
            "last_login": data["social_accounts"][0]["last_login"],
            "details_from_provider": {"displayName": "Amara O"},
        }
    ]
    agreement = GroundRulesAgreement.objects.get(member=amara)
    assert data["ground_rules_agreements"] == [
        {"version": 1, "agreed_at": iso(agreement.agreed_at)}
    ]
    assert data["caucus"] == {
        "caucus": CAUCUS_NAME,
        "consent_version": "1",
        "consent_text": "I consent to this.",
        "consented_at": "2026-02-10T10:00:00Z",
    }
    assert data["event_registrations"] == [
        {
            "event": "Naming racism at work",
            "event_starts_at": "2026-02-20T10:00:00Z",
            "status": "Registered",
            "requested_at": "2026-02-15T10:00:00Z",
        },
        {
            "event": "Caucus gathering",
            "event_starts_at": "2026-02-25T10:00:00Z",
            "status": "Registered",
            "requested_at": "2026-02-15T10:00:00Z",
        },
        {
            "event": "Allyship in practice",
            "event_starts_at": data["event_registrations"][2]["event_starts_at"],
            "status": "Registered",
            "requested_at": "2026-03-01T10:00:00Z",
        },
    ]
    assert data["attendance"] == [
        {
            "event": "Naming racism at work",
            "event_starts_at": "2026-02-20T10:00:00Z",
            "walk_in": False,
            "recorded_at": "2026-02-20T12:00:00Z",
        },
        {
            "event": "Caucus gathering",
            "event_starts_at": "2026-02-25T10:00:00Z",
            "walk_in": False,
            "recorded_at": "2026-02-25T11:00:00Z",
        },
    ]
    assert data["calendar_feed"] == {"created_at": "2026-02-27T10:00:00Z"}
    assert data["suggestions"] == [
        {
            "topic": "Race and maternity",
            "details": "A midwife panel",
            "suggested_speaker": "",
            "lived_experience_lead": False,
            "status": "New",
            "created_at": "2026-02-28T10:00:00Z",
        }
    ]
    assert data["survey_invitations"] == [
        {"survey": title, "invited_on": "2026-02-26", "reminded_on": None, "responded": True}
        for title in ("Named feedback", "Anonymous pulse", "Caucus check-in")
    ]
    assert data["named_survey_responses"] == [
        {
            "survey": "Caucus check-in",
            "submitted_on": "2026-02-27",
            "answers": [{"question": "Q", "answer": "Felt heard"}],
            "recorded_with_it": {"sector": "", "seniority": "", "organisation": None},
        },
        {
            "survey": "Named feedback",
            "submitted_on": "2026-02-27",
            "answers": [
                {"question": "I felt safe", "answer": 4},
                {"question": "Best part", "answer": "The talks"},
                {"question": "Anything else?", "answer": "More time to talk"},
            ],
            "recorded_with_it": {
                "sector": "nhs",
                "seniority": "senior",
                "organisation": "Northside NHS Trust",
            },
        },
    ]
    assert data["anonymous_survey_responses"] == ANONYMOUS_ANSWERS
    assert data["actions"] == [
        {
            "what": "Audit our referral letters",
            "why": "Language matters",
            "due_on": "2026-06-01",
            "level": "My team",
            "session_that_prompted_it": "Naming racism at work",
            "status": "In progress",
            "value_created": "",
            "shared": False,
            "created_at": "2026-02-21T10:00:00Z",
            "completed_on": None,
            "updates": [
                {"status": "In progress", "note": "Begun", "created_at": "2026-02-22T10:00:00Z"}
            ],
        }
    ]
    assert data["journey_check_ins"] == [
        {"stage": "Understanding", "note": "Reading a lot", "created_at": "2026-02-23T10:00:00Z"}
    ]
    assert data["pathway_progress"] == [
        {
            "pathway": "Foundations",
            "step": 1,
            "resource": "Why race matters",
            "completed_at": "2026-02-24T10:00:00Z",
        }
    ]
    reflection = Reflection.objects.get(member=amara)
    assert data["reflections"] == [
        {
            "pathway": "Foundations",
            "step": 1,
            "text": "This made me rethink triage",
            "updated_at": iso(reflection.updated_at),
        }
    ]
    assert [c["title"] for c in data["case_studies"]] == [
        "Changing our interpreters policy",
        "A draft",
    ]
    assert data["case_studies"][0] == {
        "title": "Changing our interpreters policy",
        "status": "Published",
        "context": "A busy clinic",
        "what_you_did": "Rewrote the policy",
        "what_changed": "Fewer missed appointments",
        "to_share": "",
        "topics": [],
        "show_my_name": True,
        "moderator_comment": "",
        "created_at": "2026-02-24T10:00:00Z",
        "submitted_at": None,
        "published_at": "2026-02-26T10:00:00Z",
    }


def test_the_export_holds_no_password_hash_token_or_other_members_data(world):
    text = json.dumps(_export(world["amara"]))

    assert world["amara"].password not in text
    assert "pbkdf2" not in text
    assert "feed-secret-token-123" not in text
    assert "social-access-token-xyz" not in text
    assert "other@example.org" not in text
    assert "Pulse" not in text  # an anonymous answer cannot be found, so is not there


def test_the_export_of_an_empty_account_has_every_section_empty(member):
    data = _export(member)

    assert data["caucus"] is None
    assert data["calendar_feed"] is None
    for key in (
        "social_accounts",
        "two_step_sign_in",
        "account_activity",
        "event_registrations",
        "attendance",
        "guest_invitations",
        "suggestions",
        "survey_invitations",
        "named_survey_responses",
        "actions",
        "journey_check_ins",
        "pathway_progress",
        "reflections",
        "case_studies",
    ):
        assert data[key] == [], key


def test_an_organiser_without_the_caucus_permission_gets_no_trace_of_the_caucus(world, organiser):
    data = _export(world["amara"], viewer=organiser)

    assert data["caucus"] == CAUCUS_LEFT_OUT
    assert [r["event"] for r in data["event_registrations"]] == [
        "Naming racism at work",
        "Allyship in practice",
    ]
    assert [a["event"] for a in data["attendance"]] == ["Naming racism at work"]
    assert data["survey_invitations"] == [
        {"survey": "Named feedback", "invited_on": "2026-02-26", "reminded_on": None,
         "responded": True},
        {"survey": "Anonymous pulse", "invited_on": "2026-02-26",
         "reminded_on": ANONYMOUS_ANSWERED_LEFT_OUT, "responded": ANONYMOUS_ANSWERED_LEFT_OUT},
    ]  # fmt: skip
    assert [r["survey"] for r in data["named_survey_responses"]] == ["Named feedback"]
    assert data["named_survey_responses"][0]["recorded_with_it"] == {
        "sector": "nhs",
        "seniority": "senior",
        "organisation": "Northside NHS Trust",
    }
    text = json.dumps(data)
    assert CAUCUS_NAME not in text
    assert "Caucus gathering" not in text
    assert "Caucus check-in" not in text


def test_an_organiser_trusted_with_caucus_choices_gets_the_whole_export(world, organiser):
    permission_give(organiser, "events.view_caucus_choice")
    organiser = User.objects.get(pk=organiser.pk)  # a fresh permission cache

    mine, theirs = _export(world["amara"]), _export(world["amara"], viewer=organiser)
    # Made a moment apart: everything but the time of making is the same, except whether the
    # member answered the anonymous survey (and was reminded), which is in their own copy only.
    del mine["exported_at"], theirs["exported_at"]
    assert theirs["survey_invitations"][1] == {
        "survey": "Anonymous pulse",
        "invited_on": "2026-02-26",
        "reminded_on": ANONYMOUS_ANSWERED_LEFT_OUT,
        "responded": ANONYMOUS_ANSWERED_LEFT_OUT,
    }
    assert mine["survey_invitations"][1] == {
        "survey": "Anonymous pulse",
        "invited_on": "2026-02-26",
        "reminded_on": None,
        "responded": True,
    }
    theirs["survey_invitations"][1] = mine["survey_invitations"][1]
    assert theirs == mine


def test_a_member_downloads_their_data_as_an_uncached_attachment(client, world):
    client.force_login(world["amara"])

    response = client.get(reverse("members:data_download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="cop-portal-my-data-{today}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "amara@example.org"
    assert data["caucus"]["caucus"] == CAUCUS_NAME


def test_your_data_page_is_linked_from_the_profile_and_offers_both_rights(member_client):
    profile = member_client.get(reverse("members:profile"))
    assertContains(profile, f'href="{reverse("members:your_data")}"')

    page = member_client.get(reverse("members:your_data"))

    assertContains(page, "<h1>Your data</h1>", html=True)
    assertContains(page, f'href="{reverse("members:data_download")}"')
    assertContains(page, f'href="{reverse("members:account_delete")}"')
    assert "no-store" in page["Cache-Control"]


@pytest.mark.parametrize(
    "name", ["members:your_data", "members:data_download", "members:account_delete"]
)
def test_data_rights_pages_send_a_visitor_to_sign_in(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


# Erasure -------------------------------------------------------------------------------------


def _counts(world):
    """The figures the CoP reports that must not move when a member is erased."""
    named = survey_results(survey=world["named"])
    anonymous = survey_results(survey=world["anonymous"])
    return {
        "attendance_per_event": {
            e["title"]: e["attendance"]
            for e in dashboard.events_with_attendance(dashboard.Period(), dashboard.EVERYTHING)
        },
        "attendance_total": dashboard.attendance_total(dashboard.Period(), dashboard.EVERYTHING),
        "registrations": Registration.objects.count(),
        "named_results": (
            named.responses,
            named.invited,
            [(r.question.text, r.answered, r.distribution, r.texts) for r in named.questions],
        ),
        "anonymous_results": (anonymous.responses, anonymous.invited),
        "answers": Answer.objects.count(),
        "published_case_studies": CaseStudy.objects.filter(status="published").count(),
        "suggestions": Suggestion.objects.count(),
    }


def test_erasure_keeps_the_numbers_and_removes_the_person(
    world, django_capture_on_commit_callbacks
):
    amara = world["amara"]
    before = _counts(world)
    assert before["attendance_per_event"] == {"Naming racism at work": 2, "Caucus gathering": 2}

    with django_capture_on_commit_callbacks(execute=True):
        erased = member_erase(member=amara)

    assert _counts(world) == before
    # The account: no name, no address that can receive mail, no way to sign in.
    erased.refresh_from_db()
    assert erased.email == f"former-member-{amara.pk}@erased.invalid"
    assert erased.name == "Former member"
    assert erased.is_active is False
    assert erased.has_usable_password() is False
    assert erased.erased_at is not None
    assert (erased.organisation, erased.job_role, erased.sector, erased.seniority) == (
        None,
        "",
        "",
        "",
    )
    assert list(erased.interests.all()) == []
    assert erased.listed_in_directory is False
    assert (
        erased.email_programme,
        erased.email_reminders,
        erased.email_catch_up,
        erased.email_surveys,
        erased.email_digest,
    ) == (False, False, False, False, "none")
    # Private data: gone.
    for model, field in [
        (CaucusMembership, "member"),
        (Action, "member"),
        (CheckIn, "member"),
        (Reflection, "member"),
        (StepProgress, "member"),
        (CalendarFeed, "member"),
        (GroundRulesAgreement, "member"),
        (SocialAccount, "user"),
        (CaseStudy, "author"),
        (Response, "member"),
        (Suggestion, "member"),
    ]:
        assert not model.objects.filter(**{field: amara}).exists(), model.__name__
    assert ActionUpdate.objects.filter(action_id=world["action"].pk).count() == 0
    assert SocialToken.objects.count() == 0
    assert amara.emailaddress_set.count() == 0
    # Kept, without the person: the published case study, credited as anonymous.
    published = CaseStudy.objects.get(pk=world["published"].pk)
    assert (published.author, published.credit_author, published.credit) == (
        None,
        False,
        "A CoP member",
    )
    assert not CaseStudy.objects.filter(pk=world["draft"].pk).exists()
    # The named answers stay, linked to nobody.
    assert Response.objects.filter(survey=world["named"], member=None).count() == 1
    # Past bookings and attendance still count; the place to come went to the next in line.
    assert Attendance.objects.filter(member=amara).count() == 2
    assert Registration.objects.get(event=world["upcoming"], member=amara).status == "cancelled"
    world["waiting"].refresh_from_db()
    assert world["waiting"].status == "confirmed"
    # Nothing of the person is left in a fresh copy.
    text = json.dumps(_export(erased))
    for gone in ("amara", "Amara", "Northside", CAUCUS_NAME, "referral", "triage"):
        assert gone not in text


def test_erasing_twice_changes_nothing_more(world):
    first = member_erase(member=world["amara"])
    erased_at = first.erased_at

    second = member_erase(member=world["amara"])

    assert second.erased_at == erased_at
    assert second.email == first.email


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "members.sessions",
    ],
)
def test_erasure_ends_every_session_of_the_member_and_no_other(world, settings, engine):
    settings.SESSION_ENGINE = engine
    amara, other = world["amara"], world["other"]
    theirs, others = Client(), Client()
    theirs.force_login(amara)
    others.force_login(other)
    assert Session.objects.count() == 2
    key = theirs.session.session_key

    member_erase(member=amara)

    assert Session.objects.count() == 1
    # Gone from the cache as well as the table, where the engine keeps one.
    assert import_module(engine).SessionStore().exists(key) is False
    assert theirs.get(reverse("members:profile")).status_code == 302
    assert others.get(reverse("members:profile")).status_code == 200


def test_every_field_pointing_at_a_member_has_an_erasure_decision():
    """A new model that points at a user must say what erasure does with it."""
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and field.related_model is User
        and (field.many_to_one or field.one_to_one)
    }

    assert found == set(USER_RELATIONS)


def _audit_lines(actions=("member_data_exported", "member_erased", "account_deleted")):
    return list(
        AuditEvent.objects.filter(action__in=actions)
        .order_by("pk")
        .values_list("action", "actor_label", "target_id", "detail")
    )


def test_a_member_deletes_their_account_with_their_password(client, world):
    amara = world["amara"]
    client.force_login(amara)
    form = client.get(reverse("members:account_delete"))
    assertContains(form, 'name="password"')
    assertNotContains(form, 'name="phrase"')

    response = client.post(reverse("members:account_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("members:account_deleted")
    done = client.get(response["Location"])
    assertContains(done, "<h1>Your account is deleted</h1>", html=True)
    assert "_auth_user_id" not in client.session
    amara.refresh_from_db()
    assert amara.erased_at is not None
    assert amara.is_active is False
    assert client.login(email="amara@example.org", password=PASSWORD) is False
    assert ("account_deleted", f"user #{amara.pk}", str(amara.pk), "") in _audit_lines()


def test_a_wrong_password_deletes_nothing(client, world):
    amara = world["amara"]
    client.force_login(amara)

    response = client.post(reverse("members:account_delete"), {"password": "not my password"})

    assert response.status_code == 200
    assertContains(response, "That is not your password. Your account has not been deleted.")
    amara.refresh_from_db()
    assert amara.erased_at is None
    assert amara.name == "Amara Okafor"
    assert CaucusMembership.objects.filter(member=amara).exists()


def test_an_account_without_a_password_confirms_with_a_phrase(client, member):
    member.set_unusable_password()
    member.save()
    client.force_login(member)
    form = client.get(reverse("members:account_delete"))
    assertContains(form, 'name="phrase"')
    assertNotContains(form, 'name="password"')

    wrong = client.post(reverse("members:account_delete"), {"phrase": "delete it"})
    assertContains(wrong, f"Type “{DELETE_PHRASE}” exactly to confirm.")
    member.refresh_from_db()
    assert member.erased_at is None

    right = client.post(reverse("members:account_delete"), {"phrase": "  Delete my ACCOUNT "})
    assert right["Location"] == reverse("members:account_deleted")
    member.refresh_from_db()
    assert member.erased_at is not None


def test_deleting_an_account_needs_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["amara"])

    response = client.post(reverse("members:account_delete"), {"password": PASSWORD})

    assert response.status_code == 403
    world["amara"].refresh_from_db()
    assert world["amara"].erased_at is None


# Organisers acting on a member's request -----------------------------------------------------


def test_the_organisers_role_has_the_member_data_permission(organiser, steering_member):
    assert organiser.has_perm("members.manage_member_data") is True
    assert steering_member.has_perm("members.manage_member_data") is False


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("members:member_data", "get"),
        ("members:member_data_detail", "get"),
        ("members:member_data_download", "get"),
        ("members:member_data_erase", "post"),
    ],
)
def test_member_data_pages_refuse_members_and_the_steering_group(
    client, world, steering_member, name, method
):
    args = [] if name == "members:member_data" else [world["other"].pk]
    for user in (world["amara"], steering_member):
        client.force_login(user)
        response = getattr(client, method)(
            reverse(name, args=args), {"confirm_email": "other@example.org"}
        )
        assert response.status_code == 403
    world["other"].refresh_from_db()
    assert world["other"].erased_at is None


def test_an_unknown_member_answers_404(organiser_client):
    response = organiser_client.get(reverse("members:member_data_detail", args=[999999]))

    assert response.status_code == 404


def test_an_organiser_finds_a_member_and_downloads_their_data(
    organiser_client, organiser, world, caplog
):
    caplog.set_level(logging.INFO, logger="members.data_rights")
    index = organiser_client.get(reverse("members:organise"))
    assertContains(index, f'href="{reverse("members:member_data")}"')

    found = organiser_client.get(reverse("members:member_data"), {"email": "AMARA@example.org"})
    detail_url = reverse("members:member_data_detail", args=[world["amara"].pk])
    assertContains(found, f'href="{detail_url}"')
    missing = organiser_client.get(reverse("members:member_data"), {"email": "nobody@example.org"})
    assertContains(missing, "No member has that email address.")
    bad = organiser_client.get(reverse("members:member_data"), {"email": "not an email"})
    assertContains(bad, "Enter a valid email address.")

    detail = organiser_client.get(detail_url)
    assertNotContains(detail, CAUCUS_NAME)
    download = organiser_client.get(
        reverse("members:member_data_download", args=[world["amara"].pk])
    )
    assert "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["account"]["email"] == "amara@example.org"
    assert data["caucus"] == CAUCUS_LEFT_OUT
    assert CAUCUS_NAME not in download.content.decode()
    # Who read whose data is logged, by id only.
    assert [r.getMessage() for r in caplog.records if r.name == "members.data_rights"] == [
        f"Organiser {organiser.pk} downloaded the data of member {world['amara'].pk}"
    ]
    assert _audit_lines() == [
        ("member_data_exported", f"user #{organiser.pk}", str(world["amara"].pk), "")
    ]


def test_an_organiser_erases_a_member_after_typing_their_email(
    organiser_client, organiser, world, caplog
):
    amara = world["amara"]
    url = reverse("members:member_data_erase", args=[amara.pk])
    caplog.set_level(logging.INFO, logger="members.data_rights")

    wrong = organiser_client.post(url, {"confirm_email": "someone@example.org"})
    assertContains(wrong, "That is not this member’s email address. Nothing has been erased.")
    amara.refresh_from_db()
    assert amara.erased_at is None

    right = organiser_client.post(url, {"confirm_email": " Amara@Example.org "}, follow=True)

    assertContains(right, "The member’s personal data is erased and their account is closed.")
    assertContains(right, "This member’s personal data was erased on")
    amara.refresh_from_db()
    assert amara.erased_at is not None
    assert amara.name == "Former member"
    assert [r.getMessage() for r in caplog.records if r.name == "members.data_rights"] == [
        f"Organiser {organiser.pk} erased the data of member {amara.pk}"
    ]
    assert _audit_lines() == [("member_erased", f"user #{organiser.pk}", str(amara.pk), "")]


def test_an_organiser_cannot_erase_an_administrator_or_themselves(organiser_client, organiser):
    admin = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)

    for target in (admin, organiser):
        response = organiser_client.post(
            reverse("members:member_data_erase", args=[target.pk]),
            {"confirm_email": target.email},
        )
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.erased_at is None


def test_an_organisers_erasure_needs_a_csrf_token(world, organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(
        reverse("members:member_data_erase", args=[world["amara"].pk]),
        {"confirm_email": "amara@example.org"},
    )

    assert response.status_code == 403
    world["amara"].refresh_from_db()
    assert world["amara"].erased_at is None


# The privacy pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "title"),
    [
        ("privacy", "Privacy notice"),
        ("special-category-data", "How we protect your caucus choice"),
    ],
)
def test_the_privacy_pages_are_public_and_in_every_footer(client, slug, title):
    starter_content_load()
    url = reverse("members:page", args=[slug])

    response = client.get(url)

    assertContains(response, f"<h1>{title}</h1>", html=True)
    assertContains(response, "Information Commissioner")
    assertContains(client.get(reverse("members:home")), f'href="{url}"')


def test_the_policy_page_names_the_lawful_basis_and_condition(client):
    starter_content_load()

    response = client.get(reverse("members:page", args=["special-category-data"]))

    assertContains(response, "Article 9(2)(a)")
    assertContains(response, "Article 6(1)(e)")
    assertContains(response, "Schedule 1, Part 4")


def test_the_privacy_notice_says_what_erasure_does_with_conversation():
    """The notice promises that deleting an account deletes the member's posts, the concerns
    they raised, the conversations they follow and both sides of their messages, and keeps
    the organisers' decisions. Erasure deciding otherwise must change the notice too."""
    notice = (settings.BASE_DIR / "members" / "starter" / "privacy.md").read_text("utf-8")
    assert (
        "Your posts are not kept in this way: they are deleted, with the concerns raised about "
        "them. So are the concerns you raised (a post hidden only by your concern is shown "
        "again), the conversations you follow, and every message you sent or received, on both "
        "sides"
    ) in notice

    assert {
        field: USER_RELATIONS[field]
        for field in (
            "resources.Post.author",
            "resources.Follow.member",
            "resources.Message.sender",
            "resources.Message.recipient",
            "resources.Concern.raised_by",
            "resources.Concern.decided_by",
        )
    } == {
        "resources.Post.author": "deleted",
        "resources.Follow.member": "deleted",
        "resources.Message.sender": "deleted",
        "resources.Message.recipient": "deleted",
        "resources.Concern.raised_by": "deleted (a post hidden only by it is shown again)",
        "resources.Concern.decided_by": "kept",
    }


def test_the_sign_up_page_links_to_the_privacy_notice(client):
    response = client.get(reverse("account_signup"))

    assertContains(response, f'href="{reverse("members:page", args=["privacy"])}"')


def test_settings_keep_sessions_in_the_database():
    """Erasure ends a member's sessions by reading the session table."""
    assert import_module(settings.SESSION_ENGINE).__name__ in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
        "members.sessions",
    }
    assert data_rights_services.Session is Session
