"""The organisers' create, edit and delete pages, from one pattern.

A page is a subclass naming its model, form and the service that does the write, and its
permission unless that is Django's own to add or change the model's objects; everything else
(finding the object or answering 404, showing the form, putting the service's refusals on it,
the message, the redirect) happens here, and the pages share
templates/organise/{base,form,formset_form,confirm_delete}.html. A view holds no rules: the
service it calls checks them and raises ValidationError, which the page shows.

    class GlossaryTermEdit(OrganiserFormView):
        model = GlossaryTerm
        form_class = GlossaryTermForm
        permission_required = "members.change_glossaryterm"
        back_url = "members:glossary_manage"

        def save(self, form):
            return services.glossary_term_update(glossary_term=self.object, **form.cleaned_data)
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import BaseModelForm
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import View
from django.views.generic.base import TemplateResponseMixin


def errors_show(form, error: ValidationError, *, renamed=None) -> None:
    """Put a service's refusal on the form: a reason about a field beside that field (`renamed`
    maps a model field to the form field that sets it), anything else at the top."""
    renamed = renamed or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, reasons in error.message_dict.items():
        field = renamed.get(field, field)
        if field == NON_FIELD_ERRORS or field not in form.fields:
            field = None
        form.add_error(field, reasons)


class OrganiserPage(PermissionRequiredMixin, TemplateResponseMixin, View):
    """What every organiser page has: one permission (refused with a 403, never a sign-in loop
    for a member already signed in), the object named in the URL or a 404, and a way back."""

    raise_exception = True
    model = None
    # The URL keyword that names the object, and the model field it is looked up by.
    lookup_kwarg = "pk"
    lookup_field = "pk"
    back_url = ""  # a URL name; `back_url_for` may work it out from the object instead
    back_label = "Back"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None

    def get_queryset(self):
        return self.model._default_manager.all()

    def get_object(self):
        """The object the URL names (404 when there is none), a new one for a create page, or
        None for a page whose form is not about one object."""
        if self.model is None:
            return None
        if self.lookup_kwarg not in self.kwargs:
            return self.model()
        lookup = {self.lookup_field: self.kwargs[self.lookup_kwarg]}
        return get_object_or_404(self.get_queryset(), **lookup)

    def back_url_for(self, obj) -> str:
        return reverse(self.back_url)

    def success_url_for(self, obj) -> str:
        return self.back_url_for(obj)

    def get_context_data(self, **context):
        return {
            "object": self.object,
            "title": self.title_for(self.object),
            "back_url": self.back_url_for(self.object),
            "back_label": self.back_label,
            **context,
        }

    def title_for(self, obj) -> str:
        raise NotImplementedError


class OrganiserFormView(OrganiserPage):
    """Create or edit one thing. GET shows the form; POST validates it and calls `save`, the
    one service the page writes through. A ValidationError from the service lands on the form
    and nothing is saved."""

    http_method_names = ["get", "post"]
    template_name = "organise/form.html"
    form_class = None
    intro = ""
    # Model fields whose errors belong to a differently named form field (e.g. file → upload).
    errors_renamed: dict[str, str] = {}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        # Named as it is stored: a ModelForm writes the posted values onto the object it edits.
        title = self.title_for(self.object)
        form = self.get_form()
        if self.is_valid(form):
            try:
                saved = self.save(form)
            except ValidationError as error:
                self.refused(form, error)
            else:
                messages.success(request, self.success_message(saved))
                return redirect(self.success_url_for(saved))
        return self.render_to_response(self.get_context_data(form=form, title=title))

    def is_valid(self, form) -> bool:
        return form.is_valid()

    def get_form_kwargs(self) -> dict:
        # A plain Form on an object's page (a decision about it) does not edit the object.
        edits = self.model is not None and issubclass(self.form_class, BaseModelForm)
        kwargs = {"instance": self.object} if edits else {}
        if self.request.method == "POST":
            kwargs |= {"data": self.request.POST, "files": self.request.FILES}
        return kwargs

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def get_context_data(self, **context):
        return super().get_context_data(intro=self.intro_for(self.object), **context)

    def intro_for(self, obj) -> str:
        return self.intro

    @property
    def creating(self) -> bool:
        return self.lookup_kwarg not in self.kwargs

    def get_permission_required(self):
        """Unless the page names its permission: Django's own to add the model's objects on a
        create page, to change them on an edit page."""
        if self.permission_required is None and self.model is not None:
            meta = self.model._meta
            action = "add" if self.creating else "change"
            return [f"{meta.app_label}.{action}_{meta.model_name}"]
        return super().get_permission_required()

    def save(self, form):
        """Write through the app's service and return what was saved."""
        raise NotImplementedError

    def refused(self, form, error: ValidationError) -> None:
        """Show why the service refused: on the form, beside the field it is about."""
        errors_show(form, error, renamed=self.errors_renamed)

    def success_message(self, obj) -> str:
        return f"“{obj}” is saved."


class OrganiserFormsetView(OrganiserFormView):
    """Create or edit one thing with rows of its own (an event's speakers, a pathway's steps) in
    one <form>. `save` finds the valid rows in `self.formset` and hands them to the same service
    call as the form, which saves the thing and its rows together or not at all."""

    template_name = "organise/formset_form.html"
    formset_class = None
    formset_prefix = ""
    formset_helper_class = None  # lays out each row; see cop_portal.web.forms.FormsetRowsHelper
    formset_heading = ""
    formset_intro = ""
    submit_label = "Save"

    def get_form(self):
        """The form, with the rows beside it as `self.formset`."""
        self.formset = self.formset_class(**self.get_formset_kwargs())
        return super().get_form()

    def get_formset_kwargs(self) -> dict:
        kwargs = {"instance": self.object, "prefix": self.formset_prefix}
        if self.request.method == "POST":
            kwargs["data"] = self.request.POST
        return kwargs

    def is_valid(self, form) -> bool:
        return form.is_valid() and self.formset.is_valid()

    def get_context_data(self, **context):
        return super().get_context_data(
            formset=self.formset,
            formset_helper=self.formset_helper_class(),
            formset_heading=self.formset_heading,
            formset_intro=self.formset_intro,
            submit_label=self.submit_label,
            **context,
        )


class OrganiserDeleteView(OrganiserPage):
    """Delete one thing after a confirmation page. A ValidationError from the service (it is
    still in use, say) is shown as the reason and nothing is deleted."""

    http_method_names = ["get", "post"]
    template_name = "organise/confirm_delete.html"
    # What the confirmation page says will happen, and the two choices it offers.
    consequence = "This cannot be undone."
    delete_label = "Delete"
    keep_label = "Cancel"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            self.delete(self.object)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, self.success_message(self.object))
        return redirect(self.success_url_for(self.object))

    def get_context_data(self, **context):
        return super().get_context_data(
            consequence=self.consequence_for(self.object),
            delete_label=self.delete_label,
            keep_label=self.keep_label,
            keep_url=self.keep_url_for(self.object),
            **context,
        )

    def title_for(self, obj) -> str:
        return f"Delete “{obj}”?"

    def consequence_for(self, obj) -> str:
        return self.consequence

    def keep_url_for(self, obj) -> str:
        return self.back_url_for(obj)

    def delete(self, obj) -> None:
        """Delete through the app's service."""
        raise NotImplementedError

    def success_message(self, obj) -> str:
        return f"“{obj}” is deleted."
