"""Writes for surveys: building them, inviting people, taking answers (anonymously where the
survey says so) and reminding those who have not answered."""

import secrets
import uuid
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cop_portal.web.portal_address import absolute_url
from cop_portal.web.slugs import unique_slug
from members.emails import member_email_send

from .models import Answer, Choice, Invitation, Question, Response, SealedResponse, Survey
from .sealing import Coarsener, seal, unseal
from .selectors.organise import audience
from .selectors.respond import minutes_to_answer

REMINDER_BEFORE_CLOSE = timedelta(hours=48)
# Building ------------------------------------------------------------------------------------


@transaction.atomic
def survey_save(*, survey: Survey, user=None, **fields) -> Survey:
    closed_at = survey.closes_at
    if survey.pk:
        stored = Survey.objects.select_for_update().get(pk=survey.pk)
        changed = {name for name, value in fields.items() if getattr(stored, name) != value}
        if survey.has_answers() and {"is_anonymous", "kind", "event", "caucus"} & changed:
            raise ValidationError(
                "People have already answered, so whether it is anonymous and who it is for "
                "cannot change now."
            )
        # Who it is for is fixed once invitations have gone: a caucus survey relabelled "whole
        # CoP" would show its invitations, and so the caucus's members, to anyone.
        if stored.invitations.exists() and {"kind", "event", "caucus"} & changed:
            raise ValidationError(
                "Invitations have gone out, so who this survey is for cannot change now. Make a "
                "new survey for a different audience."
            )
    for name, value in fields.items():
        setattr(survey, name, value)
    if survey.kind != Survey.Kind.POST_EVENT:
        survey.event = None
    if survey.kind != Survey.Kind.CAUCUS:
        survey.caucus = None
    if not survey.slug:
        survey.slug = unique_slug(Survey, survey.title)
    if survey.pk is None:
        survey.created_by = user
    if closed_at and survey.closes_at > closed_at:
        # Reopened, or given longer: answers will be sealed again at the new close.
        survey.answers_sealed_at = None
    survey.full_clean()
    survey.save()
    return survey


def _editable(survey: Survey):
    if survey.has_answers():
        raise ValidationError("People have already answered, so the questions cannot change.")


@transaction.atomic
def question_save(*, question: Question, choices: list[str] | None = None, **fields) -> Question:
    """Create or change a question; for a choice question, `choices` is the list of options in
    order (blank lines are dropped)."""
    _editable(question.survey)
    for name, value in fields.items():
        setattr(question, name, value)
    if question.pk is None and not question.order:
        last = question.survey.questions.order_by("-order").first()
        question.order = (last.order + 1) if last else 1
    options = [c.strip() for c in (choices or []) if c.strip()]
    if question.kind in Question.CHOICE_KINDS and len(options) < 2:
        raise ValidationError("A choice question needs at least two options.")
    if len({o.casefold() for o in options}) != len(options):
        raise ValidationError("Each option must be different.")
    question.full_clean()
    question.save()
    question.choices.all().delete()
    if question.kind in Question.CHOICE_KINDS:
        Choice.objects.bulk_create(
            Choice(question=question, text=text, order=i) for i, text in enumerate(options, 1)
        )
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _editable(question.survey)
    question.delete()


@transaction.atomic
def question_move(*, question: Question, direction: int) -> None:
    """Swap a question with its neighbour above (-1) or below (+1), renumbering 1, 2, 3…"""
    questions = list(question.survey.questions.select_for_update().order_by("order", "pk"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index + direction
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
    for number, q in enumerate(questions, 1):
        if q.order != number:
            q.order = number
            q.save(update_fields=["order"])


@transaction.atomic
def survey_publish(*, survey: Survey) -> Survey:
    if survey.status == Survey.Status.PUBLISHED:
        raise ValidationError("This survey is already published.")
    if not survey.questions.exists():
        raise ValidationError("Add at least one question before publishing.")
    if survey.closes_at <= timezone.now():
        raise ValidationError("The closing date has passed: move it later first.")
    survey.status = Survey.Status.PUBLISHED
    survey.published_at = timezone.now()
    survey.save(update_fields=["status", "published_at"])
    return survey


# Invitations ---------------------------------------------------------------------------------


@transaction.atomic
def survey_invite(*, survey: Survey) -> int:
    """Invite everyone the survey is for who has not been invited yet, and email them.
    Safe to run again: it adds only newcomers (say, attendance recorded later).
    Returns how many were invited this time."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError("Publish the survey before inviting people.")
    if survey.closes_at <= timezone.now():
        raise ValidationError("This survey has closed.")
    already = survey.invitations.values("member_id")
    new_members = list(audience(survey).exclude(pk__in=already))
    Invitation.objects.bulk_create(Invitation(survey=survey, member=m) for m in new_members)
    survey.invitations_sent_at = survey.invitations_sent_at or timezone.now()
    survey.save(update_fields=["invitations_sent_at"])
    minutes = minutes_to_answer(list(survey.questions.all()))
    transaction.on_commit(lambda: _send_invitations(survey, new_members, minutes))
    return len(new_members)


def _send_invitations(survey, members, minutes):
    link = absolute_url(reverse("surveys:respond", kwargs={"slug": survey.slug}))
    for member in members:
        member_email_send(
            member=member,
            subject=f"{survey.title} (about {minutes} minute{'s' if minutes != 1 else ''})",
            template="surveys/email/invitation.txt",
            context={"survey": survey, "link": link, "minutes": minutes},
            category="surveys",
        )


def reminders_send(*, now=None) -> int:
    """Remind people who have not answered a survey that closes within two days, once.
    Run it with the other scheduled commands: `manage.py send_survey_reminders`."""
    now = now or timezone.now()
    due = Survey.objects.filter(
        status=Survey.Status.PUBLISHED,
        reminders_sent_at__isnull=True,
        closes_at__gt=now,
        closes_at__lte=now + REMINDER_BEFORE_CLOSE,
        invitations_sent_at__isnull=False,
    )
    sent = 0
    for survey in due:
        marked = Survey.objects.filter(pk=survey.pk, reminders_sent_at__isnull=True).update(
            reminders_sent_at=now
        )
        if not marked:
            continue
        waiting = survey.invitations.filter(responded=False).select_related("member")
        link = absolute_url(reverse("surveys:respond", kwargs={"slug": survey.slug}))
        minutes = minutes_to_answer(list(survey.questions.all()))
        for invitation in waiting:
            if member_email_send(
                member=invitation.member,
                subject=f"Reminder: {survey.title} closes soon",
                template="surveys/email/reminder.txt",
                context={"survey": survey, "link": link, "minutes": minutes},
                category="surveys",
            ):
                sent += 1
        waiting.update(reminded_on=timezone.localdate(now))
    return sent


# Answering -----------------------------------------------------------------------------------


def invitation_for(*, survey: Survey, member) -> Invitation | None:
    return Invitation.objects.filter(survey=survey, member=member).first()


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


# Releasing anonymous answers -----------------------------------------------------------------


def release_due(*, survey: Survey, now=None) -> bool:
    """Whether `responses_release` has anything to do for this survey: enough sealed answers
    to release, or a closed survey whose answers are not yet sealed in their final order."""
    if not survey.is_anonymous:
        return False
    now = now or timezone.now()
    if survey.closes_at <= now:
        return survey.answers_sealed_at is None or survey.sealed_responses.exists()
    return survey.sealed_responses.count() >= settings.SURVEY_SUPPRESSION_THRESHOLD


def _respondent_groups(survey: Survey) -> Coarsener:
    """The groups of everyone who has answered the survey (released or still sealed), as
    their profiles are now."""
    population = survey.invitations.filter(responded=True).values_list(
        "member__sector", "member__seniority", "member__organisation_id"
    )
    return Coarsener(population, k=settings.SURVEY_SUPPRESSION_THRESHOLD)


@transaction.atomic
def responses_release(*, survey: Survey, now=None) -> int:
    """Write waiting anonymous answers as responses, in a transaction of their own, in an order
    nobody can predict. Returns how many responses were written (0 when nothing was due).

    While the survey is open, answers wait until there are at least k of them
    (k = SURVEY_SUPPRESSION_THRESHOLD), so results move by k or more at a time and never by one
    person's answer. Once it has closed, everything waiting is released, and every anonymous
    response released earlier is rewritten with it (new keys, shuffled together), so that all
    of the survey's anonymous rows end up in one transaction in a random physical order; the
    survey's `answers_sealed_at` records that. They all get the day of that final release
    too: days of earlier releases would split the responses into batches, and anyone who can
    tell who answered in which batch could pick people out within one. Each response's groups
    are coarsened against the people who have answered (surveys.sealing.Coarsener); at the
    final release, those released earlier are coarsened again against everyone who answered.

    The survey row is locked first, so two releases of one survey run one after the other and
    the second finds nothing left to do."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not release_due(survey=survey, now=now):
        return 0
    closed = survey.closes_at <= now
    sealed = list(survey.sealed_responses.all())
    coarsen = _respondent_groups(survey)
    # (groups, answer rows) for each response to write.
    batch = []
    for row in sealed:
        payload = unseal(row.payload)
        batch.append((coarsen(tuple(payload["groups"])), payload["answers"]))
    if closed:
        earlier = survey.responses.filter(member__isnull=True).prefetch_related("answers")
        for response in earlier:
            groups = (response.sector, response.seniority, response.organisation_id)
            rows = [(a.question_id, a.value, a.choice_id, a.text) for a in response.answers.all()]
            batch.append((coarsen.widen(groups), rows))
        earlier.delete()
    secrets.SystemRandom().shuffle(batch)
    responses = Response.objects.bulk_create(
        Response(
            id=uuid.uuid4(),
            survey=survey,
            member=None,
            submitted_on=timezone.localdate(now),
            sector=sector,
            seniority=seniority,
            organisation_id=organisation,
        )
        for (sector, seniority, organisation), _ in batch
    )
    Answer.objects.bulk_create(
        Answer(response=response, question_id=q, value=v, choice_id=c, text=t)
        for response, (_, rows) in zip(responses, batch, strict=True)
        for q, v, c, t in rows
    )
    SealedResponse.objects.filter(pk__in=[row.pk for row in sealed]).delete()
    if closed:
        survey.answers_sealed_at = now
        survey.save(update_fields=["answers_sealed_at"])
    return len(batch)


def releases_run(*, now=None) -> int:
    """Release answers for every survey that has some due; for the scheduled command. Each
    survey is released in its own transaction. Returns how many responses were written."""
    now = now or timezone.now()
    candidates = (
        Survey.objects.filter(is_anonymous=True)
        .filter(
            Q(sealed_responses__isnull=False)
            | Q(closes_at__lte=now, answers_sealed_at__isnull=True)
        )
        .distinct()
        .order_by("pk")
    )
    return sum(responses_release(survey=survey, now=now) for survey in candidates)


@transaction.atomic
def sealed_responses_regroup(*, organisation_ids: list[int], into: int) -> int:
    """Answers still sealed that were given by members of `organisation_ids` now count as given
    from organisation `into` (when organisations are merged), re-sealed in place. Returns how
    many were changed. Waiting answers are few: they are released once k are waiting."""
    changed = 0
    merged = set(organisation_ids)
    for row in SealedResponse.objects.select_for_update().order_by("pk"):
        try:
            payload = unseal(row.payload)
        except InvalidToken:
            continue  # sealed under a key the server no longer holds: nothing can read it
        sector, seniority, organisation = payload["groups"]
        if organisation in merged:
            payload["groups"] = [sector, seniority, into]
            row.payload = seal(payload)
            row.save(update_fields=["payload"])
            changed += 1
    return changed
