"""One factory per model the tests build, and a few small scenarios built on them.

Defaults describe the ordinary case (a published event a week away, an open anonymous survey),
so a test names only what it is about. Objects whose side effects are the point (search
vectors, sealed answers, audit lines) are made through the services instead."""

import datetime
import time
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.utils import timezone

from cop_portal.web.tokens import token_hash, token_new
from events.models import (
    Attendance,
    CalendarFeed,
    Caucus,
    CaucusMembership,
    Event,
    EventKind,
    Goal,
    Guest,
    Programme,
    Registration,
    Speaker,
    Suggestion,
)
from members.middleware import mfa_required
from members.models import (
    Action,
    ActionUpdate,
    CheckIn,
    ContentPage,
    GlossaryTerm,
    GroundRules,
    GroundRulesAgreement,
    JourneyStage,
    Organisation,
    User,
)
from resources.models import (
    CaseStudy,
    Initiative,
    LearningPathway,
    PathwayStep,
    Reflection,
    Resource,
    StepProgress,
    Topic,
)
from surveys.models import Answer, Choice, Invitation, Question, Response, Survey
from surveys.services.release import responses_release
from surveys.services.respond import response_submit

LONDON = ZoneInfo("Europe/London")


def uk_time(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """`hour` o'clock on `day`, UK time."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


# Members ---------------------------------------------------------------------------------------


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = "nhs"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


# Every test user's authenticator app shares this secret (base32), so tests can type a code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(*, at: float | None = None) -> str:
    """The code an authenticator app set up with TOTP_SECRET shows now (or at `at`)."""
    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


def totp_activate(user) -> Authenticator:
    """Give `user` an authenticator app (TOTP_SECRET) and recovery codes, as allauth does."""
    RecoveryCodes.activate(user)
    return TOTP.activate(user, TOTP_SECRET).instance


def permission_give(user, permission: str) -> User:
    """Give `user` a permission of their own ("app_label.codename"), and return them read
    again: Django keeps a user's permissions on the object once it has looked them up."""
    app_label, codename = permission.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return User.objects.get(pk=user.pk)


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified email and a completed profile. `agreed_to=<GroundRules>` records
    their agreement; `interests=[topic, ...]` their areas of interest; `groups=[name, ...]` gives
    them roles and `permissions=["app.codename", ...]` permissions of their own. Organisers and
    staff, who must use MFA, get an authenticator app (TOTP_SECRET) unless made with
    `mfa=False`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.django.Password("correct horse battery staple")
    organisation = factory.SubFactory(OrganisationFactory)
    job_role = "Community nurse"
    sector = "nhs"
    seniority = "frontline"
    profile_completed_at = factory.LazyFunction(timezone.now)
    introduction_read_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def agreed_to(self, create, extracted, **kwargs):
        if create and extracted:
            GroundRulesAgreement.objects.create(member=self, ground_rules=extracted)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def interests(self, create, extracted, **kwargs):
        if create and extracted:
            self.interests.add(*extracted)

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        if create and extracted:
            for permission in extracted:
                permission_give(self, permission)

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        wanted = mfa_required(self) if extracted is None else extracted
        if create and wanted:
            totp_activate(self)


class GroundRulesFactory(factory.django.DjangoModelFactory):
    """A published version of the ground rules; `draft=True` for one not yet published."""

    class Meta:
        model = GroundRules

    version = factory.Sequence(lambda n: n + 1)
    body = factory.LazyAttribute(
        lambda o: f"1. **Listen first.** Version {o.version} of the rules."
    )
    change_summary = ""
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(published_at=None)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    term = factory.Sequence(lambda n: f"Term {n}")
    slug = factory.Sequence(lambda n: f"term-{n}")
    definition = "A definition."


class ContentPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentPage

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page {n}")
    body = "Some words."


class ActionFactory(factory.django.DjangoModelFactory):
    """A member's planned action for their own practice, private to them."""

    class Meta:
        model = Action

    member = factory.SubFactory(UserFactory)
    what = factory.Sequence(lambda n: f"Action {n}")
    level = Action.Level.PERSONAL


class ActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    status = Action.Status.IN_PROGRESS


class CheckInFactory(factory.django.DjangoModelFactory):
    """A member placing themselves on the learning journey, at its first stage, now."""

    class Meta:
        model = CheckIn

    member = factory.SubFactory(UserFactory)
    stage = JourneyStage.NOTICING


# Events ----------------------------------------------------------------------------------------


class EventKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventKind
        django_get_or_create = ["slug"]

    name = "Webinar"
    slug = "webinar"


class CaucusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caucus
        django_get_or_create = ["slug"]

    name = "Global majority"
    slug = "global-majority"


class CaucusMembershipFactory(factory.django.DjangoModelFactory):
    """A member's choice of caucus, made with consent."""

    class Meta:
        model = CaucusMembership

    member = factory.SubFactory(UserFactory)
    caucus = factory.SubFactory(CaucusFactory)
    consent_version = "1"
    consent_text = "I consent."


def caucus_member(caucus, **kwargs):
    """A member who has joined `caucus` with consent."""
    return CaucusMembershipFactory(caucus=caucus, member=UserFactory(**kwargs)).member


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A published programme period; `draft=True` for one not yet published."""

    class Meta:
        model = Programme

    title = "April to September 2027"
    slug = factory.Sequence(lambda n: f"programme-{n}")
    starts_on = datetime.date(2027, 4, 1)
    ends_on = datetime.date(2027, 9, 30)
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(published_at=None)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    name = factory.Sequence(lambda n: f"Goal {n}")


class EventFactory(factory.django.DjangoModelFactory):
    """A published online webinar a week from now, lasting `duration` (an hour and a half),
    with no capacity limit. Traits: `started` (began an hour ago, ends in an hour) and `past`
    (an hour long, three days ago)."""

    class Meta:
        model = Event

    class Params:
        duration = datetime.timedelta(hours=1, minutes=30)
        started = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1)),
            duration=datetime.timedelta(hours=2),
        )
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3)),
            duration=datetime.timedelta(hours=1),
        )

    title = factory.Sequence(lambda n: f"Session {n}")
    slug = factory.Sequence(lambda n: f"session-{n}")
    summary = "What we will explore together."
    kind = factory.SubFactory(EventKindFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + o.duration)
    joining_link = "https://meet.example.org/cop-session"
    status = Event.Status.PUBLISHED


def event_on(day: datetime.date, **fields) -> Event:
    """A one-hour event at noon, UK time, on `day`."""
    return EventFactory(starts_at=uk_time(day), duration=datetime.timedelta(hours=1), **fields)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Speaker {n}")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(UserFactory)


class GuestFactory(factory.django.DjangoModelFactory):
    """A director invited to a session, whose invitation has gone. Its link's token is not
    kept (only a hash is): `guest_link` gives the guest a link and returns its token."""

    class Meta:
        model = Guest

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Director {n}")
    email = factory.Sequence(lambda n: f"director{n}@council.example.org")
    role = Guest.Role.DIRECTOR
    job_title = "Director of Public Health"
    organisation = "Borough Council"
    token_hash = factory.LazyFunction(lambda: token_hash(token_new()))
    invitation_sent_round = 1
    invitation_sent_at = factory.LazyFunction(timezone.now)


def guest_link(guest: Guest) -> str:
    """A new personal link for `guest`, as an invitation makes one: returns its token."""
    token = token_new()
    guest.token_hash = token_hash(token)
    guest.save(update_fields=["token_hash"])
    return token


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    member = factory.SubFactory(UserFactory)
    token = factory.Sequence(lambda n: f"feed-token-{n}")


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A member's new idea for a session."""

    class Meta:
        model = Suggestion

    member = factory.SubFactory(UserFactory)
    topic = factory.Sequence(lambda n: f"Idea {n}")


# Resources -------------------------------------------------------------------------------------


def _topics_add(obj, create, extracted, **kwargs):
    """`topics=[...]` tags what a factory made."""
    if create and extracted:
        obj.topics.add(*extracted)


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published, members-only reading with a link; `topics=[...]` tags it. Search vectors
    are filled by the services, so tests of search create resources through `resource_save`
    instead."""

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Resource {n}")
    slug = factory.Sequence(lambda n: f"resource-{n}")
    kind = Resource.Kind.READING
    description = "A useful piece of reading."
    external_url = "https://example.org/reading"
    audience = "members"

    topics = factory.PostGeneration(_topics_add)


class LearningPathwayFactory(factory.django.DjangoModelFactory):
    """A published pathway; `steps=n` gives it n steps, each a reading of its own."""

    class Meta:
        model = LearningPathway
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Pathway {n}")
    slug = factory.Sequence(lambda n: f"pathway-{n}")
    description = "A route from listening to acting."
    is_published = True

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        if create and extracted:
            PathwayStepFactory.create_batch(extracted, pathway=self)


class PathwayStepFactory(factory.django.DjangoModelFactory):
    """The next step of its pathway, with a reading of its own."""

    class Meta:
        model = PathwayStep

    pathway = factory.SubFactory(LearningPathwayFactory)
    resource = factory.SubFactory(ResourceFactory)
    order = factory.LazyAttribute(lambda o: o.pathway.steps.count() + 1)
    reflection_prompt = "What did you notice?"


class StepProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepProgress

    member = factory.SubFactory(UserFactory)
    step = factory.SubFactory(PathwayStepFactory)


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    member = factory.SubFactory(UserFactory)
    step = factory.SubFactory(PathwayStepFactory)
    text = "What I noticed."


class CaseStudyFactory(factory.django.DjangoModelFactory):
    """A member's draft case study. Given another `status`, it was submitted now, and
    published now if published. `topics=[...]` tags it."""

    class Meta:
        model = CaseStudy
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Case study {n}")
    slug = factory.Sequence(lambda n: f"case-study-{n}")
    context = "A community mental health team."
    what_we_did = "We listened to families."
    what_changed = "Referrals became fairer."
    status = CaseStudy.Status.DRAFT
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == CaseStudy.Status.DRAFT else timezone.now()
    )
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == CaseStudy.Status.PUBLISHED else None
    )

    topics = factory.PostGeneration(_topics_add)


class InitiativeFactory(factory.django.DjangoModelFactory):
    """A running initiative with no organisation stated; `topics=[...]` tags it."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = factory.LazyAttribute(lambda o: f"What {o.name} does.")

    topics = factory.PostGeneration(_topics_add)


# Surveys ---------------------------------------------------------------------------------------


class SurveyFactory(factory.django.DjangoModelFactory):
    """A published anonymous survey with no questions, open since yesterday and closing in a
    week. Its kind follows its audience: a caucus survey if given a `caucus`, one after a
    session if given an `event`, else CoP-wide. Traits: `draft`, `named` (answers keep the
    member), `closed` (since yesterday) and `after_event` (after a session of its own).
    `invited=[member, ...]` invites them."""

    class Meta:
        model = Survey
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Survey {n}")
    slug = factory.Sequence(lambda n: f"survey-{n}")
    kind = factory.LazyAttribute(
        lambda o: (
            Survey.Kind.CAUCUS
            if o.caucus
            else Survey.Kind.POST_EVENT
            if o.event
            else Survey.Kind.COP_WIDE
        )
    )
    caucus = None
    event = None
    is_anonymous = True
    status = Survey.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=8))

    class Params:
        draft = factory.Trait(status=Survey.Status.DRAFT, published_at=None)
        named = factory.Trait(is_anonymous=False)
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=5)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
        )
        after_event = factory.Trait(event=factory.SubFactory(EventFactory))

    @factory.post_generation
    def invited(self, create, extracted, **kwargs):
        if create and extracted:
            for member in extracted:
                InvitationFactory(survey=self, member=member)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A required agreement question, the next of its survey. `choices=[text, ...]` gives a
    choice question its options, in that order."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    order = factory.LazyAttribute(lambda o: o.survey.questions.count() + 1)
    text = factory.Sequence(lambda n: f"Question {n}")
    kind = Question.Kind.AGREEMENT

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        if create and extracted:
            for order, text in enumerate(extracted, 1):
                ChoiceFactory(question=self, text=text, order=order)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=Question.Kind.SINGLE)
    text = factory.Sequence(lambda n: f"Choice {n}")
    order = factory.LazyAttribute(lambda o: o.question.choices.count() + 1)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    member = factory.SubFactory(UserFactory)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A released response with no member, as an anonymous survey keeps it, written straight
    to the table: for tests of counting rather than of answering (see `survey_answer`)."""

    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer to `question`, in a response of its own unless given one."""

    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    response = factory.SubFactory(
        ResponseFactory, survey=factory.SelfAttribute("..question.survey")
    )


def survey_answer(survey, answers, *, member=None, **member_fields):
    """`member` (or a new member with `member_fields`) is invited to `survey` and answers
    through the service: `answers` maps each question to a value, a choice, a list of choices
    or text. An anonymous survey's answer is then sealed, waiting for a release."""
    member = member or UserFactory(**member_fields)
    InvitationFactory(survey=survey, member=member)
    response_submit(survey=survey, member=member, answers=answers)
    return member


def answers_release(survey) -> int:
    """Release a survey's sealed anonymous answers now, however few are waiting, for tests of
    how answers are counted and shown rather than of when they are released. A release waits
    for the disclosure threshold, so the threshold is one for the release; groups are then kept
    as given (one invited member shares each). tests/surveys/test_sealing.py tests releases
    and coarsening at the real threshold."""
    with override_settings(SURVEY_SUPPRESSION_THRESHOLD=1):
        return responses_release(survey=survey)


def survey_sent(
    title, day, *, invited=(), responded=(), question=None, cycle="", answers=(), **fields
):
    """A survey opened and sent to `invited` at 9:00 UK time on `day`, closing two weeks
    later, those in `responded` marked as having answered. Given a `question` text, it has one
    agreement question tagged `cycle`, whose released `answers` are written straight to the
    tables (one response each), as the dashboard counts them."""
    opens_at = uk_time(day, 9)
    survey = SurveyFactory(
        title=title,
        opens_at=opens_at,
        closes_at=opens_at + datetime.timedelta(days=14),
        invitations_sent_at=opens_at,
        **fields,
    )
    for member in invited:
        InvitationFactory(survey=survey, member=member, responded=member in responded)
    if question:
        asked = QuestionFactory(survey=survey, text=question, value_cycle=cycle)
        for value in answers:
            AnswerFactory(question=asked, value=value)
    return survey
