"""The organisers' pages for organisations: the list, adding or renaming one, and merging
duplicates."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cop_portal.web.organise import OrganiserFormView

from ..forms.organisations import OrganisationForm, OrganisationMergeForm
from ..models import Organisation
from ..selectors import organisations as selectors
from ..services import organisations as services


@permission_required("members.change_organisation", raise_exception=True)
@require_GET
def organisations(request):
    return render(
        request,
        "members/organise/organisations.html",
        {"organisations": selectors.organisations_with_counts()},
    )


class OrganisationEdit(OrganiserFormView):
    model = Organisation
    form_class = OrganisationForm
    back_url = "members:organisations"
    back_label = "Back to the organisations"

    def title_for(self, organisation):
        return "Add an organisation" if self.creating else f"Edit {organisation.name}"

    def save(self, form):
        return services.organisation_save(organisation=self.object, **form.cleaned_data)

    def success_message(self, organisation):
        return f"{organisation.name} is saved."


class OrganisationMerge(OrganiserFormView):
    form_class = OrganisationMergeForm
    permission_required = "members.merge_organisation"
    back_url = "members:organisations"
    back_label = "Back to the organisations"
    intro = "Use this when the same organisation has been added under two names."

    def title_for(self, _):
        return "Merge duplicate organisations"

    def save(self, form):
        keep = form.cleaned_data["keep"]
        self.moved = services.organisation_merge(
            keep=keep, duplicates=form.cleaned_data["duplicates"], request=self.request
        )
        return keep

    def success_message(self, keep):
        return f"Merged into {keep.name}: {self.moved} member(s) moved."
