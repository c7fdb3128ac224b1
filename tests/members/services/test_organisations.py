"""Organisation writes: one name per organisation whatever its case or spacing, and merging
duplicates.

Merging keeps everything (issue 13, item 6). The fault: merging moved members only. Every other
row pointing at a duplicate lost its organisation when the duplicate was deleted (SET_NULL):
initiatives, and the organisation kept with survey responses, whose relation has no reverse name
and so was easy to miss."""

import pytest
from django.core.exceptions import ValidationError

from members.models import Organisation
from members.services import organisations
from surveys.models import SealedResponse
from surveys.sealing import unseal
from tests.factories import (
    InitiativeFactory,
    OrganisationFactory,
    QuestionFactory,
    ResponseFactory,
    UserFactory,
    survey_answer,
)

pytestmark = pytest.mark.django_db


def test_organisation_save_collapses_whitespace():
    organisation = organisations.organisation_save(
        organisation=Organisation(), name="  Leeds   Teaching\tHospitals \n", sector="nhs"
    )

    organisation.refresh_from_db()
    assert organisation.name == "Leeds Teaching Hospitals"
    assert organisation.sector == "nhs"


def test_organisation_save_refuses_a_name_that_differs_only_in_case_or_spacing():
    OrganisationFactory(name="Leeds Teaching Hospitals")

    with pytest.raises(ValidationError) as error:
        organisations.organisation_save(
            organisation=Organisation(), name="leeds  teaching hospitals", sector=""
        )

    assert error.value.messages == ["An organisation with this name already exists."]
    assert Organisation.objects.count() == 1


def test_organisation_merge_moves_members_and_deletes_duplicates():
    keep = OrganisationFactory(name="Bradford Council", sector="")
    duplicate_a = OrganisationFactory(name="Bradford MDC", sector="local_authority")
    duplicate_b = OrganisationFactory(name="City of Bradford", sector="")
    unrelated = OrganisationFactory(name="Airedale NHS")
    stayer = UserFactory(organisation=keep)
    movers = [
        *UserFactory.create_batch(2, organisation=duplicate_a),
        UserFactory(organisation=duplicate_b),
    ]
    bystander = UserFactory(organisation=unrelated)

    moved = organisations.organisation_merge(keep=keep, duplicates=[duplicate_a, duplicate_b])

    assert moved == 3
    assert set(keep.members.all()) == {stayer, *movers}
    assert set(Organisation.objects.all()) == {keep, unrelated}
    bystander.refresh_from_db()
    assert bystander.organisation == unrelated
    keep.refresh_from_db()
    assert keep.sector == "local_authority"


def test_organisation_merge_ignores_the_kept_organisation_among_duplicates():
    keep = OrganisationFactory(name="Leeds Teaching Hospitals", sector="nhs")
    duplicate = OrganisationFactory(name="LTHT", sector="voluntary")
    UserFactory(organisation=keep)
    UserFactory(organisation=duplicate)

    moved = organisations.organisation_merge(keep=keep, duplicates=[keep, duplicate])

    assert moved == 1
    assert list(Organisation.objects.all()) == [keep]
    keep.refresh_from_db()
    assert keep.sector == "nhs"
    assert keep.members.count() == 2


def test_organisation_merge_refuses_when_the_only_duplicate_is_the_kept_one():
    keep = OrganisationFactory(name="Leeds Teaching Hospitals")
    other = OrganisationFactory(name="Airedale NHS")
    member = UserFactory(organisation=keep)

    with pytest.raises(ValidationError, match="other than the one to keep"):
        organisations.organisation_merge(keep=keep, duplicates=[keep])

    assert set(Organisation.objects.all()) == {keep, other}
    member.refresh_from_db()
    assert member.organisation == keep


# Every relation to Organisation, hidden ones included, and how the test world makes a row for
# it. A new relation fails the walk below until it is added here and merging is shown to move it.
MAKERS = {
    ("members", "user", "organisation"): lambda org: UserFactory(organisation=org),
    ("resources", "initiative", "organisation"): lambda org: InitiativeFactory(organisation=org),
    ("surveys", "response", "organisation"): lambda org: ResponseFactory(
        organisation=org, sector="nhs"
    ),
}


def _relations():
    return {
        (r.related_model._meta.app_label, r.related_model._meta.model_name, r.field.name): r
        for r in Organisation._meta.get_fields(include_hidden=True)
        if r.auto_created and not r.concrete
    }


def test_every_relation_to_organisation_has_a_maker_here():
    assert set(_relations()) == set(MAKERS)


def test_merging_moves_every_row_that_points_at_a_duplicate():
    keep = OrganisationFactory(name="Greenwich Council")
    duplicate = OrganisationFactory(name="Royal Borough of Greenwich")
    bystander = OrganisationFactory(name="Oxleas NHS")
    rows = {key: make(duplicate) for key, make in MAKERS.items()}
    untouched = {key: make(bystander) for key, make in MAKERS.items()}

    organisations.organisation_merge(keep=keep, duplicates=[duplicate])

    assert list(Organisation.objects.filter(pk=duplicate.pk)) == []
    for key, relation in _relations().items():
        manager = relation.related_model._base_manager
        field = relation.field.name
        assert manager.get(pk=rows[key].pk).__getattribute__(f"{field}_id") == keep.pk, key
        assert manager.get(pk=untouched[key].pk).__getattribute__(f"{field}_id") == bystander.pk
        assert not manager.filter(**{f"{field}_id": duplicate.pk}).exists()


def test_answers_still_sealed_move_with_their_organisation(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    question = QuestionFactory(text="Useful?")
    keep = OrganisationFactory(name="Greenwich Council")
    duplicate = OrganisationFactory(name="RBG")
    survey_answer(question.survey, {question: 4}, organisation=duplicate)
    assert unseal(SealedResponse.objects.get().payload)["groups"][2] == duplicate.pk

    organisations.organisation_merge(keep=keep, duplicates=[duplicate])

    assert unseal(SealedResponse.objects.get().payload)["groups"][2] == keep.pk
