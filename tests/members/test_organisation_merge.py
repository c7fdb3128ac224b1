"""Merging organisations keeps everything (issue 13, item 6).

The fault: merging moved members only. Every other row pointing at a duplicate lost its
organisation when the duplicate was deleted (SET_NULL): initiatives, and the organisation kept
with survey responses, whose relation has no reverse name and so was easy to miss."""

import datetime

import pytest
from django.utils import timezone

from members import services
from members.models import Organisation
from resources.models import Initiative
from surveys.models import Question, Response, SealedResponse, Survey
from surveys.sealing import unseal
from surveys.services.respond import response_submit

from ..factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every relation to Organisation, hidden ones included, and how the test world makes a row for
# it. A new relation fails the walk below until it is added here and merging is shown to move it.
MAKERS = {
    ("members", "user", "organisation"): lambda org: UserFactory(organisation=org),
    ("resources", "initiative", "organisation"): lambda org: Initiative.objects.create(
        name=f"Initiative of {org.name}",
        slug=f"initiative-{org.pk}",
        organisation=org,
        summary="Joining up equity work.",
    ),
    ("surveys", "response", "organisation"): lambda org: Response.objects.create(
        survey=_survey(), organisation=org, sector="nhs"
    ),
}


def _relations():
    return {
        (r.related_model._meta.app_label, r.related_model._meta.model_name, r.field.name): r
        for r in Organisation._meta.get_fields(include_hidden=True)
        if r.auto_created and not r.concrete
    }


def _survey():
    now = timezone.now()
    survey, _ = Survey.objects.get_or_create(
        slug="merge-survey",
        defaults={"title": "Merge", "kind": Survey.Kind.COP_WIDE, "opens_at": now,
                  "closes_at": now + datetime.timedelta(days=7),
                  "status": Survey.Status.PUBLISHED},
    )  # fmt: skip
    return survey


def test_every_relation_to_organisation_has_a_maker_here():
    assert set(_relations()) == set(MAKERS)


def test_merging_moves_every_row_that_points_at_a_duplicate():
    keep = OrganisationFactory(name="Greenwich Council")
    duplicate = OrganisationFactory(name="Royal Borough of Greenwich")
    bystander = OrganisationFactory(name="Oxleas NHS")
    rows = {key: make(duplicate) for key, make in MAKERS.items()}
    untouched = {key: make(bystander) for key, make in MAKERS.items()}

    services.organisation_merge(keep=keep, duplicates=[duplicate])

    assert list(Organisation.objects.filter(pk=duplicate.pk)) == []
    for key, relation in _relations().items():
        manager = relation.related_model._base_manager
        field = relation.field.name
        assert manager.get(pk=rows[key].pk).__getattribute__(f"{field}_id") == keep.pk, key
        assert manager.get(pk=untouched[key].pk).__getattribute__(f"{field}_id") == bystander.pk
        assert not manager.filter(**{f"{field}_id": duplicate.pk}).exists()


def test_answers_still_sealed_move_with_their_organisation(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    survey = _survey()
    question = Question.objects.create(survey=survey, order=1, text="Useful?", kind="agreement")
    keep = OrganisationFactory(name="Greenwich Council")
    duplicate = OrganisationFactory(name="RBG")
    member = UserFactory(organisation=duplicate)
    survey.invitations.create(member=member)
    response_submit(survey=survey, member=member, answers={question: 4})
    assert unseal(SealedResponse.objects.get().payload)["groups"][2] == duplicate.pk

    services.organisation_merge(keep=keep, duplicates=[duplicate])

    assert unseal(SealedResponse.objects.get().payload)["groups"][2] == keep.pk
