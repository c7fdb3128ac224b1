"""Forms for conversation between sessions. Lengths and limits are checked by the services
(resources.services.conversation), whose messages the views put on the form, so what was
written stays in the box."""

from django import forms

from cop_portal.web.forms import PortalFormHelper

from ..models import Concern


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your post",
        help_text="Markdown works: *emphasis*, **bold**, lists and links. Keep to the ground "
        "rules; any member can raise a concern about a post.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Post")
        self.helper.form_action = action


class ConcernForm(forms.Form):
    reason = forms.CharField(
        label="What concerns you",
        help_text="Which ground rule it breaks, or what made you uneasy. Only the organisers "
        "read this and see that you raised it; the author is not told who.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Raise the concern")


class MessageForm(forms.Form):
    body = forms.CharField(label="Your message", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Send")


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision", choices=Concern.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note kept with the decision (optional)",
        required=False,
        help_text="For the other organisers: why you decided as you did.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, prefix_for: str, action: str = "", **kwargs):
        # Several sit on one page: each gets its own ids.
        kwargs.setdefault("auto_id", f"id_{prefix_for}_%s")
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Decide")
        self.helper.form_action = action
