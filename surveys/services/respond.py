"""Taking a member's answers: stored with them for a named survey, sealed until they can be
released among others for an anonymous one (surveys.sealing)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..caching import results_changed
from ..links import LINK_MAX_AGE, token_hash, token_new
from ..models import Answer, Invitation, InvitationLink, Question, Response, SealedResponse, Survey
from ..sealing import seal
from .release import responses_release


def _answer_rows(survey: Survey, answers: dict) -> list[tuple]:
    """The answers as rows (question id, value, choice id, text), checked: every question is
    the survey's own and every required one is answered."""
    given = {question.pk: value for question, value in answers.items()}
    if set(given) - set(survey.questions.values_list("pk", flat=True)):
        raise ValidationError("An answer was for a question not in this survey.")
    rows = []
    for question in survey.questions.all():
        value = given.get(question.pk)
        if value in (None, "", []):
            if question.required:
                raise ValidationError(f"“{question.text}” needs an answer.")
            continue
        if question.kind in Question.SCALE_KINDS:
            rows.append((question.pk, int(value), None, ""))
        elif question.kind == Question.Kind.SINGLE:
            rows.append((question.pk, None, value.pk, ""))
        elif question.kind == Question.Kind.MULTIPLE:
            rows += [(question.pk, None, c.pk, "") for c in value]
        else:
            rows.append((question.pk, None, None, value))
    return rows


def _answers_create(response: Response, rows) -> None:
    Answer.objects.bulk_create(
        Answer(response=response, question_id=q, value=v, choice_id=c, text=t)
        for q, v, c, t in rows
    )


@transaction.atomic
def response_submit(*, survey: Survey, member, answers: dict) -> Response | None:
    """Store one member's answers. `answers` maps each question to its cleaned value: an int
    for a scale, a Choice, a list of Choices, or text (None or "" or [] when skipped).

    A named survey's response is stored at once, with the member, and returned. An anonymous
    survey's answers are sealed (surveys.sealing) and nothing is returned: the invitation is
    marked answered in this transaction, and the response is written later by
    `responses_release`, in a transaction of its own, shuffled among others. After this
    transaction commits, a release is tried at once (it waits until there are enough)."""
    if not survey.is_open():
        raise ValidationError("This survey is not open for answers.")
    invitation = Invitation.objects.select_for_update().filter(survey=survey, member=member).first()
    if invitation is None:
        raise PermissionDenied("This survey is for the people it was sent to.")
    if invitation.responded:
        raise ValidationError("You have already answered this survey. Thank you.")
    rows = _answer_rows(survey, answers)
    invitation.responded = True
    invitation.save(update_fields=["responded"])
    # Every personal link of the invitation stops working now, however the answer came: a
    # link is single-use, and one signed in leaves no live link behind in an old email.
    # Deleted rather than marked used, so that no row keeps anything about the answer.
    InvitationLink.objects.filter(invitation=invitation).delete()
    # Even a sealed answer changes the results page: how many answered, and how many wait.
    results_changed(survey.pk)
    if not survey.is_anonymous:
        response = Response.objects.create(
            survey=survey,
            member=member,
            sector=member.sector,
            seniority=member.seniority,
            organisation_id=member.organisation_id,
        )
        _answers_create(response, rows)
        return response
    SealedResponse.objects.create(
        survey=survey,
        payload=seal(
            {
                "answers": rows,
                "groups": [member.sector, member.seniority, member.organisation_id],
            }
        ),
    )
    # Robust: if the release fails, the answer stays sealed and the scheduled command
    # releases it; the member's answer is already safely stored.
    transaction.on_commit(lambda: responses_release(survey=survey), robust=True)
    return None


def invitation_link_create(*, invitation: Invitation, now=None) -> str:
    """A new personal link for an invitation email: returns its token, which exists only in
    the email (the database keeps its hash). It works until the invitation is answered, the
    survey closes, or LINK_MAX_AGE has passed, whichever comes first."""
    now = now or timezone.now()
    token = token_new()
    InvitationLink.objects.create(
        invitation=invitation,
        token_hash=token_hash(token),
        expires_at=min(invitation.survey.closes_at, now + LINK_MAX_AGE),
    )
    return token
