"""The organisers' forms: resources and their files, pathways and their steps, moderating
case studies, initiatives and topics."""

from pathlib import PurePath

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify

from cop_portal.web.forms import (
    FilterHelper,
    FormsetRowsHelper,
    InnerFormHelper,
    PortalFormHelper,
    date_input,
)

from ..models import CaseStudy, Initiative, LearningPathway, PathwayStep, Resource, Topic
from ..selectors.organise import sessions_for_resource
from ..uploads import ALLOWED_TYPES, allowed_extensions_text


class ResourceFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Resource.Kind.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Resource.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FilterHelper()


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{timezone.localtime(obj.starts_at):%-d %b %Y}: {obj.title}"


class ResourceForm(forms.ModelForm):
    """A resource's details, with its file as a separate, optional upload: the service checks
    the file's content before anything is stored."""

    event = SessionChoiceField(
        queryset=None,  # the sessions this resource can be linked to: see __init__
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
            "topics": forms.CheckboxSelectMultiple,
            "published_on": date_input(),
            "transcript": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = sessions_for_resource(resource=self.instance)
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
        self.helper = InnerFormHelper()


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


class PathwayStepFormSetHelper(FormsetRowsHelper):
    legend = "Step"
    fields = ("resource", "order", "reflection_prompt")


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
        self.helper = FilterHelper()


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
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = "Not stated"
        self.helper = PortalFormHelper("Save initiative")


class TopicForm(forms.ModelForm):
    """A topic's name, which must not be another's, nor make another's slug (the service makes
    the slug from it)."""

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
        return name
