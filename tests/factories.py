import datetime
import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from events.models import Caucus, CaucusMembership, Event, EventKind, Programme, Registration
from members.middleware import mfa_required
from members.models import GlossaryTerm, GroundRules, GroundRulesAgreement, Organisation, User
from resources.models import Resource, Topic
from surveys.services.release import responses_release


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


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified email and a completed profile. `agreed_to=<GroundRules>` records
    their agreement; `groups=[name, ...]` gives them roles. Organisers and staff, who must use
    MFA, get an authenticator app (TOTP_SECRET) unless made with `mfa=False`."""

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
    def mfa(self, create, extracted, **kwargs):
        wanted = mfa_required(self) if extracted is None else extracted
        if create and wanted:
            totp_activate(self)


class GroundRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroundRules

    version = factory.Sequence(lambda n: n + 1)
    body = factory.LazyAttribute(
        lambda o: f"1. **Listen first.** Version {o.version} of the rules."
    )
    change_summary = ""
    published_at = factory.LazyFunction(timezone.now)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    term = factory.Sequence(lambda n: f"Term {n}")
    slug = factory.Sequence(lambda n: f"term-{n}")
    definition = "A definition."


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


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    title = "April to September 2027"
    slug = factory.Sequence(lambda n: f"programme-{n}")
    starts_on = datetime.date(2027, 4, 1)
    ends_on = datetime.date(2027, 9, 30)
    published_at = factory.LazyFunction(timezone.now)


class EventFactory(factory.django.DjangoModelFactory):
    """A published online webinar a week from now, with no capacity limit."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Session {n}")
    slug = factory.Sequence(lambda n: f"session-{n}")
    summary = "What we will explore together."
    kind = factory.SubFactory(EventKindFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1, minutes=30))
    joining_link = "https://meet.example.org/cop-session"
    status = Event.Status.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED


def caucus_member(caucus, **kwargs):
    """A member who has joined `caucus` with consent."""
    user = UserFactory(**kwargs)
    CaucusMembership.objects.create(
        member=user, caucus=caucus, consent_version="1", consent_text="I consent."
    )
    return user


def answers_release(survey) -> int:
    """Release a survey's sealed anonymous answers now, however few are waiting, for tests of
    how answers are counted and shown rather than of when they are released. A release waits
    for the disclosure threshold, so the threshold is one for the release; groups are then kept
    as given (one invited member shares each). tests/surveys/test_sealing.py tests releases
    and coarsening at the real threshold."""
    with override_settings(SURVEY_SUPPRESSION_THRESHOLD=1):
        return responses_release(survey=survey)


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published, members-only reading with a link. Search vectors are filled by the
    services, so tests of search create resources through `resource_save` instead."""

    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    slug = factory.Sequence(lambda n: f"resource-{n}")
    kind = Resource.Kind.READING
    description = "A useful piece of reading."
    external_url = "https://example.org/reading"
    audience = "members"
