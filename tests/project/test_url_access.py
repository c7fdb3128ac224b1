"""Who may open what: every route in the URL configuration, for every kind of visitor.

`ACCESS` is the portal's allow-list. Each route (by name, or by pattern when it has no name)
says what an anonymous visitor, a member who has finished joining, an organiser and a
steering-group member get when they open it. The walk below finds every route, including
allauth's and the admin's, so a new view that nobody has made a decision about fails
`test_every_route_has_a_decision` until someone adds its row.

Adding a row: `"namespace:name": row(MEMBERS)`, using one of the named decisions below or an
`Access(anonymous, member, organiser, steering)` of its own. A route with arguments names
them, read from the `world` fixture: `row(OWNER, pk="action.pk")`; add what it needs to the
world if it is not there yet.

The same walk drives the CSRF tests: every route refuses a POST without a token, except the
few that are exempt on purpose (listed, with the reason, in `CSRF_EXEMPT`).

The other tests here check that a member's own things (actions, check-ins, reflections, survey
answers, caucus material, draft case studies) answer 404 to every other member."""

import datetime
import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from events.models import Suggestion
from events.services import calendar_feed_get_or_create
from members.models import ContentPage, JourneyStage, ValueStory
from members.selectors import onboarding as member_selectors
from members.services import onboarding as member_services
from members.services.accounts import welcome_token
from members.services.emails import unsubscribe_token
from members.services.imports import member_import_create
from resources import services as resource_services
from resources.models import CaseStudy, Reflection, Resource, Space
from resources.services import conversation as conversation_services
from surveys.models import Question
from surveys.services.respond import invitation_link_create, response_submit
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaseStudyFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    CheckInFactory,
    ContentPageFactory,
    EventFactory,
    GlossaryTermFactory,
    GoalFactory,
    GroundRulesFactory,
    GuestFactory,
    InitiativeFactory,
    LearningPathwayFactory,
    PathwayStepFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReflectionFactory,
    ResourceFactory,
    SuggestionFactory,
    SurveyFactory,
    TopicFactory,
    UserFactory,
    guest_link,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What a visitor gets -------------------------------------------------------------------------

OK = 200
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405  # the route exists but answers another method (a form's POST, say)
LOGIN = "sign-in redirect"  # to the portal's sign-in page, coming back here afterwards
ADMIN_LOGIN = "admin sign-in redirect"  # to the admin's sign-in page, coming back here


def to(path: str) -> str:
    """A redirect somewhere else."""
    return f"redirect to {path}"


@dataclass(frozen=True)
class Access:
    anonymous: object
    member: object
    organiser: object
    steering: object


ROLES = ("anonymous", "member", "organiser", "steering")

# The usual decisions, by name. A row may also spell out its own Access(...).
PUBLIC = Access(OK, OK, OK, OK)
MEMBERS = Access(LOGIN, OK, OK, OK)
MEMBERS_POST = Access(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
# Only the member it belongs to: everyone else is told it does not exist.
OWNER = Access(LOGIN, OK, NOT_FOUND, NOT_FOUND)
ORGANISERS_ONLY = Access(LOGIN, FORBIDDEN, OK, FORBIDDEN)
ORGANISERS_POST = Access(LOGIN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN)
# Organisers and the steering group (read-only reports and survey results).
REPORTS = Access(LOGIN, FORBIDDEN, OK, OK)
# The Django admin is for staff only, and none of these four is staff. The admin's own pages
# send a visitor to its sign-in page; the models' pages are not marked public, so the portal's
# sign-in comes first for a visitor.
STAFF = Access(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)
STAFF_MODEL = Access(LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN)
# allauth's pages for signing in: a signed-in person is sent home instead.
# Asked to confirm their password first (allauth's reauthentication).
REAUTH = to("/accounts/reauthenticate/")
SIGNED_OUT_ONLY = Access(OK, to("/"), to("/"), to("/"))


def signed_in_sent_to(path: str) -> Access:
    """Visitors are asked to sign in; everyone signed in is sent on to `path`."""
    return Access(LOGIN, *[to(path)] * 3)


@dataclass(frozen=True)
class Row:
    access: Access
    # URL arguments: a string "a.b" is read from the world fixture (world.a.b); anything else
    # is used as it is.
    kwargs: dict


def row(access: Access, **kwargs) -> Row:
    return Row(access, kwargs)


ACCESS = {
    # members: joining, profile, directory --------------------------------------------------
    "members:home": row(PUBLIC),
    "members:introduction": row(PUBLIC),
    "members:introduction_read": row(MEMBERS_POST),
    "members:ground_rules": row(PUBLIC),
    "members:ground_rules_agree": row(MEMBERS_POST),
    "members:glossary": row(PUBLIC),
    "members:page": row(PUBLIC, slug="accessibility"),
    "members:page_versions": row(PUBLIC, slug="accessibility"),
    "members:page_version": row(PUBLIC, slug="accessibility", version=1),
    "members:profile": row(MEMBERS),
    "members:profile_edit": row(MEMBERS),
    "members:email_preferences": row(MEMBERS),
    # The signed token is the authorisation: it works from an email, signed in or not.
    "members:unsubscribe": row(PUBLIC, token="unsubscribe_token"),
    "members:directory": row(MEMBERS),
    "health": row(PUBLIC),
    "liveness": row(PUBLIC),
    # For monitoring, open to all; no worker runs during this walk, so every schedule is late.
    "schedules_health": row(Access(503, 503, 503, 503)),
    # members: data rights -------------------------------------------------------------------
    "members:your_data": row(MEMBERS),
    "members:data_download": row(MEMBERS),
    "members:account_delete": row(MEMBERS),
    "members:account_deleted": row(PUBLIC),
    "members:member_data": row(ORGANISERS_ONLY),
    "members:member_data_detail": row(ORGANISERS_ONLY, pk="member.pk"),
    "members:member_data_download": row(ORGANISERS_ONLY, pk="member.pk"),
    "members:member_data_erase": row(ORGANISERS_POST, pk="member.pk"),
    # members: people and roles (giving roles needs members.manage_roles, which no role holds)
    "members:people": row(ORGANISERS_ONLY),
    "members:people_csv": row(ORGANISERS_ONLY),
    "members:person": row(ORGANISERS_ONLY, pk="member.pk"),
    "members:person_role": row(Access(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN), pk="member.pk"),
    # members: organising ------------------------------------------------------------------
    "members:organise": row(REPORTS),
    "members:introduction_edit": row(ORGANISERS_ONLY),
    "members:content_pages_manage": row(ORGANISERS_ONLY),
    "members:content_page_edit": row(ORGANISERS_ONLY, slug="accessibility"),
    "members:ground_rules_versions": row(ORGANISERS_ONLY),
    "members:ground_rules_new": row(ORGANISERS_ONLY),
    "members:ground_rules_edit": row(ORGANISERS_ONLY, version="draft_rules.version"),
    "members:ground_rules_publish": row(ORGANISERS_POST, version="draft_rules.version"),
    "members:glossary_manage": row(ORGANISERS_ONLY),
    "members:glossary_term_new": row(ORGANISERS_ONLY),
    "members:glossary_term_edit": row(ORGANISERS_ONLY, pk="term.pk"),
    "members:glossary_term_delete": row(ORGANISERS_ONLY, pk="term.pk"),
    "members:organisations": row(ORGANISERS_ONLY),
    "members:organisation_new": row(ORGANISERS_ONLY),
    "members:organisation_edit": row(ORGANISERS_ONLY, pk="member.organisation_id"),
    "members:organisation_merge": row(ORGANISERS_ONLY),
    "members:import_data": row(ORGANISERS_ONLY),
    "members:imported_members": row(ORGANISERS_ONLY),
    # The welcome link is the authorisation: it opens for whoever holds it, signed in or not.
    "members:claim": row(PUBLIC, token="claim_token"),
    "members:dashboard": row(REPORTS),
    "members:dashboard_csv": row(REPORTS),
    "members:termly_report": row(REPORTS),
    "members:value_stories": row(REPORTS),
    "members:value_story_new": row(ORGANISERS_ONLY),
    "members:value_story_edit": row(ORGANISERS_ONLY, pk="story.pk"),
    "members:value_story_delete": row(ORGANISERS_ONLY, pk="story.pk"),
    "members:background": row(ORGANISERS_ONLY),
    "outgoing_email": row(ORGANISERS_ONLY),
    "outgoing_email_retry": row(ORGANISERS_POST),
    # members: actions and journey (private to the member) --------------------------------
    "members:actions": row(MEMBERS),
    "members:action_new": row(MEMBERS),
    # Only for a session the member was recorded at: anyone else is told it does not exist.
    "members:action_from_session": row(OWNER, slug="attended_session.slug"),
    "members:actions_shared": row(MEMBERS),
    "members:action_detail": row(OWNER, pk="action.pk"),
    "members:action_edit": row(OWNER, pk="action.pk"),
    "members:action_delete": row(OWNER, pk="action.pk"),
    "members:journey": row(MEMBERS),
    # events: the programme --------------------------------------------------------------
    "events:programme": row(PUBLIC),
    "events:past": row(PUBLIC),
    "events:programme_feed": row(PUBLIC),
    "events:detail": row(PUBLIC, slug="event.slug"),
    "events:event_ics": row(PUBLIC, slug="event.slug"),
    "events:register": row(MEMBERS_POST, slug="event.slug"),
    "events:cancel_registration": row(MEMBERS_POST, slug="event.slug"),
    "events:mine": row(MEMBERS),
    "events:feed_reset": row(MEMBERS_POST),
    # The secret address is the authorisation: calendar apps fetch it without signing in.
    "events:personal_feed": row(PUBLIC, token="feed_token"),
    "events:caucus": row(MEMBERS),
    "events:caucus_withdraw": row(MEMBERS_POST),
    "events:suggestions": row(MEMBERS),
    # A guest's personal link is the authorisation: it opens their invitation for whoever holds
    # it, signed in or not, then moves to a page without the token in the address. That page,
    # its calendar file and its forms answer only a browser that followed a link.
    "events:guest_link": row(Access(*[to("/guest/invitation/")] * 4), token="guest_token"),
    "events:guest_page": row(Access(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "events:guest_ics": row(Access(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "events:guest_reply": row(Access(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "events:guest_join": row(Access(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # events: organising -------------------------------------------------------------------
    "events:organise_programme": row(ORGANISERS_ONLY),
    "events:programme_new": row(ORGANISERS_ONLY),
    "events:programme_edit": row(ORGANISERS_ONLY, pk="programme.pk"),
    "events:programme_publish": row(ORGANISERS_ONLY, pk="programme.pk"),
    "events:event_new": row(ORGANISERS_ONLY),
    "events:event_edit": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_publish": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_cancel": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_copy": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_repeat": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_attendance": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_walk_in": row(ORGANISERS_POST, pk="event.pk"),
    "events:event_bookings": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_place_give": row(ORGANISERS_POST, pk="event.pk"),
    "events:event_message": row(ORGANISERS_POST, pk="event.pk"),
    "events:event_summary": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:event_guests": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:guest_resend": row(ORGANISERS_POST, pk="event.pk", guest_id="guest.pk"),
    "events:guest_withdraw": row(ORGANISERS_POST, pk="event.pk", guest_id="guest.pk"),
    "events:guest_attendance": row(ORGANISERS_POST, pk="event.pk"),
    "events:guest_briefing": row(ORGANISERS_ONLY, pk="event.pk"),
    "events:suggestions_triage": row(ORGANISERS_ONLY),
    "events:descriptions": row(ORGANISERS_ONLY),
    "events:kind_new": row(ORGANISERS_ONLY),
    "events:kind_edit": row(ORGANISERS_ONLY, pk="event.kind_id"),
    "events:kind_delete": row(ORGANISERS_ONLY, pk="event.kind_id"),
    "events:goal_new": row(ORGANISERS_ONLY),
    "events:goal_edit": row(ORGANISERS_ONLY, pk="goal.pk"),
    "events:goal_delete": row(ORGANISERS_ONLY, pk="goal.pk"),
    "events:caucus_new": row(ORGANISERS_ONLY),
    "events:caucus_edit": row(ORGANISERS_ONLY, pk="caucus.pk"),
    "events:suggestion_edit": row(ORGANISERS_ONLY, pk="suggestion.pk"),
    # resources: the hub -------------------------------------------------------------------
    "resources:browse": row(PUBLIC),
    "resources:search": row(PUBLIC),
    "resources:catch_up": row(MEMBERS),
    "resources:detail": row(MEMBERS, slug="resource.slug"),
    "resources:download": row(MEMBERS, slug="file_resource.slug"),
    # resources: pathways, case studies, initiatives -----------------------------------------
    "resources:pathways": row(MEMBERS),
    "resources:pathway": row(MEMBERS, slug="pathway.slug"),
    "resources:step_done": row(MEMBERS_POST, slug="pathway.slug", step_id="step.pk"),
    "resources:reflection": row(MEMBERS_POST, slug="pathway.slug", step_id="step.pk"),
    "resources:case_studies": row(MEMBERS),
    "resources:my_case_studies": row(MEMBERS),
    "resources:case_study_new": row(MEMBERS),
    "resources:case_study": row(MEMBERS, slug="case_study.slug"),
    "resources:case_study_edit": row(OWNER, slug="draft_case_study.slug"),
    "resources:case_study_submit": row(MEMBERS_POST, slug="draft_case_study.slug"),
    "resources:initiatives": row(MEMBERS),
    "resources:initiative": row(MEMBERS, slug="initiative.slug"),
    # resources: organising ----------------------------------------------------------------
    "resources:conversations": row(MEMBERS),
    "resources:space": row(MEMBERS, slug="space.slug"),
    "resources:session_thread": row(MEMBERS, slug="event.slug"),
    "resources:resource_thread": row(MEMBERS, slug="resource.slug"),
    "resources:thread_follow": row(MEMBERS_POST, pk="post.thread_id"),
    "resources:post_delete": row(MEMBERS_POST, pk="post.pk"),
    "resources:post_concern": row(MEMBERS, pk="post.pk"),
    "resources:inbox": row(MEMBERS),
    # Only between members both listed and accepting messages: the organiser and the steering
    # member in the world are neither.
    "resources:messages_with": row(OWNER, pk="other.pk"),
    "resources:message_concern": row(OWNER, pk="message.pk"),
    "resources:concerns": row(ORGANISERS_ONLY),
    "resources:concern_decide_post": row(ORGANISERS_POST, pk="reported_post.pk"),
    "resources:concern_decide_message": row(ORGANISERS_POST, pk="message.pk"),
    "resources:organise_resources": row(ORGANISERS_ONLY),
    "resources:resource_new": row(ORGANISERS_ONLY),
    "resources:resource_edit": row(ORGANISERS_ONLY, pk="resource.pk"),
    "resources:resource_delete": row(ORGANISERS_ONLY, pk="resource.pk"),
    "resources:organise_pathways": row(ORGANISERS_ONLY),
    "resources:pathway_new": row(ORGANISERS_ONLY),
    "resources:pathway_edit": row(ORGANISERS_ONLY, pk="pathway.pk"),
    "resources:moderation": row(ORGANISERS_ONLY),
    "resources:case_study_review": row(ORGANISERS_ONLY, pk="submitted_case_study.pk"),
    "resources:organise_initiatives": row(ORGANISERS_ONLY),
    "resources:initiative_new": row(ORGANISERS_ONLY),
    "resources:initiative_edit": row(ORGANISERS_ONLY, pk="initiative.pk"),
    "resources:topics": row(ORGANISERS_ONLY),
    "resources:topic_new": row(ORGANISERS_ONLY),
    "resources:topic_edit": row(ORGANISERS_ONLY, pk="topic.pk"),
    # surveys: answering -------------------------------------------------------------------
    "surveys:waiting": row(MEMBERS),
    # Only the people invited may answer; the others are told so (the survey is no secret).
    "surveys:respond": row(Access(LOGIN, OK, FORBIDDEN, FORBIDDEN), slug="survey.slug"),
    "surveys:thanks": row(OWNER, slug="answered_survey.slug"),
    # The personal link in an invitation email (the member's): it opens the survey for a visitor
    # without signing them in, sends its own member to the survey page, and refuses anyone else
    # signed in. The page it leads to answers only a browser that followed a link.
    # A survey's short link, for a slide: signed-in people go on to the survey page.
    "surveys:short": row(
        Access(LOGIN, *[to("/surveys/how-are-we-doing/")] * 3), code="survey.short_code"
    ),
    "surveys:link": row(
        Access(to("/s/answer/"), to("/surveys/how-are-we-doing/"), FORBIDDEN, FORBIDDEN),
        token="link_token",
    ),
    "surveys:link_respond": row(Access(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "surveys:link_thanks": row(PUBLIC),
    # surveys: organising and results --------------------------------------------------------
    "surveys:organise": row(REPORTS),
    "surveys:survey_new": row(ORGANISERS_ONLY),
    "surveys:survey_detail": row(REPORTS, pk="survey.pk"),
    "surveys:survey_edit": row(ORGANISERS_ONLY, pk="survey.pk"),
    "surveys:preview": row(REPORTS, pk="survey.pk"),
    "surveys:publish": row(ORGANISERS_POST, pk="survey.pk"),
    "surveys:invite": row(ORGANISERS_POST, pk="survey.pk"),
    "surveys:survey_copy": row(ORGANISERS_ONLY, pk="survey.pk"),
    "surveys:standard_survey": row(ORGANISERS_ONLY, event_id="event.pk"),
    "surveys:question_new": row(ORGANISERS_ONLY, pk="survey.pk"),
    "surveys:question_edit": row(ORGANISERS_ONLY, pk="survey.pk", question_id="question.pk"),
    "surveys:question_delete": row(ORGANISERS_ONLY, pk="survey.pk", question_id="question.pk"),
    "surveys:question_move": row(ORGANISERS_POST, pk="survey.pk", question_id="question.pk"),
    "surveys:results": row(REPORTS, pk="answered_survey.pk"),
    "surveys:results_csv": row(REPORTS, pk="answered_survey.pk"),
    # allauth: accounts ----------------------------------------------------------------------
    "account_login": row(SIGNED_OUT_ONLY),
    "account_signup": row(SIGNED_OUT_ONLY),
    "account_logout": row(Access(to("/"), OK, OK, OK)),
    "account_inactive": row(PUBLIC),
    "account_reauthenticate": row(MEMBERS),
    "account_request_reauthentication_code": row(MEMBERS),
    # Nothing to confirm without a code having been sent first: back to the step before.
    "account_confirm_reauthentication_code": row(
        signed_in_sent_to("/accounts/reauthenticate/code/")
    ),
    "account_email": row(MEMBERS),
    # Two-step sign-in (allauth.mfa). Organisers and the steering group, who must use it, have
    # an authenticator app in the test world.
    "mfa_index": row(MEMBERS),
    "mfa_activate_totp": row(Access(LOGIN, REAUTH, REAUTH, REAUTH)),
    "mfa_deactivate_totp": row(Access(LOGIN, NOT_FOUND, REAUTH, REAUTH)),
    # Only part-way through signing in (after the password); otherwise back to sign in.
    "mfa_authenticate": row(Access(to("/accounts/login/"), *[to("/")] * 3)),
    "mfa_reauthenticate": row(Access(LOGIN, REAUTH, OK, OK)),
    "mfa_view_recovery_codes": row(Access(LOGIN, NOT_FOUND, REAUTH, REAUTH)),
    "mfa_generate_recovery_codes": row(Access(LOGIN, REAUTH, REAUTH, REAUTH)),
    "mfa_download_recovery_codes": row(Access(LOGIN, NOT_FOUND, REAUTH, REAUTH)),
    "account_email_verification_sent": row(PUBLIC),
    "account_change_password": row(MEMBERS),
    # These members have a password already, so they are sent to change it instead.
    "account_set_password": row(signed_in_sent_to("/accounts/password/change/")),
    "account_reset_password": row(PUBLIC),
    "account_confirm_login_code": row(Access(to("/accounts/login/"), to("/"), to("/"), to("/"))),
    "account_confirm_email": row(PUBLIC, key="email_confirmation_key"),
    "account_reset_password_from_key_done": row(PUBLIC),
    "account_reset_password_from_key": row(PUBLIC, uidb36="reset_uidb36", key="reset_key"),
    "account_reset_password_done": row(PUBLIC),
    # allauth: signing in with Microsoft --------------------------------------------------------
    "socialaccount_login_cancelled": row(PUBLIC),
    # allauth does not mark its error page public, so a visitor lands on the sign-in page;
    # allauth answers a signed-in member 401.
    "socialaccount_login_error": row(Access(LOGIN, 401, 401, 401)),
    # Only in the middle of a Microsoft sign-in; otherwise back to the sign-in page.
    "socialaccount_signup": row(Access(*[to("/accounts/login/")] * 4)),
    "socialaccount_connections": row(MEMBERS),
    # allauth's old addresses, kept as redirects to the new ones.
    "accounts/social/login/cancelled/": row(
        signed_in_sent_to("/accounts/3rdparty/login/cancelled/")
    ),
    "accounts/social/login/error/": row(signed_in_sent_to("/accounts/3rdparty/login/error/")),
    "accounts/social/signup/": row(signed_in_sent_to("/accounts/3rdparty/signup/")),
    "accounts/social/connections/": row(signed_in_sent_to("/accounts/3rdparty/")),
    # No Microsoft app is configured here (nor on a portal that does not use it): not found,
    # rather than allauth's server error (members.adapters.NoSocialApp).
    "microsoft_login": row(Access(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "microsoft_callback": row(Access(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # The Django admin ---------------------------------------------------------------------------
    "admin:index": row(STAFF),
    # Through the portal's own sign-in (allauth's secure_admin_login: rate limits and MFA).
    "admin:login": row(Access(to("/accounts/login/"), *[FORBIDDEN] * 3)),
    "admin:logout": row(Access(ADMIN_LOGIN, to("/admin/"), to("/admin/"), to("/admin/"))),
    "admin:password_change": row(STAFF),
    "admin:password_change_done": row(STAFF),
    "admin:autocomplete": row(STAFF),
    "admin:jsi18n": row(STAFF),
    "admin:view_on_site": row(STAFF, content_type_id=1, object_id="organiser.pk"),
    "admin:app_list": row(STAFF, app_label="members"),
    "admin/(?P<url>.*)$": row(STAFF, url="no-such-page/"),
}

# Every model the admin registers adds the same routes, all behind the admin's staff check.
# Their rows are made here so that registering a model needs no new rows; the rows are still
# checked like the others.
ADMIN_MODEL_ROUTE = re.compile(
    r"^admin:\w+_(changelist|add|change|delete|history|password_change)$"
    r"|^admin/\w+/\w+/<path:object_id>/$"
)
ADMIN_MODEL_ROW = row(STAFF_MODEL, object_id="organiser.pk", id="organiser.pk")


# The URL walk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the full pattern when the route has no name
    name: str | None
    pieces: tuple  # the pattern pieces from the root down, for routes without a name
    arguments: tuple  # the names of its URL arguments
    callback: object


def _arguments(pattern) -> list[str]:
    # Both path() and re_path() patterns compile to a regex with a named group per argument.
    return list(pattern.regex.groupindex)


def walk(resolver=None, namespace="", pieces=(), arguments=()):
    """Every route in the URL configuration, recursively through every include()."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        here = (*pieces, pattern.pattern)
        args = (*arguments, *_arguments(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, inner, here, args)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            key = name or "".join(str(p) for p in here)
            yield Route(key, name, here, tuple(args), pattern.callback)


ROUTES = {route.key: route for route in walk()}


def decision(key: str) -> Row | None:
    if key in ACCESS:
        return ACCESS[key]
    if ADMIN_MODEL_ROUTE.match(key):
        return ADMIN_MODEL_ROW
    return None


def _value(world, spec):
    if isinstance(spec, str) and re.fullmatch(r"\w+(\.\w+)*", spec):
        found = world
        for part in spec.split("."):
            if not hasattr(found, part):
                return spec  # a literal such as "accessibility"
            found = getattr(found, part)
        return found
    return spec


def url_of(route: Route, world) -> str:
    spec = decision(route.key).kwargs
    kwargs = {name: _value(world, spec[name]) for name in route.arguments if name in spec}
    missing = [name for name in route.arguments if name not in kwargs]
    assert not missing, f"{route.key}: add {missing} to its row in ACCESS"
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    url = "/"
    for piece in route.pieces:
        text = str(piece).removeprefix("^").removesuffix("$")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), text)
        text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), text)
        url += text
    return url


def outcome(response, url: str):
    """What the visitor got, in the words of the table."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        if location.path == reverse("account_login") and location.query == f"next={url}":
            return LOGIN
        if location.path == reverse("admin:login") and location.query == f"next={url}":
            return ADMIN_LOGIN
        return to(location.path)
    return response.status_code


# The world the routes are opened in -------------------------------------------------------------


@pytest.fixture
def world(ground_rules, member, organiser, steering_member, settings, tmp_path):
    """One of everything a route with arguments needs, mostly belonging to `member`."""
    settings.MEDIA_ROOT = tmp_path
    other = UserFactory(agreed_to=ground_rules)
    ContentPageFactory(slug=ContentPage.INTRODUCTION, title="About", body="Welcome.")
    accessibility = ContentPageFactory(slug="accessibility", title="Accessibility", body="How.")
    member_services.content_page_update(
        page=accessibility, title="Accessibility", summary="", body="How, now.", user=organiser
    )
    draft_rules = GroundRulesFactory(draft=True, version=2, body="Draft.")
    caucus = CaucusFactory()
    CaucusMembershipFactory(member=member, caucus=caucus)
    programme = ProgrammeFactory()
    event = EventFactory(programme=programme)
    caucus_session = EventFactory(programme=programme, caucus=caucus)
    attended_session = EventFactory(programme=programme, past=True)
    AttendanceFactory(event=attended_session, member=member)
    topic = TopicFactory()
    resource = ResourceFactory()
    file_resource = resource_services.resource_save(
        resource=Resource(),
        title="Slides from the last session",
        kind=Resource.Kind.SLIDES,
        description="For members.",
        audience="members",
        upload=SimpleUploadedFile("slides.pdf", PDF),
    )
    caucus_material = resource_services.resource_save(
        resource=Resource(),
        title="Notes from the caucus session",
        kind=Resource.Kind.SLIDES,
        description="Only for the caucus.",
        audience="members",
        event=caucus_session,
        upload=SimpleUploadedFile("notes.pdf", PDF),
    )
    pathway = LearningPathwayFactory(title="From noticing to acting")
    step = PathwayStepFactory(pathway=pathway, resource=resource)
    ReflectionFactory(member=member, step=step, text="Private words about my team.")
    case_study_published = CaseStudyFactory(
        author=other, title="Published", status=CaseStudy.Status.PUBLISHED
    )
    draft_case_study = CaseStudyFactory(author=member, title="My draft")
    submitted_case_study = CaseStudyFactory(
        author=other, title="Submitted", status=CaseStudy.Status.SUBMITTED
    )
    initiative = InitiativeFactory(
        name="Maternity network", organisation=member.organisation, audience="Midwives",
        contact="network@example.org",
    )  # fmt: skip
    action = ActionFactory(member=member, what="Ask for ethnicity data", level="team")
    CheckInFactory(member=member, stage=JourneyStage(2), note="Noticing more.")
    suggestion = SuggestionFactory(member=member, topic="A session on interpreters")
    guest = GuestFactory(event=event)
    for person in (member, other):
        person.listed_in_directory = person.directory_accepts_messages = True
        person.save(update_fields=["listed_in_directory", "directory_accepts_messages"])
    space = Space.objects.create(title="Introductions", slug="introductions")
    thread = conversation_services.thread_get_or_create(event=event)
    post = conversation_services.post_write(author=other, thread=thread, body="Hello **all**.")
    reported_post = conversation_services.post_write(author=other, thread=thread, body="Hmm.")
    conversation_services.concern_raise_about_post(
        member=member, post=reported_post, reason="Unkind."
    )
    message = conversation_services.message_send(sender=other, recipient=member, body="Hello.")

    def published_survey(**fields):
        survey = SurveyFactory(invited=[member], **fields)
        question = QuestionFactory(
            survey=survey, kind=Question.Kind.SINGLE, text="How do you meet?", choices=["Online"]
        )
        return survey, question

    survey, question = published_survey(title="How are we doing?", slug="how-are-we-doing")
    answered_survey, answered_question = published_survey(title="After the session", named=True)
    response_submit(
        survey=answered_survey,
        member=member,
        answers={answered_question: answered_question.choices.get()},
    )
    address = EmailAddress.objects.get(user=member)
    return SimpleNamespace(
        member=member,
        other=other,
        organiser=organiser,
        steering=steering_member,
        draft_rules=draft_rules,
        term=GlossaryTermFactory(),
        goal=GoalFactory(),
        story=ValueStory.objects.create(
            title="A ward changed its handover",
            cycle="applied",
            story="What changed.",
            happened_on=datetime.date(2025, 3, 1),
        ),
        caucus=caucus,
        programme=programme,
        event=event,
        caucus_session=caucus_session,
        attended_session=attended_session,
        topic=topic,
        resource=resource,
        file_resource=file_resource,
        caucus_material=caucus_material,
        pathway=pathway,
        step=step,
        case_study=case_study_published,
        draft_case_study=draft_case_study,
        submitted_case_study=submitted_case_study,
        initiative=initiative,
        action=action,
        suggestion=suggestion,
        survey=survey,
        question=question,
        answered_survey=answered_survey,
        feed_token=calendar_feed_get_or_create(member=member).token,
        guest=guest,
        space=space,
        post=post,
        reported_post=reported_post,
        message=message,
        guest_token=guest_link(guest),
        unsubscribe_token=unsubscribe_token(member=member, category="programme"),
        link_token=invitation_link_create(invitation=survey.invitations.get(member=member)),
        claim_token=welcome_token(
            member=member_import_create(email="imported@example.org", name="Imported Person")
        ),
        email_confirmation_key=EmailConfirmationHMAC(address).key,
        reset_uidb36=user_pk_to_url_str(member),
        reset_key=default_token_generator.make_token(member),
    )


def finish(response):
    """Read a file download to the end, as a browser would: the test client closes the file
    then. (Calling response.close() instead would also close the test's database connection.)"""
    if response.streaming:
        b"".join(response.streaming_content)


def client_for(world, role: str, **options) -> Client:
    client = Client(**options)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


# The tests ------------------------------------------------------------------------------------


def test_every_route_has_a_decision():
    undecided = sorted(key for key in ROUTES if decision(key) is None)
    assert not undecided, (
        "These routes have no row in ACCESS (tests/project/test_url_access.py). Decide who may "
        "open each one (anonymous visitors, members, organisers, the steering group) and add a "
        "row: " + ", ".join(undecided)
    )


def test_every_row_is_for_a_route_that_exists():
    """A stale row would hide a route that was renamed without a new decision."""
    assert sorted(set(ACCESS) - set(ROUTES)) == []


def test_the_walk_reaches_every_part_of_the_portal():
    keys = set(ROUTES)
    assert {"members:home", "events:detail", "resources:download", "surveys:results"} <= keys
    assert {"account_login", "microsoft_login", "admin:index", "admin:members_user_change"} <= keys
    assert len(keys) > 250


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(world, role):
    wrong = []
    for route in ROUTES.values():
        found = decision(route.key)
        if found is None:
            continue  # reported by test_every_route_has_a_decision
        url = url_of(route, world)
        response = client_for(world, role).get(url)
        finish(response)
        got, want = outcome(response, url), getattr(found.access, role)
        if got != want:
            wrong.append(f"{route.key} ({url}): expected {want!r}, got {got!r}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


# CSRF ----------------------------------------------------------------------------------------

# Routes that take a POST without a CSRF token, on purpose.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST with no cookie or token. The signed
    # token in the address is the authorisation, and all it can do is stop one kind of email.
    "members:unsubscribe",
}
CSRF_REFUSED = b"Your form was not sent"


def test_the_csrf_exemptions_are_the_documented_ones():
    exempt = {key for key, route in ROUTES.items() if getattr(route.callback, "csrf_exempt", 0)}
    assert exempt == CSRF_EXEMPT


def test_every_route_refuses_a_post_without_a_csrf_token(world):
    """Signed in as an organiser, who may change the most, every POST without a token is
    refused with the portal's own page, before the view runs."""
    wrong = []
    for route in ROUTES.values():
        if route.key in CSRF_EXEMPT or decision(route.key) is None:
            continue
        url = url_of(route, world)
        client = client_for(world, "organiser", enforce_csrf_checks=True)
        response = client.post(url, {"anything": "at all"})
        finish(response)
        if response.status_code != 403 or CSRF_REFUSED not in response.content:
            wrong.append(f"{route.key} ({url}): {response.status_code}")
    assert not wrong, "These took a POST without a CSRF token:\n" + "\n".join(wrong)


def test_the_csrf_refusal_page_says_what_to_do_and_nothing_more(world):
    client = client_for(world, "organiser", enforce_csrf_checks=True)
    response = client.post(reverse("events:suggestions"), {"topic": "A session"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "<h1>Your form was not sent</h1>" in content
    assert "Nothing you typed has been saved." in content
    assert "CSRF" not in content
    assert "Referer" not in content
    assert "cookie not set" not in content
    assert not Suggestion.objects.filter(topic="A session").exists()


def test_the_same_posts_with_a_token_get_past_the_csrf_check(world):
    """The sanity check for the test above: with the token, no route shows the CSRF page,
    and the routes that take a form really take it."""
    wrong, accepted = [], set()
    for route in ROUTES.values():
        if route.key in CSRF_EXEMPT or decision(route.key) is None:
            continue
        url = url_of(route, world)
        client = client_for(world, "organiser", enforce_csrf_checks=True)
        client.get(reverse("members:home"))  # the header's sign-out form sets the cookie
        token = client.cookies["csrftoken"].value
        response = client.post(url, {"csrfmiddlewaretoken": token})
        finish(response)
        if CSRF_REFUSED in response.content:
            wrong.append(f"{route.key} ({url})")
        if response.status_code != 405:
            accepted.add(route.key)
        # An empty POST may publish the draft ground rules: agree, or every later request
        # is sent to the rules instead of reaching its view.
        rules = member_selectors.ground_rules_status(user=world.organiser)
        if rules.needs_agreement:
            member_services.ground_rules_agree(
                user=world.organiser, ground_rules=member_selectors.ground_rules_current()
            )
    assert not wrong, "The CSRF check refused these even with a token:\n" + "\n".join(wrong)
    assert {
        "members:ground_rules_agree",
        "events:register",
        "events:event_walk_in",
        "resources:reflection",
        "surveys:publish",
        "account_logout",
    } <= accepted
    assert "members:directory" not in accepted  # GET only: 405


def test_one_click_unsubscribe_works_without_a_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("members:unsubscribe", args=[world.unsubscribe_token]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    world.member.refresh_from_db()
    assert world.member.email_programme is False


# Another member's things answer 404 ---------------------------------------------------------


@pytest.fixture
def stranger_client(world, ground_rules):
    """Signed in as a member who owns nothing in the world and is in no caucus."""
    client = Client()
    client.force_login(UserFactory(agreed_to=ground_rules))
    return client


def test_another_members_action_answers_404_and_stays_as_it_was(world, stranger_client):
    pk = world.action.pk
    for name in ("members:action_detail", "members:action_edit", "members:action_delete"):
        assert stranger_client.get(reverse(name, args=[pk])).status_code == 404
    for name, data in [
        ("members:action_edit", {"what": "Changed by someone else", "level": "personal"}),
        ("members:action_detail", {"status": "done"}),
        ("members:action_delete", {}),
    ]:
        assert stranger_client.post(reverse(name, args=[pk]), data).status_code == 404
    world.action.refresh_from_db()
    assert (world.action.what, world.action.status) == ("Ask for ethnicity data", "planned")
    response = stranger_client.get(reverse("members:actions"))
    assert "Ask for ethnicity data" not in response.content.decode()


def test_another_members_journey_check_ins_are_not_shown(world, stranger_client):
    response = stranger_client.get(reverse("members:journey"))
    assert response.status_code == 200
    assert response.context["path"].check_ins == []
    assert "Noticing more." not in response.content.decode()


def test_another_members_pathway_reflection_is_neither_shown_nor_changed(world, stranger_client):
    page = stranger_client.get(reverse("resources:pathway", args=[world.pathway.slug]))
    assert page.status_code == 200
    assert "Private words about my team." not in page.content.decode()
    url = reverse("resources:reflection", args=[world.pathway.slug, world.step.pk])
    assert stranger_client.post(url, {f"step-{world.step.pk}-text": ""}).status_code == 302
    assert Reflection.objects.get(member=world.member).text == "Private words about my team."


def test_another_members_survey_answer_is_not_theirs_to_see(world, stranger_client):
    slug = world.answered_survey.slug
    assert stranger_client.get(reverse("surveys:thanks", args=[slug])).status_code == 404
    # The named response is only in the results, which need the permission to see surveys.
    pk = world.answered_survey.pk
    assert stranger_client.get(reverse("surveys:results", args=[pk])).status_code == 403
    assert stranger_client.get(reverse("surveys:results_csv", args=[pk])).status_code == 403


def test_caucus_material_answers_404_outside_the_caucus(world, stranger_client, client):
    slug = world.caucus_material.slug
    for name in ("resources:detail", "resources:download"):
        assert stranger_client.get(reverse(name, args=[slug])).status_code == 404
        assert client.get(reverse(name, args=[slug])).status_code == 404  # not even sign-in
    organiser = client_for(world, "organiser")
    assert organiser.get(reverse("resources:download", args=[slug])).status_code == 404
    inside = client_for(world, "member")
    response = inside.get(reverse("resources:download", args=[slug]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_the_caucus_session_itself_is_not_open_to_others(world, stranger_client):
    url = reverse("events:register", args=[world.caucus_session.slug])
    assert stranger_client.post(url).status_code == 403
    assert not world.caucus_session.registrations.exists()


def test_another_members_unpublished_case_study_answers_404(world, stranger_client):
    slug = world.draft_case_study.slug
    for name in ("resources:case_study", "resources:case_study_edit"):
        assert stranger_client.get(reverse(name, args=[slug])).status_code == 404
    submit = reverse("resources:case_study_submit", args=[slug])
    assert stranger_client.post(submit).status_code == 404
    edit = {"title": "Taken over", "context": "c", "what_we_did": "w", "what_changed": "x"}
    url = reverse("resources:case_study_edit", args=[slug])
    assert stranger_client.post(url, edit).status_code == 404
    world.draft_case_study.refresh_from_db()
    assert (world.draft_case_study.title, world.draft_case_study.status) == ("My draft", "draft")
    # Submitted for review is still unpublished: only its author and the moderators see it.
    submitted = reverse("resources:case_study", args=[world.submitted_case_study.slug])
    assert stranger_client.get(submitted).status_code == 404
