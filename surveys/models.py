import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from members.models import ValueCycle

SHORT_CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to misread on a slide
SHORT_CODE_MAX = 12


def short_code_new() -> str:
    return "".join(secrets.choice(SHORT_CODE_LETTERS) for _ in range(8))


class Survey(models.Model):
    class Kind(models.TextChoices):
        POST_EVENT = "post_event", "After a session"
        CAUCUS = "caucus", "Caucus"
        COP_WIDE = "cop_wide", "Whole CoP"
        CHECK_IN = "check_in", "Regular check-in"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    # The short link's code (/q/<code>/, for a slide): random, so the codes of other surveys
    # cannot be counted through, and it leads only to the survey page, which checks who may answer.
    short_code = models.CharField(
        max_length=SHORT_CODE_MAX, unique=True, default=short_code_new, editable=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    intro = models.TextField("introduction", blank=True)
    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    caucus = models.ForeignKey(
        "events.Caucus", on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    is_anonymous = models.BooleanField(
        "anonymous",
        default=True,
        help_text="Anonymous answers are stored with no link to the person who gave them.",
    )
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    invitations_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminders_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the final release after closing rewrote every anonymous answer in one transaction
    # (surveys.services.release.responses_release); cleared if the survey is reopened.
    answers_sealed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A template: questions to start a survey from (surveys.services.reuse). It is never
    # published and has no session or caucus, so nobody is ever invited to it or answers it,
    # and no list, count or report of surveys includes it.
    # (Defaults in the table too: the benchmark's seeder writes surveys with COPY.)
    is_template = models.BooleanField(default=False, db_default=False, editable=False)
    # Made by itself after its session, from the session's standard survey (StandardSurvey):
    # at most one per session, however many workers make it at once.
    is_standard_for_event = models.BooleanField(default=False, db_default=False, editable=False)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="survey_closes_after_it_opens",
                violation_error_message="The survey must close after it opens.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="post_event") | Q(event__isnull=False) | Q(is_template=True),
                name="post_event_survey_has_event",
                violation_error_message="Choose the session this survey follows.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="caucus") | Q(caucus__isnull=False) | Q(is_template=True),
                name="caucus_survey_has_caucus",
                violation_error_message="Choose the caucus this survey is for.",
            ),
            models.CheckConstraint(
                condition=Q(is_template=False)
                | Q(status="draft", event__isnull=True, caucus__isnull=True),
                name="template_is_an_unattached_draft",
                violation_error_message="A template is never published and belongs to no "
                "session or caucus.",
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(is_standard_for_event=True),
                name="one_standard_survey_per_event",
            ),
        ]
        permissions = [
            (
                "view_unsuppressed_results",
                "Can see survey counts below the disclosure threshold",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:respond", kwargs={"slug": self.slug})

    def validate_constraints(self, exclude=None):
        # No form sets these two (the services do), so a form would skip every check that
        # names them, and a survey after a session with no session would reach the table.
        if exclude:
            exclude = set(exclude) - {"is_template", "is_standard_for_event"}
        super().validate_constraints(exclude=exclude)

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def has_answers(self) -> bool:
        """Whether anyone has answered: released responses, or anonymous answers still sealed."""
        return self.responses.exists() or self.sealed_responses.exists()


class StandardSurvey(models.Model):
    """A session's standard survey: once the session has ended, a copy of `template` is made
    for those who came, published and open for two weeks from its end, and the email after the
    session carries it (surveys.services.reuse.standard_surveys_make)."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, related_name="standard_survey"
    )
    template = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        related_name="standard_for",
        limit_choices_to={"is_template": True, "kind": Survey.Kind.POST_EVENT},
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Standard survey after {self.event_id}"


class Question(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Agreement scale (1–5)"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        TEXT = "text", "Free text"
        NPS = "nps", "Likelihood to recommend (0–10)"

    AGREEMENT_LABELS = {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither agree nor disagree",
        4: "Agree",
        5: "Strongly agree",
    }
    SCALE_KINDS = (Kind.AGREEMENT, Kind.NPS)
    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    required = models.BooleanField(default=True)
    value_cycle = models.CharField(
        "value-creation cycle it evidences",
        max_length=20,
        choices=ValueCycle.choices,
        blank=True,
        help_text="For the impact report: which kind of value a good answer here shows.",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    @property
    def scale(self) -> list[int]:
        if self.kind == self.Kind.AGREEMENT:
            return list(range(1, 6))
        if self.kind == self.Kind.NPS:
            return list(range(11))
        return []


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class Invitation(models.Model):
    """Who was asked, and whether they have answered: the record that stops a second response
    and drives reminders. It never points at the response itself, and keeps only the yes or no
    of answering, with no time, so it cannot be lined up with an anonymous response by time.
    (An anonymous answer is stored sealed in the same transaction; the response itself is
    written later, in a release of its own: see SealedResponse.)"""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    invited_on = models.DateField(default=timezone.localdate)
    reminded_on = models.DateField(null=True, blank=True)
    responded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="one_invitation_per_member")
        ]
        indexes = [models.Index(fields=["member", "responded"], name="invitation_waiting_idx")]

    def __str__(self):
        return f"Invitation {self.pk}"


class SealedResponse(models.Model):
    """An anonymous answer waiting to be released: encrypted with a key derived from the
    server's secret (surveys.sealing), with no member and no time. It is written in the same
    transaction that marks the invitation answered, so it shares that transaction's traces in
    the database; it is deleted when released, and the Response written in its place belongs
    to a separate transaction, shuffled among at least k others."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sealed_responses")
    payload = models.BinaryField()

    def __str__(self):
        return f"Sealed answer to {self.survey_id}"


class Response(models.Model):
    """One person's answers. For an anonymous survey there is no member, the only time kept is
    the day it was released, the key is random, and it was written in a shuffled batch, so
    nothing orders or joins it back to a person. The groups it may be broken down by (sector,
    seniority, organisation) are copied at the time of answering and, for an anonymous
    survey, coarsened at release until each is shared by at least k invited members
    (surveys.sealing); results shown from them are suppressed below the disclosure threshold."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    submitted_on = models.DateField(default=timezone.localdate)
    sector = models.CharField(max_length=20, blank=True)
    seniority = models.CharField(max_length=20, blank=True)
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["survey", "submitted_on"], name="response_survey_day_idx")]

    def __str__(self):
        return f"Response to {self.survey_id}"


class Answer(models.Model):
    """One answer: a point on a scale, a choice (one row per choice ticked), or free text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    choice = models.ForeignKey(
        Choice, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["question", "value"], name="answer_scale_idx"),
            models.Index(fields=["question", "choice"], name="answer_choice_idx"),
        ]

    def __str__(self):
        return f"Answer {self.pk}"


class InvitationLink(models.Model):
    """A personal link in an invitation or reminder email that opens the survey without
    signing in (surveys.links). Only a hash of its token is kept, so someone reading the
    database cannot use it. It carries no time of use: every link of an invitation is deleted
    in the transaction that takes its answer (however given), which already marks the
    invitation answered, so the links add nothing to what that row says."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"Link for invitation {self.invitation_id}"
