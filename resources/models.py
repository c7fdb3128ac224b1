from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Topic(models.Model):
    """A subject in the CoP's managed taxonomy: tags resources and members' areas of interest."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="topic_name_ci_unique",
                violation_error_message="A topic with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name


class Audience(models.TextChoices):
    PUBLIC = "public", "Everyone"
    MEMBERS = "members", "Members only"


class Resource(models.Model):
    """A recording, slide deck, toolkit or piece of reading in the resource hub."""

    class Kind(models.TextChoices):
        RECORDING = "recording", "Recording"
        SLIDES = "slides", "Slides"
        TOOLKIT = "toolkit", "Toolkit"
        ARTICLE = "article", "Article"
        REPORT = "report", "Report"
        GUIDE = "guide", "Guide"
        READING = "reading", "Reading"
        LINK = "link", "Link"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()
    key_takeaways = models.TextField(blank=True, help_text="One per line.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="resources")
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        help_text="The session this came from, if any.",
    )
    author = models.CharField("author or source organisation", max_length=200, blank=True)
    published_on = models.DateField(default=timezone.localdate)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    # Content: an uploaded file, an external link or a video link (at least one).
    file = models.FileField(upload_to="resources/%Y/%m/", blank=True, max_length=300)
    file_type = models.CharField(max_length=100, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    external_url = models.URLField("link", max_length=500, blank=True)
    video_url = models.URLField("video link", max_length=500, blank=True)
    transcript = models.TextField(blank=True)
    # Kept up to date by the services on PostgreSQL: title > takeaways > description, transcript.
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="resource_search_idx"),
            models.Index(fields=["status", "-published_on"], name="resource_browse_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(external_url="") | ~Q(video_url=""),
                name="resource_has_content",
                violation_error_message="Add a file, a link or a video link.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:detail", kwargs={"slug": self.slug})

    @property
    def takeaways(self):
        return [
            line.lstrip("-• ").strip() for line in self.key_takeaways.splitlines() if line.strip()
        ]


class LearningPathway(models.Model):
    """An ordered route through resources, with a prompt for reflection at each step."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField()
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:pathway", kwargs={"slug": self.slug})


class PathwayStep(models.Model):
    pathway = models.ForeignKey(LearningPathway, on_delete=models.CASCADE, related_name="steps")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="pathway_steps")
    order = models.PositiveSmallIntegerField()
    reflection_prompt = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.pathway}: step {self.order}"


class StepProgress(models.Model):
    """A member has done a pathway step. Private to the member."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway_progress"
    )
    step = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "step"], name="one_progress_per_step")
        ]

    def __str__(self):
        return f"Step {self.step_id} done"


class Reflection(models.Model):
    """A member's private notes on a pathway step: only they can read them."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    step = models.ForeignKey(PathwayStep, on_delete=models.CASCADE, related_name="reflections")
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "step"], name="one_reflection_per_step")
        ]

    def __str__(self):
        # Never the text itself: reflections are private to the member.
        return f"Reflection {self.pk}"


class CaseStudy(models.Model):
    """A member's account of applying anti-racist practice, moderated before publication."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for review"
        RETURNED = "returned", "Returned with comments"
        PUBLISHED = "published", "Published"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_studies",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    context = models.TextField("the context", help_text="Where, who, and what the problem was.")
    what_we_did = models.TextField("what you did")
    what_changed = models.TextField("what changed")
    to_share = models.TextField("what you would share with others", blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="case_studies")
    credit_author = models.BooleanField(
        "show my name with it", default=True, help_text="Untick to be credited as anonymous."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    moderator_comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name_plural = "case studies"
        indexes = [GinIndex(fields=["search_vector"], name="case_study_search_idx")]
        permissions = [("moderate_casestudy", "Can moderate case studies")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:case_study", kwargs={"slug": self.slug})

    @property
    def credit(self):
        if self.credit_author and self.author and self.author.name:
            return self.author.name
        return "A CoP member"


class Initiative(models.Model):
    """An anti-racist or equity initiative among partners, so work joins up, not duplicates."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Running"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
    )
    summary = models.TextField("focus", help_text="What it does and what it is trying to change.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="initiatives")
    audience = models.CharField("who it is for", max_length=300, blank=True)
    contact = models.CharField("contact", max_length=300, blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("resources:initiative", kwargs={"slug": self.slug})


# Conversation between sessions ---------------------------------------------------------------


class Space(models.Model):
    """A topic space: one standing conversation on a theme, beside the threads that belong to a
    session or a resource. Organisers keep the number small."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_open = models.BooleanField(
        "open for new posts", default=True, help_text="A closed space keeps its posts readable."
    )

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:space", kwargs={"slug": self.slug})


class Thread(models.Model):
    """The conversation on one session, one resource or one topic space: exactly one of the
    three. Made when the first post is written, so most sessions have none."""

    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="thread"
    )
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="thread"
    )
    space = models.OneToOneField(
        Space, on_delete=models.CASCADE, null=True, blank=True, related_name="thread"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(event__isnull=False, resource__isnull=True, space__isnull=True)
                    | Q(event__isnull=True, resource__isnull=False, space__isnull=True)
                    | Q(event__isnull=True, resource__isnull=True, space__isnull=False)
                ),
                name="thread_has_one_subject",
            )
        ]

    def __str__(self):
        return str(self.subject)

    def get_absolute_url(self):
        if self.event_id:
            return reverse("resources:session_thread", kwargs={"slug": self.event.slug})
        if self.resource_id:
            return reverse("resources:resource_thread", kwargs={"slug": self.resource.slug})
        return reverse("resources:space", kwargs={"slug": self.space.slug})

    @property
    def subject(self):
        return self.event or self.resource or self.space

    @property
    def caucus_id(self) -> int | None:
        """The caucus whose thread this is: a caucus session's, or that of a resource from one
        (a caucus session's materials are its caucus's alone)."""
        if self.event_id:
            return self.event.caucus_id
        if self.resource_id and self.resource.event_id:
            return self.resource.event.caucus_id
        return None

    @property
    def kind(self) -> str:
        if self.event_id:
            return "Session"
        if self.resource_id:
            return "Resource"
        return "Topic space"


class Post(models.Model):
    """One member's post in a thread. Markdown, rendered through the sanitiser."""

    class Status(models.TextChoices):
        VISIBLE = "visible", "Shown"
        UNDER_REVIEW = "review", "Hidden while an organiser reviews it"
        REMOVED = "removed", "Removed under the ground rules"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    # Set when an organiser has read the post after a concern and kept it: later concerns
    # still reach the queue but no longer hide it, so nobody can silence a post by reporting it
    # again and again.
    kept_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"], name="post_thread_created_idx")]

    def __str__(self):
        return f"Post {self.pk}"


class Follow(models.Model):
    """A member following a thread: new posts in it appear in their digest. Writing a post
    follows the thread; the thread page unfollows."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="follow_once_per_thread")
        ]

    def __str__(self):
        return f"Follow {self.pk}"


class Message(models.Model):
    """A private message between two members, possible only while both are listed in the
    directory and both accept messages."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_received"
    )
    body = models.TextField(max_length=3000)
    sent_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when an organiser removes it after its recipient raised a concern: neither sees it.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["sent_at", "pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="message_unread_idx"),
            models.Index(fields=["sender", "recipient", "sent_at"], name="message_pair_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="message_not_to_self"
            )
        ]

    def __str__(self):
        return f"Message {self.pk}"


class Concern(models.Model):
    """A concern raised under the ground rules about a post or a message. Raising one hides a
    post until an organiser has read it; only organisers see who raised it."""

    class Outcome(models.TextChoices):
        KEPT = "kept", "Kept: within the ground rules"
        REMOVED = "removed", "Removed"

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="concerns"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="concerns"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concerns_raised"
    )
    reason = models.TextField("what concerns you", max_length=2000)
    raised_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns_decided",
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField("note to keep with the decision", blank=True, max_length=2000)

    class Meta:
        ordering = ["raised_at", "pk"]
        permissions = [("moderate_conversation", "Can review concerns about posts and messages")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, message__isnull=True)
                    | Q(post__isnull=True, message__isnull=False)
                ),
                name="concern_about_one_thing",
            ),
            models.UniqueConstraint(
                fields=["post", "raised_by"],
                condition=Q(post__isnull=False),
                name="concern_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["message", "raised_by"],
                condition=Q(message__isnull=False),
                name="concern_once_per_message",
            ),
        ]

    def __str__(self):
        return f"Concern {self.pk}"
