"""Anonymous answers against the people who would unmask them: someone holding a copy of the
database, an organiser watching the results and the member data export while people answer,
and anyone lining free-text answers up across questions. Each test is an attack that must
fail; each would have succeeded before answers were sealed and released in shuffled batches."""

import base64
import importlib
import json
import re
import threading
import uuid
from datetime import timedelta

import pytest
from cryptography.fernet import InvalidToken
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from surveys.models import Choice, Invitation, Question, Response, SealedResponse, Survey
from surveys.sealing import BLANK, Coarsener, unseal
from surveys.selectors.results import breakdown, results_with_days, survey_results
from surveys.services.organise import question_save, survey_save
from surveys.services.release import releases_run, responses_release
from surveys.services.respond import response_submit
from tests.factories import (
    InvitationFactory,
    OrganisationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

K = 5


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = K


def _survey(*, title="How are we doing?", **fields):
    """An open survey with a scale and an optional free-text question."""
    survey = SurveyFactory(title=title, **fields)
    scale = QuestionFactory(survey=survey, text="I belong")
    text = QuestionFactory(survey=survey, text="What should change?", kind="text", required=False)
    return survey, scale, text


def _invited(survey, count, **fields):
    """`count` new members (made with `fields`) invited to `survey`."""
    members = UserFactory.create_batch(count, **fields)
    for member in members:
        InvitationFactory(survey=survey, member=member)
    return members


def _close(survey):
    """The survey's closing time moves into the past, as time passing would."""
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    survey.refresh_from_db()


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A copy of the database --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_database_copy_cannot_join_anonymous_answers_to_the_members_who_gave_them():
    """Each member answers in a transaction of their own, as on the site (and the release
    after each commit runs, as on the site). Once the survey has closed and its answers are
    released, nothing in the tables says which response is whose."""
    survey, scale, text = _survey()
    members = _invited(survey, 8)
    for n, member in enumerate(members):
        response_submit(
            survey=survey, member=member, answers={scale: 1 + n % 5, text: f"Answer number {n}"}
        )
    # The fifth answer filled a batch: five were released while the survey was open.
    assert Response.objects.count() == K
    assert SealedResponse.objects.count() == 3
    early_ids = set(Response.objects.values_list("pk", flat=True))

    _close(survey)
    assert responses_release(survey=survey) == 8

    invitations = _rows(
        "SELECT xmin::text, member_id FROM surveys_invitation WHERE survey_id = %s", [survey.pk]
    )
    responses = _rows(
        "SELECT xmin::text, ctid::text, id::text FROM surveys_response WHERE survey_id = %s "
        "ORDER BY ctid",
        [survey.pk],
    )
    answers = _rows(
        "SELECT a.xmin::text, a.ctid::text, a.id, a.text FROM surveys_answer a "
        "JOIN surveys_response r ON r.id = a.response_id WHERE r.survey_id = %s ORDER BY a.ctid",
        [survey.pk],
    )
    invitation_xmins = {xmin for xmin, _ in invitations}
    assert len(invitations) == 8
    assert len(invitation_xmins) == 8  # each member answered in their own transaction
    assert len(responses) == 8
    assert len(answers) == 16
    # No response or answer was written in any member's transaction ...
    assert not {xmin for xmin, _, _ in responses} & invitation_xmins
    assert not {xmin for xmin, *_ in answers} & invitation_xmins
    # ... they were all written together, in the final release.
    assert len({xmin for xmin, _, _ in responses} | {xmin for xmin, *_ in answers}) == 1
    # Their keys are random and new: none from the release while the survey was open remains.
    ids = [uuid.UUID(pk) for _, _, pk in responses]
    assert {pk.version for pk in ids} == {4}
    assert not set(ids) & early_ids
    # Their order on disk is not the order people answered in. Shuffled by a cryptographic
    # generator, the chance that 8 responses land back in answering order by luck is
    # 1/8! = 1/40320, so this fails spuriously about once in forty thousand runs.
    texts_on_disk = [t for *_, t in answers if t]
    assert sorted(texts_on_disk) == [f"Answer number {n}" for n in range(8)]
    assert texts_on_disk != [f"Answer number {n}" for n in range(8)]
    # No time of day anywhere in the tables that hold answers, and only the day of release.
    columns = _rows(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE "
        "table_name IN ('surveys_response', 'surveys_answer', 'surveys_sealedresponse')"
    )
    assert [c for c in columns if "time" in c[2]] == []
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {timezone.localdate()}
    assert not SealedResponse.objects.exists()
    assert Survey.objects.get(pk=survey.pk).answers_sealed_at is not None


def test_a_waiting_answer_cannot_be_read_without_the_servers_secret(settings):
    settings.SECRET_KEY = "the-secret-the-answer-was-sealed-with"
    survey, scale, text = _survey()
    organisation = OrganisationFactory(pk=987654321, name="Tiny Charity")
    member = _invited(survey, 1, organisation=organisation, sector="voluntary")[0]
    words = "My manager ignores complaints about racism"

    response_submit(survey=survey, member=member, answers={scale: 2, text: words})

    [(payload,)] = _rows("SELECT payload FROM surveys_sealedresponse")
    payload = bytes(payload)
    for plain in (words, "racism", "voluntary", "987654321", "Tiny Charity", "frontline"):
        assert plain.encode() not in payload, plain
    # A Fernet token normally carries the moment it was made in clear: this one does not.
    assert base64.urlsafe_b64decode(payload)[1:9] == bytes(8)

    settings.SECRET_KEY = "a-different-secret"
    with pytest.raises(InvalidToken):
        unseal(payload)
    with pytest.raises(InvalidToken):
        responses_release(survey=survey, now=_later())
    assert SealedResponse.objects.count() == 1  # kept, to be released once the key is back

    # After a key rotation the old key, kept as a fallback, still opens it.
    settings.SECRET_KEY_FALLBACKS = ["the-secret-the-answer-was-sealed-with"]
    assert unseal(payload) == {
        "answers": [[scale.pk, 2, None, ""], [text.pk, None, None, words]],
        "groups": ["voluntary", "frontline", 987654321],
    }
    assert responses_release(survey=survey, now=_later()) == 1
    assert Response.objects.get().answers.get(question=text).text == words


def _later():
    return timezone.now() + timedelta(days=30)


def test_how_much_someone_wrote_does_not_show_in_the_sealed_row():
    survey, scale, text = _survey()
    brief, wordy = _invited(survey, 2)
    response_submit(survey=survey, member=brief, answers={scale: 3, text: "Fine"})
    response_submit(
        survey=survey, member=wordy, answers={scale: 3, text: "Much more to say. " * 20}
    )
    assert {len(p) for p in SealedResponse.objects.values_list("payload", flat=True)} == {
        len(SealedResponse.objects.first().payload)
    }


# An organiser watching while people answer ---------------------------------------------------


def _responses_shown(page: str) -> str:
    """The number of responses the results page shows."""
    return re.search(r">Responses</dt>\s*<dd[^>]*>([^<]*)</dd>", page)[1]


def _watch(client, survey, members):
    """What the organiser can see: the results page (without its one line about answers
    waiting) and each member's data as the organiser downloads it (without the time made)."""
    html = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'<p class="alert alert-info" id="answers-waiting">.*?</p>', "", main)
    exports = []
    for member in members:
        download = client.get(reverse("members:member_data_download", args=[member.pk]))
        data = json.loads(download.content)
        del data["exported_at"]
        exports.append(data)
    return main, exports


def test_an_organiser_watching_the_results_and_exports_cannot_tell_whose_answer_arrived(
    organiser_client, django_capture_on_commit_callbacks
):
    survey, scale, _ = _survey()
    members = _invited(survey, 7)
    url = reverse("surveys:results", args=[survey.pk])

    for n, member in enumerate(members[: K - 1], 1):
        before = _watch(organiser_client, survey, members)
        with django_capture_on_commit_callbacks(execute=True):
            response_submit(survey=survey, member=member, answers={scale: 5})
        after = _watch(organiser_client, survey, members)
        # Nothing the organiser sees moved, except how many answers are waiting.
        assert after == before
        page = organiser_client.get(url).content.decode()
        assert _responses_shown(page) == "0"
        answers = "answer is" if n == 1 else "answers are"
        assert f'id="answers-waiting">{n} more {answers} waiting.' in page
    assert (
        f"{K - 1} more answers are waiting. Anonymous answers are "
        f"added in groups of at least {K}, or all together when the survey closes, so that no "
        "change in the results can be traced to the person who just answered."
    ) in page

    # The k-th answer releases the batch: the results move by k at once.
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(survey=survey, member=members[K - 1], answers={scale: 5})
    page = organiser_client.get(url).content.decode()
    assert _responses_shown(page) == str(K)
    assert 'id="answers-waiting"' not in page
    assert f">Strongly agree: {K}</text>" in page
    # And still no export says who answered the anonymous survey.
    for data in _watch(organiser_client, survey, members)[1]:
        assert data["survey_invitations"] == [
            {
                "survey": "How are we doing?",
                "invited_on": timezone.localdate().isoformat(),
                "reminded_on": "Not included in a copy made by an organiser, because the survey "
                "is anonymous: the member can see it in their own download from their profile.",
                "responded": "Not included in a copy made by an organiser, because the survey "
                "is anonymous: the member can see it in their own download from their profile.",
            }
        ]


def test_the_invitations_admin_does_not_say_who_answered_an_anonymous_survey(admin_client):
    anonymous, scale, _ = _survey()
    named, named_scale, _ = _survey(named=True, title="Named")
    answered = _invited(anonymous, 1, name="Quiet Answerer")[0]
    response_submit(survey=anonymous, member=answered, answers={scale: 4})
    named_member = _invited(named, 1, name="Named Answerer")[0]
    response_submit(survey=named, member=named_member, answers={named_scale: 4})
    changelist = reverse("admin:surveys_invitation_changelist")

    html = admin_client.get(changelist).content.decode()
    assert "responded" not in html.lower()  # no column, no filter
    assert html.count("Not shown: the survey is anonymous") == 1
    invitation = Invitation.objects.get(member=answered)
    page = admin_client.get(reverse("admin:surveys_invitation_change", args=[invitation.pk]))
    assert page.content.decode().count("Not shown: the survey is anonymous") == 2
    # Nor can the list be filtered by it through the address.
    assert admin_client.get(changelist, {"responded__exact": "1"}).status_code == 400


# Free text lined up across questions ---------------------------------------------------------


def test_one_persons_free_text_answers_do_not_line_up_across_questions():
    survey, scale, first = _survey()
    second = QuestionFactory(survey=survey, text="And anything else?", kind="text", required=False)
    members = _invited(survey, 6)
    letters = "abcdef"
    truth = set()
    for n, member in enumerate(members):
        # Written so that the two questions sort in opposite orders.
        pair = (f"{letters[n]} first answer", f"{letters[5 - n].upper()} second answer")
        truth.add(pair)
        response_submit(
            survey=survey, member=member, answers={scale: 3, first: pair[0], second: pair[1]}
        )
    _close(survey)
    responses_release(survey=survey)

    found = survey_results(survey=survey)
    texts = {r.question.pk: r.texts for r in found.questions}
    # Each question's texts in the order of the texts themselves, ignoring case ...
    assert texts[first.pk] == [f"{c} first answer" for c in letters]
    assert texts[second.pk] == [f"{c.upper()} second answer" for c in letters]
    # ... so pairing them up by position pairs nobody's answers.
    assert set(zip(texts[first.pk], texts[second.pk], strict=True)) & truth == set()


# Coarsened groups ----------------------------------------------------------------------------


def test_an_organisation_with_one_person_invited_is_pooled():
    survey, scale, _ = _survey()
    big = OrganisationFactory(name="Big Trust")
    crowd = _invited(survey, K, organisation=big, sector="nhs", seniority="frontline")
    alone = _invited(
        survey, 1, organisation=OrganisationFactory(name="Tiny Charity"), sector="nhs"
    )[0]
    other_sector = _invited(survey, 1, organisation=OrganisationFactory(), sector="voluntary")[0]
    for member in [*crowd, alone, other_sector]:
        response_submit(survey=survey, member=member, answers={scale: 3})
    _close(survey)
    responses_release(survey=survey)

    stored = sorted(
        Response.objects.values_list("sector", "seniority", "organisation_id"),
        key=lambda row: (row[0], row[2] or 0),
    )
    assert stored == sorted(
        # Five from the big trust keep it; the one from the tiny charity keeps sector and
        # seniority, which six people share; the only voluntary-sector person keeps nothing.
        [("nhs", "frontline", big.pk)] * K + [("nhs", "frontline", None), ("", "", None)],
        key=lambda row: (row[0], row[2] or 0),
    )
    table = breakdown(question=scale, by="organisation", see_everything=True)
    assert table.rows == ["Big Trust", "Not stated, or pooled"]


def test_fewer_answers_than_the_threshold_keep_no_groups():
    survey, scale, _ = _survey()
    members = _invited(survey, K - 1, organisation=OrganisationFactory(), sector="nhs")
    for member in members:
        response_submit(survey=survey, member=member, answers={scale: 3})
    _close(survey)
    responses_release(survey=survey)
    assert set(Response.objects.values_list("sector", "seniority", "organisation_id")) == {BLANK}


def test_groups_no_invited_member_has_any_longer_are_kept_blank():
    survey, scale, _ = _survey()
    others = _invited(survey, K, sector="nhs", seniority="frontline")
    moved = _invited(survey, 1, sector="nhs", organisation=OrganisationFactory())[0]
    for member in [*others, moved]:
        response_submit(survey=survey, member=member, answers={scale: 3})
    moved.organisation = OrganisationFactory()
    moved.save()
    _close(survey)
    responses_release(survey=survey)
    # The moved member's answer would otherwise be pooled with the others' (NHS, frontline):
    # but the counts no longer include them there, so it keeps nothing.
    assert sorted(
        Response.objects.values_list("sector", "seniority", "organisation_id"), key=str
    ) == sorted([BLANK] + [("nhs", "frontline", None)] * K, key=str)


def test_groups_are_coarsened_against_those_who_answered_not_everyone_invited():
    """The invitations say who answered. Six were invited from the council, but if only one of
    them answered, a response stored with the council would be theirs."""
    survey, scale, _ = _survey()
    trust, council = OrganisationFactory(), OrganisationFactory()
    staff = _invited(survey, K + 1, organisation=trust, sector="nhs")
    officers = _invited(survey, K + 1, organisation=council, sector="local_authority")
    for member in [*staff[:K], officers[0]]:
        response_submit(survey=survey, member=member, answers={scale: 3})
    _close(survey)
    responses_release(survey=survey)

    assert sorted(
        Response.objects.values_list("sector", "seniority", "organisation_id"), key=str
    ) == sorted([("nhs", "frontline", trust.pk)] * K + [BLANK], key=str)


def test_the_final_release_gives_every_response_one_day_and_coarsens_earlier_ones_again():
    """Days of earlier releases would split the responses into batches; and a batch's groups,
    right among the people who had answered by then, may not be among everyone who answered
    by the end, whose profiles may also have changed."""
    survey, scale, _ = _survey()
    trust = OrganisationFactory()
    members = _invited(survey, K + 1, organisation=trust, sector="nhs")
    for member in members[:K]:
        response_submit(survey=survey, member=member, answers={scale: 4})
    assert responses_release(survey=survey) == K
    assert set(Response.objects.values_list("submitted_on", "organisation_id")) == {
        (timezone.localdate(), trust.pk)
    }
    response_submit(survey=survey, member=members[K], answers={scale: 2})
    # Two of the first five have since moved: four from the trust are too few to name it.
    for moved in members[:2]:
        moved.organisation = OrganisationFactory()
        moved.save()

    later = timezone.now() + timedelta(days=10)  # after the survey closes
    assert responses_release(survey=survey, now=later) == K + 1

    assert set(
        Response.objects.values_list("submitted_on", "sector", "seniority", "organisation_id")
    ) == {(timezone.localdate(later), "nhs", "frontline", None)}


GROUPS = st.tuples(
    st.sampled_from(["", "nhs", "voluntary"]),
    st.sampled_from(["", "frontline", "senior"]),
    st.sampled_from([None, 1, 2, 3]),
)


def _sharing(stored, population):
    """Those in the population a stored combination could describe: a blank part could be
    anyone's, so they are those who match every part that is not blank."""
    return [
        p
        for p in population
        if all(s in ("", None) or s == v for s, v in zip(stored, p, strict=True))
    ]


@given(population=st.lists(GROUPS, max_size=30), k=st.integers(1, 6), stranger=GROUPS)
def test_every_stored_combination_is_shared_by_at_least_k_who_answered(population, k, stranger):
    """Everyone who answered was invited, so each combination is shared by k invited too."""
    coarsen = Coarsener(population, k=k)
    for person in population:
        stored = coarsen(person)
        if len(population) < k:
            assert stored == BLANK
            continue
        sharing = _sharing(stored, population)
        assert person in sharing
        assert len(sharing) >= k
    if stranger not in population:
        assert coarsen(stranger) == BLANK


@given(population=st.lists(GROUPS, max_size=30), k=st.integers(1, 6), stored=GROUPS)
def test_widening_an_earlier_combination_leaves_it_shared_by_at_least_k(population, k, stored):
    widened = Coarsener(population, k=k).widen(stored)
    if len(population) < k:
        assert widened == BLANK
    else:
        assert len(_sharing(widened, population)) >= k
        # Only ever coarser: each part kept as it was or blanked.
        assert all(w in ("", None) or w == s for w, s in zip(widened, stored, strict=True))


# Releasing -----------------------------------------------------------------------------------


def test_named_answers_are_stored_at_once_with_the_member():
    survey, scale, text = _survey(named=True)
    organisation = OrganisationFactory()
    member = _invited(survey, 1, organisation=organisation, sector="nhs", seniority="senior")[0]

    response = response_submit(
        survey=survey, member=member, answers={scale: 4, text: "Named words"}
    )

    assert Response.objects.get() == response
    assert (response.member, response.sector, response.seniority, response.organisation) == (
        member,
        "nhs",
        "senior",
        organisation,
    )
    assert response.answers.get(question=text).text == "Named words"
    assert not SealedResponse.objects.exists()
    _close(survey)
    assert responses_release(survey=survey) == 0
    assert Response.objects.get().pk == response.pk


def test_release_waits_for_k_answers_while_open_and_takes_all_at_close():
    survey, scale, _ = _survey()
    members = _invited(survey, K + 2)
    for member in members[: K - 1]:
        response_submit(survey=survey, member=member, answers={scale: 4})
    assert responses_release(survey=survey) == 0
    response_submit(survey=survey, member=members[K - 1], answers={scale: 4})
    assert responses_release(survey=survey) == K
    assert responses_release(survey=survey) == 0
    response_submit(survey=survey, member=members[K], answers={scale: 2})
    assert responses_release(survey=survey) == 0
    assert (Response.objects.count(), SealedResponse.objects.count()) == (K, 1)

    _close(survey)
    # The final release rewrites the earlier batch with the last answer.
    assert responses_release(survey=survey) == K + 1
    assert responses_release(survey=survey) == 0
    assert sorted(Response.objects.values_list("answers__value", flat=True)) == [2] + [4] * K


def test_the_scheduled_command_releases_what_is_due_once(capsys):
    survey, scale, _ = _survey()
    named, *_ = _survey(named=True, title="Named")
    for member in _invited(survey, 2):
        response_submit(survey=survey, member=member, answers={scale: 4})
    _close(survey)
    _close(named)

    call_command("release_survey_answers")
    call_command("release_survey_answers")

    assert capsys.readouterr().out == "Released 2 survey responses.\nReleased 0 survey responses.\n"
    assert Response.objects.filter(survey=survey).count() == 2
    assert Survey.objects.get(pk=named.pk).answers_sealed_at is None


@pytest.mark.django_db(transaction=True)
def test_two_scheduled_releases_at_once_write_each_answer_once():
    survey, scale, _ = _survey()
    for member in _invited(survey, 3):
        response_submit(survey=survey, member=member, answers={scale: 4})
    _close(survey)
    released = []

    def run():
        try:
            released.append(releases_run())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(released) == [0, 3]
    assert Response.objects.count() == 3
    assert not SealedResponse.objects.exists()


def test_the_csv_says_how_many_answers_are_waiting(organiser_client):
    survey, scale, _ = _survey()
    for member in _invited(survey, 2):
        response_submit(survey=survey, member=member, answers={scale: 4})

    download = organiser_client.get(reverse("surveys:results_csv", args=[survey.pk]))

    assert download.content.decode("utf-8-sig").splitlines()[:6] == [
        "Survey,How are we doing?",
        "Responses,0",
        "Invited,2",
        "Waiting to be added,2",
        'Note,"2 more answers are waiting. Anonymous answers are added in groups of at least 5, '
        "or all together when the survey closes, so that no change in the results can be traced "
        'to the person who just answered."',
        'Note,"Results appear once there are at least 5 responses. With fewer, even the overall '
        'counts and free-text answers could identify the people who answered."',
    ]


def test_a_closed_surveys_results_page_releases_first_and_never_serves_older_results(
    organiser_client,
):
    survey, scale, _ = _survey()
    for member in _invited(survey, 3):
        response_submit(survey=survey, member=member, answers={scale: 4})
    _close(survey)
    # Results worked out (and kept) before the final release ...
    assert results_with_days(survey=survey).value[0].responses == 0

    page = organiser_client.get(reverse("surveys:results", args=[survey.pk]))

    # ... are not what the page shows: it released the answers and worked them out again.
    assert page.context["results"].responses == 3
    assert not SealedResponse.objects.exists()


def test_reopening_a_sealed_survey_seals_it_again_at_its_new_close():
    survey, scale, _ = _survey()
    for member in _invited(survey, 2):
        response_submit(survey=survey, member=member, answers={scale: 4})
    _close(survey)
    responses_release(survey=survey)
    first_ids = set(Response.objects.values_list("pk", flat=True))
    assert Survey.objects.get(pk=survey.pk).answers_sealed_at is not None

    survey = Survey.objects.get(pk=survey.pk)
    survey_save(survey=survey, closes_at=timezone.now() + timedelta(days=2))
    assert Survey.objects.get(pk=survey.pk).answers_sealed_at is None
    late = _invited(survey, 1)[0]
    response_submit(survey=survey, member=late, answers={scale: 1})
    _close(survey)
    assert responses_release(survey=survey) == 3
    assert not set(Response.objects.values_list("pk", flat=True)) & first_ids
    assert Survey.objects.get(pk=survey.pk).answers_sealed_at is not None


def test_questions_and_anonymity_stay_locked_while_answers_are_only_sealed():
    survey, scale, _ = _survey()
    member = _invited(survey, 1)[0]
    response_submit(survey=survey, member=member, answers={scale: 4})
    assert not Response.objects.exists()
    assert survey.has_answers()
    with pytest.raises(ValidationError, match="cannot change now"):
        survey_save(survey=survey, is_anonymous=False)
    choice_question = Question(survey=survey, kind="single", text="New")
    with pytest.raises(ValidationError, match="the questions cannot change"):
        question_save(question=choice_question, choices=["A", "B"])
    assert not Choice.objects.exists()


def test_the_data_migration_coarsens_anonymous_responses_given_before_sealing():
    """Responses stored before sealing kept each respondent's organisation; the migration
    coarsens them by the same rule, against those who answered each survey (seniority was
    never recorded then, so it is matched on sector and organisation alone)."""
    migration = importlib.import_module("surveys.migrations.0004_coarsen_anonymous_responses")
    survey, *_ = _survey()
    named, *_ = _survey(named=True, title="Named")
    big, tiny = OrganisationFactory(), OrganisationFactory()
    crowd = _invited(survey, K, organisation=big, sector="nhs", seniority="senior")
    alone = _invited(survey, 1, organisation=tiny, sector="nhs")[0]
    for member in [*crowd, alone]:
        ResponseFactory(survey=survey, sector="nhs", organisation=member.organisation)
    Invitation.objects.filter(survey=survey).update(responded=True)
    InvitationFactory(survey=named, member=alone)
    kept = ResponseFactory(survey=named, member=alone, sector="nhs", organisation=tiny)

    migration.coarsen(django_apps, None)

    assert sorted(
        Response.objects.filter(survey=survey).values_list(
            "sector", "seniority", "organisation_id"
        ),
        key=str,
    ) == sorted([("nhs", "", big.pk)] * K + [("nhs", "", None)], key=str)
    kept.refresh_from_db()
    assert (kept.sector, kept.organisation_id) == ("nhs", tiny.pk)  # named: left as it was
