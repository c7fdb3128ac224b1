from pathlib import PurePath

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify

from cop_portal.web.forms import PortalFormHelper, date_input
from events.models import Event
from members.models import Organisation

from .models import CaseStudy, Initiative, LearningPathway, PathwayStep, Resource, Topic
from .selectors import SORTS, resources_generation
from .uploads import ALLOWED_TYPES, allowed_extensions_text


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the resource hub", required=False, strip=True)


BROWSE_SESSIONS = 60
BROWSE_SESSIONS_KEY = "resources:browse-sessions"


def _recent_sessions_with_resources() -> list[tuple[int, str]]:
    """(pk, title) of the most recent published sessions with published resources, kept in
    the cache until a resource or a session changes (see resources.apps)."""
    key = f"{BROWSE_SESSIONS_KEY}:{resources_generation()}"
    sessions = cache.get(key)
    if sessions is None:
        sessions = [
            (event.pk, str(event))
            for event in BrowseForm.base_fields["event"].queryset[:BROWSE_SESSIONS]
        ]
        cache.set(key, sessions, 60 * 60)
    return sessions


class BrowseForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Resource.Kind.choices], required=False)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="Any topic"
    )
    event = forms.ModelChoiceField(
        # EXISTS rather than a DISTINCT join, and only what the option labels need.
        queryset=Event.objects.filter(
            Exists(Resource.objects.filter(event=OuterRef("pk"), status=Resource.Status.PUBLISHED)),
            status=Event.Status.PUBLISHED,
        )
        .only("pk", "title", "starts_at")
        .order_by("-starts_at"),
        required=False,
        empty_label="Any session",
        label="Session",
    )
    date_from = forms.DateField(
        required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Published up to", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        choices=[("newest", "Newest first"), ("oldest", "Oldest first"), ("title", "Title A–Z")],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"
        # Any session with resources can be chosen (the link on each session's page), but the
        # list offers the most recent ones: years of sessions make a list nobody can use.
        self.fields["event"].widget.choices = [
            ("", "Any session"),
            *_recent_sessions_with_resources(),
        ]
        self.fields["event"].help_text = (
            f"The {BROWSE_SESSIONS} most recent sessions with resources; every session's page "
            "lists its own."
        )

    def clean_event(self):
        # An older session chosen (from its own page) stays in the list, labelled: the field
        # has already fetched it to check it.
        event = self.cleaned_data["event"]
        choices = self.fields["event"].widget.choices
        if event is not None and all(value != event.pk for value, _ in choices):
            self.fields["event"].widget.choices = [*choices, (event.pk, str(event))]
        return event

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "newest"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


# Members: pathways, case studies, initiatives --------------------------------------------------
# Imported here rather than at the top because this block was appended alongside the organiser
# forms being written at the same time; move them up when the two blocks are merged.


REFLECTION_MAX_LENGTH = 5000


class StepDoneForm(forms.Form):
    done = forms.ChoiceField(choices=[("yes", "Done"), ("no", "Not done")])


class ReflectionForm(forms.Form):
    """A member's private notes on one pathway step. Several sit on one page, so each gets
    its own ids from the step, and a label that names the step for screen readers."""

    text = forms.CharField(
        required=False,
        help_text="Only you can read this.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, step_id, step_number, action, **kwargs):
        kwargs.setdefault("auto_id", f"id_step{step_id}_%s")
        super().__init__(*args, **kwargs)
        self.fields["text"].label = f"Your reflection on step {step_number}"
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(
            Submit("submit", f"Save reflection on step {step_number}", css_id=f"save-{step_id}")
        )

    def clean_text(self):
        # Browsers send line breaks as two characters; count them as the member sees them.
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if len(text) > REFLECTION_MAX_LENGTH:
            raise forms.ValidationError(
                f"Your reflection is {len(text):,} characters long: it can be up to "
                f"{REFLECTION_MAX_LENGTH:,}. Shorten it and save it again (your text is "
                "still here)."
            )
        return text


class CaseStudyForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics",
    )

    class Meta:
        model = CaseStudy
        fields = [
            "title",
            "context",
            "what_we_did",
            "what_changed",
            "to_share",
            "topics",
            "credit_author",
        ]
        help_texts = {
            "what_we_did": "The steps you took, and who was involved.",
            "what_changed": "For patients, service users, staff or the community: what is "
            "different now, and how you know.",
            "to_share": "Advice, pitfalls, or materials others could reuse.",
            "credit_author": "Untick to be credited as “A CoP member” instead of by name.",
        }
        widgets = {
            "context": forms.Textarea(attrs={"rows": 5}),
            "what_we_did": forms.Textarea(attrs={"rows": 6}),
            "what_changed": forms.Textarea(attrs={"rows": 5}),
            "to_share": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save as draft")


class InitiativeFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(initiatives__isnull=False).distinct(),
        required=False,
        empty_label="Any organisation",
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="Any topic"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Initiative.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"


# Organisers ----------------------------------------------------------------------------------


class ResourceFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Resource.Kind.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Resource.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{timezone.localtime(obj.starts_at):%-d %b %Y}: {obj.title}"


class ResourceForm(forms.ModelForm):
    """A resource's details, with its file as a separate, optional upload: the service checks
    the file's content before anything is stored."""

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    event = SessionChoiceField(
        queryset=Event.objects.none(),
        required=False,
        label="Session",
        help_text="The session this came from, if any.",
        empty_label="Not from a session",
    )
    upload = forms.FileField(
        required=False,
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_TYPES)}),
    )
    remove_file = forms.BooleanField(required=False, label="Remove the current file")

    class Meta:
        model = Resource
        fields = [
            "title",
            "kind",
            "description",
            "key_takeaways",
            "topics",
            "event",
            "author",
            "published_on",
            "audience",
            "status",
            "external_url",
            "video_url",
            "transcript",
        ]
        labels = {"published_on": "Date published"}
        help_texts = {
            "status": "A draft is seen only by organisers.",
            "video_url": "For a recording kept on a video site.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "key_takeaways": forms.Textarea(attrs={"rows": 4}),
            "published_on": date_input(),
            "transcript": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Drafts are not offered, but a resource keeps the session it is already linked to.
        sessions = ~Q(status=Event.Status.DRAFT)
        if self.instance.event_id:
            sessions |= Q(pk=self.instance.event_id)
        self.fields["event"].queryset = Event.objects.filter(sessions).order_by("-starts_at")
        self.fields["upload"].help_text = (
            f"Allowed: {allowed_extensions_text()}. Up to "
            f"{filesizeformat(settings.RESOURCE_UPLOAD_MAX_BYTES)}. A new file replaces the "
            "current one."
        )
        # What is stored now, kept apart from the instance, which the service changes even
        # when it then refuses to save.
        self.stored_file = None
        if self.instance.file:
            self.stored_file = {
                "name": PurePath(self.instance.file.name).name,
                "type": self.instance.file_type,
                "size": self.instance.file_size,
            }
        else:
            del self.fields["remove_file"]
        content = ["upload", "external_url", "video_url", "transcript"]
        if self.stored_file:
            content.insert(1, "remove_file")
        self.helper = PortalFormHelper("Save resource")
        self.helper.layout = Layout(
            Fieldset(
                "About the resource",
                "title",
                "kind",
                "description",
                "key_takeaways",
                "topics",
                "event",
                "author",
                "published_on",
            ),
            Fieldset("Who can see it", "audience", "status"),
            Fieldset("Content: a file, a link or a video link (at least one)", *content),
        )


class PathwayForm(forms.ModelForm):
    class Meta:
        model = LearningPathway
        fields = ["title", "description", "is_published"]
        labels = {"is_published": "Published: members can follow it"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # Rendered inside one <form> with the steps, which carries the token and the button.
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class PathwayStepForm(forms.ModelForm):
    class Meta:
        model = PathwayStep
        fields = ["resource", "order", "reflection_prompt"]
        labels = {"reflection_prompt": "Prompt for reflection"}
        help_texts = {"order": "Steps are shown lowest number first."}
        widgets = {"reflection_prompt": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Published resources only, but a step keeps a resource since put back to draft.
        offered = Q(status=Resource.Status.PUBLISHED)
        if self.instance.resource_id:
            offered |= Q(pk=self.instance.resource_id)
        self.fields["resource"].queryset = Resource.objects.filter(offered).order_by("title", "pk")
        self.fields["resource"].empty_label = "Choose a resource"


PathwayStepFormSet = forms.inlineformset_factory(
    LearningPathway, PathwayStep, form=PathwayStepForm, extra=3, can_delete=True
)


class PathwayStepFormSetHelper(FormHelper):
    """Each step in a numbered fieldset, inside the pathway's one form."""

    form_tag = False
    disable_csrf = True
    render_hidden_fields = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = Layout(
            Fieldset(
                "Step {{ forloop.counter }}", "resource", "order", "reflection_prompt", "DELETE"
            )
        )


class CaseStudyFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            *[(v, label) for v, label in CaseStudy.Status.choices if v != CaseStudy.Status.DRAFT],
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (CaseStudy.Status.PUBLISHED.value, "Publish"),
            (CaseStudy.Status.RETURNED.value, "Return with comments"),
        ],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    comment = forms.CharField(
        required=False,
        label="Comments for the author",
        help_text="Needed when you return it: say what the author should change.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save decision")


class InitiativeForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Initiative
        fields = [
            "name",
            "organisation",
            "summary",
            "topics",
            "audience",
            "contact",
            "url",
            "status",
        ]
        help_texts = {"contact": "A name, role or email address people can use to ask about it."}
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = "Not stated"
        self.helper = PortalFormHelper("Save initiative")


class TopicForm(forms.ModelForm):
    """A topic's name; its slug is made from the name and must not clash with another's."""

    DUPLICATE = "A topic with this name already exists."

    class Meta:
        model = Topic
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save topic")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        slug = slugify(name)
        if not slug:
            raise forms.ValidationError("Use letters or numbers in the name.")
        others = Topic.objects.exclude(pk=self.instance.pk)
        if others.filter(Q(slug=slug) | Q(name__iexact=name)).exists():
            raise forms.ValidationError(self.DUPLICATE)
        # Not a form field, so ModelForm leaves it alone when it copies the name across.
        self.instance.slug = slug
        return name
