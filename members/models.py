from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Sector(models.TextChoices):
    NHS = "nhs", "NHS"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    VOLUNTARY = "voluntary", "Voluntary and community"
    ACADEMIC = "academic", "Academic and research"
    OTHER = "other", "Other"


class Seniority(models.TextChoices):
    FRONTLINE = "frontline", "Frontline"
    MANAGER = "manager", "Manager"
    SENIOR_LEADER = "senior_leader", "Senior leader or director"
    EXECUTIVE = "executive", "Executive"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_ci_unique",
                violation_error_message="An organisation with this name already exists.",
            ),
        ]
        permissions = [("merge_organisation", "Can merge duplicate organisations")]

    def __str__(self):
        return self.name


class DigestFrequency(models.TextChoices):
    """How often a member gets the digest (members.services.digests): on the 1st of each month,
    or on the 1st and the 15th."""

    MONTHLY = "monthly", "Monthly, on the 1st"
    FORTNIGHTLY = "fortnightly", "Fortnightly, on the 1st and the 15th"
    NONE = "none", "No digest"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member of the CoP. Email is the identity; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField("full name", max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        help_text="Leave empty for “not stated”.",
    )
    job_role = models.CharField("job role", max_length=150, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    interests = models.ManyToManyField(
        "resources.Topic", blank=True, related_name="interested_members"
    )
    listed_in_directory = models.BooleanField(
        "list me in the member directory",
        default=False,
        help_text="Other signed-in members can find you by organisation, sector and interest.",
    )
    directory_shows_email = models.BooleanField(
        "show my email address in the directory", default=False
    )
    # Messages between members go only where both are listed and both said yes
    # (resources.services.conversation).
    directory_accepts_messages = models.BooleanField(
        "let other listed members send me messages in the portal",
        default=False,
        db_default=False,
        help_text="Only members who are listed and accept messages themselves can write to you.",
    )
    # Email preferences: which non-essential emails the member gets. Essential ones
    # (verification, registration confirmations, changes to a session they are booked on)
    # always go.
    email_programme = models.BooleanField("a new programme is published", default=True)
    email_reminders = models.BooleanField(
        "reminders: sessions I am booked on, and actions falling due", default=True
    )
    # One switch for both emails after a session: the catch-up for those who missed it, and
    # the summary with a prompt to act for those who came (members.services.journey).
    email_catch_up = models.BooleanField(
        "session summaries: a catch-up when I miss a session, what to do next when I come",
        default=True,
    )
    email_surveys = models.BooleanField("invitations to surveys", default=True)
    # The digest also governs the one personal email to a member who came once and has not
    # booked again (members.services.digests). A database default too, so rows written without
    # the ORM (the benchmark's seeder copies rows in) get one.
    email_digest = models.CharField(
        "the digest",
        max_length=12,
        choices=DigestFrequency.choices,
        default=DigestFrequency.MONTHLY,
        db_default=DigestFrequency.MONTHLY,
    )
    # When the last digest went, which is where the next one's news starts.
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Organisers only (members.services.organise): a daily email of what waits for them, sent
    # when something waits and it is not what the last one said. Database defaults here too,
    # for rows written without the ORM (the benchmark's seeder).
    email_organiser_waiting = models.BooleanField(
        "what waits for me as an organiser, daily when it changes", default=True, db_default=True
    )
    # What the last of those emails said (a hash of its counts and sessions); empty when it
    # has not been sent or nothing has waited since, so that new work after a quiet spell is
    # announced however much it looks like the old.
    organiser_waiting_sent = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )
    # The personal email to a member who came to one session and did not book again: once ever.
    once_only_nudge_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    profile_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    introduction_read_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the member's account is erased (members/services/data_rights.py): the row stays,
    # with no personal data, so that attendance and registrations still count.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An imported member who has not claimed their record: when an organiser last sent them
    # the welcome that lets them claim it.
    welcomed_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = [Lower("name"), "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message="A member with this email address already exists.",
            )
        ]
        permissions = [
            ("view_reports", "Can view organiser and steering-group reports"),
            ("manage_member_data", "Can export or erase a member's data at their request"),
            ("manage_roles", "Can give and take away the organiser and steering-group roles"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()


class ContentPage(models.Model):
    """An editable page of onboarding content, such as the CoP introduction."""

    INTRODUCTION = "introduction"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown: ## for headings, - for lists, **bold**.")
    # Each change of wording is a new version; the ones it replaced are kept (ContentPageVersion),
    # so what a notice said when a member read or agreed to it can always be shown.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.slug == self.INTRODUCTION:
            return reverse("members:introduction")
        return reverse("members:page", kwargs={"slug": self.slug})


class ContentPageVersion(models.Model):
    """An earlier version of a content page, word for word, and until when it stood."""

    page = models.ForeignKey(ContentPage, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    in_force_from = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["page", "version"], name="one_row_per_page_version")
        ]

    def __str__(self):
        return f"{self.title}, version {self.version}"


class GroundRules(models.Model):
    """One version of the ground rules. The newest published version is the current one."""

    version = models.PositiveIntegerField(unique=True, editable=False)
    body = models.TextField(help_text="Markdown: a numbered list works well.")
    change_summary = models.CharField(
        "what changed",
        max_length=300,
        blank=True,
        help_text="Shown to members who are asked to agree again.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = "ground rules version"
        verbose_name_plural = "ground rules versions"
        permissions = [("publish_groundrules", "Can publish a new version of the ground rules")]

    def __str__(self):
        return f"Ground rules, version {self.version}"

    @property
    def is_published(self):
        return self.published_at is not None


class GroundRulesAgreement(models.Model):
    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="ground_rules_agreements"
    )
    ground_rules = models.ForeignKey(
        GroundRules, on_delete=models.PROTECT, related_name="agreements"
    )
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "ground_rules"], name="one_agreement_per_member_and_version"
            )
        ]

    def __str__(self):
        return f"{self.member} agreed to version {self.ground_rules.version}"


class GlossaryTerm(models.Model):
    term = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    definition = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("term")]
        constraints = [
            models.UniqueConstraint(
                Lower("term"),
                name="glossary_term_ci_unique",
                violation_error_message="The glossary already has this term.",
            )
        ]

    def __str__(self):
        return self.term

    @property
    def letter(self):
        first = self.term[:1].upper()
        return first if first.isalpha() else "#"


class ValueCycle(models.TextChoices):
    """Wenger-Trayner's value-creation cycles for communities of practice: the kind of value a
    piece of evidence shows, from what happens in the room to changed ways of seeing."""

    IMMEDIATE = "immediate", "Immediate value: the activity itself was worthwhile"
    POTENTIAL = "potential", "Potential value: new knowledge, skills, relationships or confidence"
    APPLIED = "applied", "Applied value: practice changed"
    REALISED = "realised", "Realised value: performance or outcomes improved"
    TRANSFORMATIVE = "transformative", "Transformative value: how we define success changed"


class Action(models.Model):
    """Something a member will do with what they learned. Private to them unless they choose
    to share it as an example; organisers only ever see counts."""

    class Level(models.TextChoices):
        PERSONAL = "personal", "My own practice"
        TEAM = "team", "My team"
        ORGANISATION = "organisation", "My organisation"
        SYSTEM = "system", "The wider system"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField("what you will do", max_length=300)
    why = models.TextField("why it matters", blank=True)
    due_on = models.DateField("by when", null=True, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="session that prompted it",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    value_cycle = models.CharField(
        "the value it created", max_length=20, choices=ValueCycle.choices, blank=True
    )
    shared = models.BooleanField(
        "share this with the CoP as an example",
        default=False,
        help_text=(
            "Other members see what you did, credited to you. You can stop sharing at any time."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    completed_on = models.DateField(null=True, blank=True, editable=False)
    reminder_sent_on = models.DateField(null=True, blank=True, editable=False)
    # The "how did it go?" email three months after the action was recorded: once only.
    follow_up_sent_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_on", "-created_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_due_idx")]

    def __str__(self):
        return f"Action {self.pk}"


class ValueStory(models.Model):
    """An organisers' account of value the CoP created, told in their own words and placed on
    one of Wenger-Trayner's value-creation cycles: the narrative the termly report sets beside
    the figures. About what happened, never about a named member."""

    title = models.CharField(max_length=150)
    cycle = models.CharField("value-creation cycle", max_length=20, choices=ValueCycle.choices)
    story = models.TextField(
        max_length=2000,
        help_text="What happened and what difference it made. Do not name members or "
        "anything that would identify one, nor anyone's caucus.",
    )
    happened_on = models.DateField("when it happened")
    written_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "value-creation stories"

    def __str__(self):
        return self.title


class ActionUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=Action.Status.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Update {self.pk}"


class JourneyStage(models.IntegerChoices):
    """The learning journey, in the CoP's own words. Stages are not a ladder to climb quickly:
    people move back as well as forward, and that is part of learning."""

    NOTICING = 1, "Noticing"
    UNDERSTANDING = 2, "Understanding"
    REFLECTING = 3, "Looking inward"
    ACTING = 4, "Acting"
    ADVOCATING = 5, "Advocating and leading"


JOURNEY_STAGE_DESCRIPTIONS = {
    JourneyStage.NOTICING: "I am starting to notice how racism shapes health, care and work.",
    JourneyStage.UNDERSTANDING: (
        "I am learning the history, the evidence and the words, and can explain why racism is a "
        "health issue."
    ),
    JourneyStage.REFLECTING: (
        "I am examining my own position, assumptions and habits, and what they mean for the "
        "people I work with."
    ),
    JourneyStage.ACTING: (
        "I am changing what I do: speaking up, changing how I work, supporting colleagues."
    ),
    JourneyStage.ADVOCATING: (
        "I am pushing for change beyond my own practice: in my team, organisation or the wider "
        "system, and bringing others with me."
    ),
}


class CheckIn(models.Model):
    """Where a member places themselves on the learning journey at a point in time. Private:
    organisers see only suppressed totals."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="check_ins")
    stage = models.PositiveSmallIntegerField(choices=JourneyStage.choices)
    note = models.TextField("a note for yourself", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "created_at"], name="checkin_member_idx")]

    def __str__(self):
        return f"Check-in {self.pk}"


class AuditEvent(models.Model):
    """One line of the audit trail: who did what to which record, when and from where.

    Written by members.services.audit.audit_record only. It never holds the values themselves
    (no caucus name, no free text, no email address, no password): only what kind of thing
    happened and to which record, so that the trail is not itself a second copy of personal
    data."""

    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        ACCESS_DENIED = "access_denied", "Access refused"
        MFA_ADDED = "mfa_added", "Two-step sign-in turned on"
        MFA_REMOVED = "mfa_removed", "Two-step sign-in turned off"
        REGISTER_VIEWED = "register_viewed", "Registration list and register viewed"
        CAUCUS_REGISTER_VIEWED = "caucus_register_viewed", "Caucus session register viewed"
        CAUCUS_BREAKDOWN_VIEWED = "caucus_breakdown_viewed", "Survey results by caucus viewed"
        CAUCUS_CHOICES_VIEWED = "caucus_choices_viewed", "Caucus choices viewed in the admin"
        MEMBER_VIEWED = "member_viewed", "Member's record viewed in the admin"
        ATTENDANCE_MARKED = "attendance_marked", "Attendance marked"
        IMPORT_CHECKED = "import_checked", "Spreadsheet checked before import"
        MEMBERS_IMPORTED = "members_imported", "Members imported"
        ATTENDANCE_IMPORTED = "attendance_imported", "Attendance imported"
        ORGANISATIONS_MERGED = "organisations_merged", "Organisations merged"
        MEMBER_DATA_EXPORTED = "member_data_exported", "Member's data downloaded for them"
        MEMBER_ERASED = "member_erased", "Member's data erased at their request"
        ACCOUNT_DELETED = "account_deleted", "Member deleted their own account"
        UNSUPPRESSED_RESULTS_VIEWED = (
            "unsuppressed_results_viewed",
            "Survey results viewed with small numbers shown",
        )
        UNSUPPRESSED_FIGURES_VIEWED = (
            "unsuppressed_figures_viewed",
            "Dashboard figures viewed with small numbers shown",
        )
        BACKGROUND_TASKS_RETRIED = (
            "background_tasks_retried",
            "Failed background tasks tried again",
        )
        PLACE_GIVEN = "place_given", "A place given from the waiting list by an organiser"
        REGISTRANTS_EMAILED = "registrants_emailed", "Those booked on a session emailed"
        MEMBER_LIST_EXPORTED = "member_list_exported", "Member list downloaded"
        MEMBER_PAGE_VIEWED = "member_page_viewed", "Member's page viewed by an organiser"
        ROLE_GRANTED = "role_granted", "Role given"
        ROLE_REMOVED = "role_removed", "Role taken away"
        CONCERNS_DECIDED = "concerns_decided", "Concerns about a post or message decided"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the actor's account is deleted, so the trail still reads "user #42".
    actor_label = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor", "-at"]), models.Index(fields=["action", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or 'anonymous'} {self.action}"
