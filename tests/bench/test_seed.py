"""The benchmark's synthetic CoP (`python -m bench.seed`) at tier T: a few dozen rows of each
kind."""

import pytest
from allauth.mfa.models import Authenticator

from bench.seed.seeder import RARE_TERM, TIERS, main
from events.models import Attendance, Event, Registration
from members.models import Organisation, User
from members.roles import ORGANISERS
from resources.models import CaseStudy, Resource
from resources.selectors.hub import resources_visible_to
from resources.selectors.search import search
from surveys.models import Answer, Invitation, Response, Survey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed(*args):
    main(["--tier", "T", *args])


def fingerprint() -> dict:
    """What two runs with the same seed must agree on (ids aside: sequences move on)."""
    return {
        "members": list(User.objects.order_by("pk").values_list("email", "name", "date_joined")),
        "organisations": list(Organisation.objects.order_by("pk").values_list("name", "sector")),
        "events": list(Event.objects.order_by("pk").values_list("title", "starts_at", "status")),
        "resources": list(
            Resource.objects.order_by("pk").values_list("title", "kind", "published_on")
        ),
        "registrations": sorted(
            Registration.objects.values_list("event__title", "member__email", "status")
        ),
        "answers": sorted(
            Answer.objects.values_list("question__text", "value", "choice__text", "text")
        ),
    }


def clear():
    Survey.objects.all().delete()  # before the events they follow, which they protect
    for model in (User, Event, Resource, CaseStudy, Organisation):
        model.objects.all().delete()


def test_tier_t_makes_exactly_its_counts():
    tier = TIERS["T"]
    seed()
    assert User.objects.count() == tier.members
    assert Organisation.objects.count() == tier.organisations
    assert Event.objects.count() == tier.events
    assert Registration.objects.count() == tier.registrations
    assert Resource.objects.count() == tier.resources
    assert Response.objects.count() == tier.responses
    # Attendance is at past events only, by members with a place (or walking in).
    assert 0 < Attendance.objects.count() < tier.registrations
    # Every response comes from someone invited, and marks their invitation answered.
    assert Invitation.objects.filter(responded=True).count() == tier.responses
    assert not Resource.objects.filter(search_vector__isnull=True).exists()
    # Organisers must use MFA: each has an authenticator app, and nobody else has one.
    organisers = set(User.objects.filter(groups__name=ORGANISERS).values_list("pk", flat=True))
    assert organisers
    assert set(Authenticator.objects.values_list("user", flat=True)) == organisers


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    seed()
    first = fingerprint()
    clear()
    seed()
    assert fingerprint() == first
    clear()
    seed("--seed", "7")
    assert fingerprint()["resources"] != first["resources"]


def test_search_finds_the_seeded_resources_with_a_rare_word():
    seed()
    member = User.objects.filter(is_active=True, caucus_membership__isnull=True).first()
    mentioning = resources_visible_to(member).filter(description__icontains=RARE_TERM)
    assert mentioning.exists()
    found = search(user=member, query=RARE_TERM).page.paginator.object_list
    assert {pk for kind, pk, _score in found if kind == "resource"} == {r.pk for r in mentioning}


def test_a_database_with_members_is_refused_unless_forced():
    UserFactory()
    with pytest.raises(SystemExit, match="already has members"):
        seed()
    seed("--force")
    assert User.objects.count() == TIERS["T"].members + 1
    with pytest.raises(SystemExit, match="already holds seeded data"):
        seed("--force")
