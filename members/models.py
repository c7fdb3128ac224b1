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
    # Email preferences: which non-essential emails the member gets. Essential ones
    # (verification, registration confirmations, changes to a session they are booked on)
    # always go.
    email_programme = models.BooleanField("a new programme is published", default=True)
    email_reminders = models.BooleanField("reminders before sessions I am booked on", default=True)
    email_catch_up = models.BooleanField("catch-up summaries of sessions I missed", default=True)
    email_surveys = models.BooleanField("invitations to surveys", default=True)
    profile_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    introduction_read_at = models.DateTimeField(null=True, blank=True, editable=False)

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
        permissions = [("view_reports", "Can view organiser and steering-group reports")]

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
