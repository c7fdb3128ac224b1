"""The organisers' writes: building a survey and its questions, publishing it, inviting the
people it is for, and reminding those who have not answered."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import absolute_url, request_address, request_address_carried
from cop_portal.web.slugs import unique_slug
from members.services import member_email_send

from ..caching import results_changed
from ..links import token_hash
from ..models import Choice, Invitation, InvitationLink, Question, Survey
from ..selectors.organise import audience
from ..selectors.respond import minutes_to_answer
from .respond import invitation_link_create

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
    if survey.kind != Survey.Kind.POST_EVENT or survey.is_template:
        survey.event = None
    if survey.kind != Survey.Kind.CAUCUS or survey.is_template:
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
    results_changed(survey.pk)
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
    results_changed(question.survey_id)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _editable(question.survey)
    question.delete()
    results_changed(question.survey_id)


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
    results_changed(question.survey_id)


@transaction.atomic
def survey_publish(*, survey: Survey) -> Survey:
    if survey.is_template:
        raise ValidationError(
            "A template is never published: make a survey from it, then publish that."
        )
    if survey.status == Survey.Status.PUBLISHED:
        raise ValidationError("This survey is already published.")
    if not survey.questions.exists():
        raise ValidationError("Add at least one question before publishing.")
    if survey.closes_at <= timezone.now():
        raise ValidationError("The closing date has passed: move it later first.")
    survey.status = Survey.Status.PUBLISHED
    survey.published_at = timezone.now()
    survey.save(update_fields=["status", "published_at"])
    results_changed(survey.pk)
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
    results_changed(survey.pk)
    invitations_email_send.enqueue(
        survey.pk, [m.pk for m in new_members], portal_base=request_address()
    )
    return len(new_members)


def invitation_link_for(*, survey: Survey, member) -> tuple[str, str]:
    """For an email that is itself `member`'s invitation to `survey` (the email after a
    session): the invitation, made if missing, and a new personal link to it. Returns (token,
    address); pass the token to `invitation_link_discard` if the email is not queued.

    The survey's invitations have then gone out, as if the organiser had sent them: its page
    says so, its reminders go, and the dashboard counts it. Sending them from its page later
    adds only those this email did not reach."""
    if survey.status != Survey.Status.PUBLISHED:
        raise ValidationError("Publish the survey before inviting people.")
    invitation, _ = Invitation.objects.get_or_create(survey=survey, member=member)
    results_changed(survey.pk)
    Survey.objects.filter(pk=survey.pk, invitations_sent_at__isnull=True).update(
        invitations_sent_at=timezone.now()
    )
    token = invitation_link_create(invitation=invitation)
    return token, absolute_url(reverse("surveys:link", kwargs={"token": token}))


def invitation_link_discard(token: str) -> None:
    """A link whose email was not queued: a live link exists only in an email sent."""
    InvitationLink.objects.filter(token_hash=token_hash(token)).delete()


def _invitation_email_send(*, invitation: Invitation, subject: str, template: str, context, key):
    """Queue one invitation or reminder, with a personal link of its own that opens the survey
    without signing in (surveys.links). A link whose email was not queued (the member turned
    survey emails off, say) is deleted at once: a live link exists only in an email sent.

    Members imported from a register who have not claimed their record are emailed too: the
    link needs no account, so this is the one non-essential email they can act on."""
    token = invitation_link_create(invitation=invitation)
    link = absolute_url(reverse("surveys:link", kwargs={"token": token}))
    queued = member_email_send(
        member=invitation.member,
        subject=subject,
        template=template,
        context={**context, "link": link},
        category="surveys",
        key=key,
        unclaimed_too=True,
    )
    if not queued:
        invitation.links.filter(token_hash=token_hash(token)).delete()
    return queued


@task
@request_address_carried
@transaction.atomic
def invitations_email_send(survey_id: int, member_ids: list[int]) -> int:
    """Queue the invitation to answer for each of `member_ids`; returns how many were queued."""
    survey = Survey.objects.get(pk=survey_id)
    minutes = minutes_to_answer(list(survey.questions.all()))
    invitations = (
        survey.invitations.filter(member_id__in=member_ids)
        .select_related("member", "survey")
        .order_by("member_id")
    )
    queued = 0
    with outbox_collecting():
        for invitation in invitations:
            queued += _invitation_email_send(
                invitation=invitation,
                subject=f"{survey.title} (about {minutes} minute{'s' if minutes != 1 else ''})",
                template="surveys/email/invitation.txt",
                context={"survey": survey, "minutes": minutes},
                key=f"survey-invitation:{survey.pk}:{invitation.member_id}",
            )
    return queued


def reminders_send(*, now=None) -> int:
    """Remind people who have not answered a survey that closes within two days, once.
    The workers run it every 15 minutes (surveys.tasks, the survey-reminders schedule)."""
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
        # Marked in the transaction that queues the reminders: all of them, or none.
        with transaction.atomic(), outbox_collecting():
            marked = Survey.objects.filter(pk=survey.pk, reminders_sent_at__isnull=True).update(
                reminders_sent_at=now
            )
            if not marked:
                continue
            waiting = survey.invitations.filter(responded=False).select_related("member", "survey")
            minutes = minutes_to_answer(list(survey.questions.all()))
            for invitation in waiting:
                # A fresh link: the invitation's may have reached its 30 days, and each email
                # carries a link of its own; both work until the survey is answered.
                if _invitation_email_send(
                    invitation=invitation,
                    subject=f"Reminder: {survey.title} closes soon",
                    template="surveys/email/reminder.txt",
                    context={"survey": survey, "minutes": minutes},
                    key=f"survey-reminder:{survey.pk}:{invitation.member_id}",
                ):
                    sent += 1
            waiting.update(reminded_on=timezone.localdate(now))
    return sent


def invitation_links_purge(*, now=None) -> int:
    """Delete personal links that can no longer open anything: expired, or for an invitation
    already answered (those are deleted when the answer is taken; this catches any left).
    The workers run it with the reminders (surveys.tasks). Returns how many went."""
    now = now or timezone.now()
    deleted, _ = InvitationLink.objects.filter(
        Q(expires_at__lte=now) | Q(invitation__responded=True)
    ).delete()
    return deleted
