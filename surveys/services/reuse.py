"""Reusing surveys: templates to start from, copies of an earlier survey, and a session's
standard survey, made from its template once the session has ended.

A copy takes only what the organiser wrote (the introduction, kind, anonymity and questions
with their options, in order). Never anything of the people asked or their answers:
invitations, links, responses, sealed answers, the short code, or when it went out."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Event

from ..models import Choice, Question, StandardSurvey, Survey
from .organise import survey_publish, survey_save

logger = logging.getLogger(__name__)

# A session's standard survey opens when the session ends and stays open this long.
STANDARD_SURVEY_OPEN_FOR = timedelta(days=14)
# A template's own times mean nothing (it never opens); they only satisfy the table.
TEMPLATE_OPEN_FOR = timedelta(days=14)


@transaction.atomic
def survey_copy(
    source: Survey,
    *,
    by,
    opens_at,
    closes_at,
    title: str | None = None,
    event: Event | None = None,
    caucus=None,
    kind: str | None = None,
    as_template: bool = False,
    standard_for_event: bool = False,
) -> Survey:
    """A new draft made from `source` (a template or an earlier survey), for `event` or
    `caucus` when its kind needs one; `kind` changes the kind (a session's standard survey is
    always one after the session). The rules of survey_save apply: a survey after a session
    needs its session, a caucus survey its caucus."""
    copy = Survey(is_template=as_template, is_standard_for_event=standard_for_event)
    survey_save(
        survey=copy,
        user=by,
        title=(title or source.title).strip()[:200],
        kind=kind or source.kind,
        intro=source.intro,
        is_anonymous=source.is_anonymous,
        event=None if as_template else event,
        caucus=None if as_template else caucus,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    for question in source.questions.prefetch_related("choices").order_by("order", "pk"):
        made = Question.objects.create(
            survey=copy,
            order=question.order,
            text=question.text,
            help_text=question.help_text,
            kind=question.kind,
            required=question.required,
            value_cycle=question.value_cycle,
        )
        Choice.objects.bulk_create(
            Choice(question=made, text=choice.text, order=choice.order)
            for choice in question.choices.all()
        )
    return copy


# Templates -----------------------------------------------------------------------------------


@transaction.atomic
def survey_templates_load(templates: list[dict]) -> int:
    """The templates a portal starts with (members/starter/survey_templates.json), loaded only
    when there are none, so organisers' edits stay. Returns how many were made."""
    if Survey.objects.filter(is_template=True).exists():
        return 0
    now = timezone.now()
    for entry in templates:
        template = Survey(is_template=True)
        survey_save(
            survey=template,
            title=entry["title"],
            kind=entry["kind"],
            intro=entry.get("intro", ""),
            is_anonymous=entry.get("is_anonymous", True),
            opens_at=now,
            closes_at=now + TEMPLATE_OPEN_FOR,
        )
        for order, question in enumerate(entry["questions"], 1):
            made = Question.objects.create(
                survey=template,
                order=order,
                text=question["text"],
                help_text=question.get("help_text", ""),
                kind=question["kind"],
                required=question.get("required", True),
                value_cycle=question.get("value_cycle", ""),
            )
            made.full_clean()
            Choice.objects.bulk_create(
                Choice(question=made, text=text, order=i)
                for i, text in enumerate(question.get("choices", []), 1)
            )
    return len(templates)


# A session's standard survey -----------------------------------------------------------------


@transaction.atomic
def standard_survey_choose(*, event: Event, template: Survey | None, by) -> None:
    """Set (or, with None, clear) the survey sent after `event`. Once its survey has been made
    the choice is kept as it was: the survey is edited on its own page."""
    if Survey.objects.filter(event=event, is_standard_for_event=True).exists():
        raise ValidationError(
            "The survey after this session has already been made: change it on its own page."
        )
    if template is None:
        StandardSurvey.objects.filter(event=event).delete()
        return
    if not (template.is_template and template.kind == Survey.Kind.POST_EVENT):
        raise ValidationError("Choose one of the templates for after a session.")
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This session is cancelled, so no survey goes after it.")
    StandardSurvey.objects.update_or_create(
        event=event, defaults={"template": template, "chosen_by": by}
    )


def standard_surveys_make(*, now=None) -> int:
    """Make each due session's standard survey: for a session that has ended, is not
    cancelled, and whose survey would still be open, a copy of its template, after the
    session, published and open from its end for two weeks. The email after the session
    (members.services.journey) then carries it, so those who came get one email, not two.

    Each is made once: the row of the choice is locked while its survey is made (another
    worker skips it), and the table allows one such survey per session, so a second attempt
    that slips past the lock is refused by the database and changes nothing. Returns how
    many were made."""
    now = now or timezone.now()
    due = (
        StandardSurvey.objects.filter(
            event__ends_at__lte=now,
            event__ends_at__gt=now - STANDARD_SURVEY_OPEN_FOR,
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .exclude(event__surveys__is_standard_for_event=True)
        .values_list("pk", flat=True)
    )
    made = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                choice = (
                    StandardSurvey.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("event", "template", "chosen_by")
                    .filter(pk=pk)
                    .first()
                )
                if (
                    choice is None
                    or choice.event.surveys.filter(is_standard_for_event=True).exists()
                ):
                    continue
                survey = survey_copy(
                    choice.template,
                    by=choice.chosen_by,
                    title=f"{choice.template.title}: {choice.event.title}",
                    kind=Survey.Kind.POST_EVENT,
                    event=choice.event,
                    opens_at=choice.event.ends_at,
                    closes_at=choice.event.ends_at + STANDARD_SURVEY_OPEN_FOR,
                    standard_for_event=True,
                )
                if survey.questions.exists():
                    survey_publish(survey=survey)
                made += 1
        except IntegrityError:
            continue  # made by another worker in the meantime
        except ValidationError as error:
            # One session's survey that cannot be made must not hold up the others, nor the
            # emails after sessions that run next.
            logger.warning("Standard survey %s not made: %s", pk, "; ".join(error.messages))
    return made
