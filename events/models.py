import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Programme(models.Model):
    """A published period of the CoP's programme, such as "April to September 2027"."""

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    theme = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_it_starts",
                violation_error_message="The programme must end on or after the day it starts.",
            )
        ]

    def __str__(self):
        return self.title


class EventKind(models.Model):
    """Webinar, in-person session, racial identity caucus… Organisers can add more."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="event_kind_name_ci_unique",
                violation_error_message="A kind of event with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name


class Goal(models.Model):
    """One of the CoP's goals, which events say they serve."""

    name = models.CharField(max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Caucus(models.Model):
    """A racial identity caucus: an optional space open only to the members who chose it."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "caucuses"

    def __str__(self):
        return self.name


# Seeing which caucus a member chose (special category data): given to named people only.
CAUCUS_CHOICE_PERMISSION = "events.view_caucus_choice"


class CaucusMembership(models.Model):
    """A member's choice of caucus: special category data under UK GDPR (it reveals racial
    identity). Recorded only with explicit consent, whose wording and time are kept with it;
    withdrawing deletes the row."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caucus_membership"
    )
    caucus = models.ForeignKey(Caucus, on_delete=models.PROTECT, related_name="memberships")
    consent_version = models.CharField(max_length=20)
    consent_text = models.TextField()
    consented_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [
            ("view_caucus_choice", "Can see which caucus a member has chosen"),
        ]

    def __str__(self):
        return f"Caucus membership {self.pk}"


def _letters(text):
    """Only the letters, lower case: "In-person" and "In person" compare equal."""
    return re.sub(r"[^a-z]", "", text.lower())


class Event(models.Model):
    class Format(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"
        HYBRID = "hybrid", "Hybrid"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(help_text="What the session is about and who it is for.")
    goals = models.ManyToManyField(Goal, blank=True, related_name="events")
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.ONLINE)
    kind = models.ForeignKey(EventKind, on_delete=models.PROTECT, related_name="events")
    caucus = models.ForeignKey(
        Caucus,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Set for a caucus session: only members of this caucus can join it.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=300, blank=True)
    joining_link = models.URLField(
        max_length=500, blank=True, help_text="Shown only to members who are registered."
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit."
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to close registration when it starts."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Marked by organisers: a session every new joiner should catch up on, however long ago it
    # was, so that someone joining today does not start behind (resources.selectors.catch_up).
    start_here = models.BooleanField(
        "start here",
        default=False,
        db_default=False,
        help_text="Shown first on every member’s catch-up page, whenever they joined. For the "
        "few sessions that explain what the CoP is and how it works.",
    )
    # Calendar identity: the UID never changes; SEQUENCE goes up with every change that
    # subscribers' calendars must pick up (time, place, cancellation).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # After the event.
    outcome_summary = models.TextField("summary of the session", blank=True)
    key_takeaways = models.TextField(blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    slides_url = models.URLField(max_length=500, blank=True)
    summary_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Sessions made together as a repeating series share this (events.services.series), so a
    # change can be made to one or to it and the later ones.
    series = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    catch_up_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="event_status_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_it_starts",
                violation_error_message="The event must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="event_capacity_positive",
                violation_error_message="Capacity must be at least 1, or empty for no limit.",
            ),
        ]
        permissions = [
            ("manage_attendance", "Can record attendance at events"),
            ("publish_summary", "Can publish an event's summary and send catch-up emails"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def kind_and_format(self):
        """The kind and the format, as in "Webinar · Online"; only the kind when it already says
        the format, since "In-person session · In person" reads as a stutter."""
        kind, fmt = str(self.kind), self.get_format_display()
        return kind if _letters(fmt) in _letters(kind) else f"{kind} · {fmt}"

    @property
    def is_caucus_session(self):
        return self.caucus_id is not None

    @property
    def is_past(self):
        return self.ends_at <= timezone.now()

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def closes_at(self):
        return self.registration_closes_at or self.starts_at

    @property
    def registration_opens_later(self):
        return (
            self.registration_opens_at is not None and timezone.now() < self.registration_opens_at
        )

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or self.starts_at <= now:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return now < self.closes_at


class Speaker(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", "Speaker"
        FACILITATOR = "facilitator", "Facilitator"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(max_length=150)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SPEAKER)
    lived_experience = models.BooleanField("speaks from lived experience", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class SessionMessage(models.Model):
    """An organiser's email to the people booked on a session (or waiting for a place), kept
    with the session so organisers can see what was said, to which group and when. It holds
    the organiser's words and a count, never the list of who got it: that is the session's
    register, which has its own protection."""

    class Audience(models.TextChoices):
        BOOKED = "booked", "Everyone with a place"
        WAITING = "waiting", "Everyone on the waiting list"
        BOTH = "both", "Everyone with a place or on the waiting list"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    recipients = models.PositiveIntegerField(default=0, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return self.subject


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Registered"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # When the member last asked for a place: the waiting list is served in this order.
    requested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The member's own calendar invitation, set when the first one is sent. Its UID is theirs
    # alone, so no calendar server can join two members' copies into one guest list (a caucus
    # session's would reveal who is in the caucus); its SEQUENCE is that of the last invitation
    # or cancellation sent, so every message they get outranks the one before.
    invite_uid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    invite_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"], name="one_registration_per_member_and_event"
            ),
            models.CheckConstraint(
                condition=Q(invite_uid__isnull=True, invite_sequence__isnull=True)
                | Q(invite_uid__isnull=False, invite_sequence__isnull=False),
                name="registration_invitation_uid_with_sequence",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "requested_at"], name="registration_queue_idx")
        ]

    def __str__(self):
        return f"{self.member} – {self.event} ({self.get_status_display()})"


class Attendance(models.Model):
    """A member was at an event: from the organisers' check-in list or an imported register."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    walk_in = models.BooleanField(default=False, help_text="Came without registering.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the member's email after the session (its summary, survey and a prompt to record
    # an action) was dealt with: queued, or passed over because they turned it off. Once only.
    after_session_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"], name="one_attendance_per_member_and_event"
            )
        ]

    def __str__(self):
        return f"{self.member} at {self.event}"


# A guest's personal link works until this long after the session ends: long enough to come
# back to it and join, not so long that an old mailbox keeps a key to the portal.
GUEST_LINK_AFTER_SESSION = timedelta(days=30)


class Guest(models.Model):
    """A senior leader invited by name to one session, who takes part without joining the CoP.

    Guests are not members: no account, so they are in no member list, count, directory or
    export of members. Their invitation email carries a personal link; only its hash is kept
    (cop_portal/web/tokens.py), and a fresh one is made each time the invitation is sent, so
    sending it again retires the link before. `member` is set if they later join."""

    class Role(models.TextChoices):
        EXECUTIVE = "executive", "Executive"
        DIRECTOR = "director", "Director"
        ELECTED_MEMBER = "elected_member", "Elected member"
        OTHER = "other", "Other senior leader"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    # Which sending of the invitation is wanted (1 at first, one more for each "send again")
    # and which was last written to the outbox: a task writes a round once, however often it
    # runs, and makes the link for it in the same transaction.
    invitation_round = models.PositiveSmallIntegerField(default=1, editable=False)
    invitation_sent_round = models.PositiveSmallIntegerField(default=0, editable=False)
    invitation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    registered_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the news that the session is cancelled was queued for them: once only.
    cancellation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    attended = models.BooleanField(default=False)
    attended_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guest_invitations",
        help_text="Set when the guest joins the CoP as a member.",
    )

    class Meta:
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "event",
                Lower("email"),
                name="one_guest_per_email_and_event",
                violation_error_message="This person is already invited to this session.",
            ),
            models.CheckConstraint(
                condition=Q(registered_at__isnull=True) | Q(declined_at__isnull=True),
                name="guest_registered_or_declined",
                violation_error_message="A guest cannot both come and not come.",
            ),
        ]

    def __str__(self):
        return f"Guest {self.pk} at {self.event_id}"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        REGISTERED = "registered", "Coming"
        DECLINED = "declined", "Cannot come"
        ATTENDED = "attended", "Came"
        WITHDRAWN = "withdrawn", "Invitation withdrawn"

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return self.Status.WITHDRAWN
        if self.attended:
            return self.Status.ATTENDED
        if self.registered_at is not None:
            return self.Status.REGISTERED
        if self.declined_at is not None:
            return self.Status.DECLINED
        return self.Status.INVITED

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_active(self) -> bool:
        """Whether email may go to the guest (members.services.emails asks every recipient):
        not once their invitation is withdrawn."""
        return self.withdrawn_at is None

    @property
    def link_expires_at(self):
        return self.event.ends_at + GUEST_LINK_AFTER_SESSION


class CalendarFeed(models.Model):
    """The secret address of a member's personal calendar feed. Resetting it replaces the token,
    so the old address stops working at once."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed {self.pk}"


class Suggestion(models.Model):
    """A member's idea for a future session: a topic, a speaker, or both."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONSIDERING = "considering", "Being considered"
        PLANNED = "planned", "Became a session"
        DECLINED = "declined", "Not taken forward"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    topic = models.CharField("topic", max_length=200)
    details = models.TextField(blank=True)
    speaker = models.CharField("suggested speaker", max_length=200, blank=True)
    lived_experience_lead = models.BooleanField(
        "people with lived experience should lead this", default=False
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    organiser_note = models.CharField(max_length=500, blank=True)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("triage_suggestion", "Can triage members' programme suggestions")]

    def __str__(self):
        return self.topic
