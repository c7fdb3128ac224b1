"""Joining, and the content members read on the way: the introduction and other pages, the
ground rules and agreeing to them, the glossary; and the organisers' pages that write them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cop_portal.web.organise import OrganiserDeleteView, OrganiserFormView

from ..forms.onboarding import (
    ContentPageForm,
    GlossaryTermForm,
    GroundRulesAgreeForm,
    GroundRulesForm,
)
from ..middleware import ground_rules_not_required
from ..models import ContentPage, GlossaryTerm, GroundRules
from ..selectors import onboarding as selectors
from ..services import onboarding as services

NOT_CURRENT = "Those ground rules are not the current ones: please read the rules below and agree."


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_not_required
@require_GET
def introduction(request):
    page = selectors.content_page_get(slug=ContentPage.INTRODUCTION)
    if page is None:
        raise Http404("The introduction has not been written yet.")
    return render(request, "members/introduction.html", {"page": page})


@ground_rules_not_required
@require_POST
def introduction_read(request):
    services.introduction_mark_read(user=request.user)
    status = selectors.ground_rules_status(user=request.user)
    if status.needs_agreement:
        return redirect("members:ground_rules")
    return redirect("members:home")


@login_not_required
@require_GET
def content_page(request, slug):
    if slug == ContentPage.INTRODUCTION:
        return redirect("members:introduction", permanent=True)
    page = get_object_or_404(ContentPage, slug=slug)
    return render(request, "members/content_page.html", {"page": page})


@login_not_required
@require_GET
def content_page_versions(request, slug):
    """Every version a page has had: what a notice said when someone read or agreed to it."""
    page = get_object_or_404(ContentPage, slug=slug)
    return render(
        request,
        "members/content_page_versions.html",
        {"page": page, "versions": list(page.versions.all())},
    )


@login_not_required
@require_GET
def content_page_version(request, slug, version):
    page = get_object_or_404(ContentPage, slug=slug)
    if version == page.version:
        return redirect(page.get_absolute_url())
    earlier = selectors.content_page_version_get(page=page, version=version)
    if earlier is None:
        raise Http404("This page has no such version.")
    return render(request, "members/content_page_version.html", {"page": page, "earlier": earlier})


@permission_required("members.change_contentpage", raise_exception=True)
@require_GET
def content_pages_manage(request):
    return render(
        request, "members/organise/content_pages.html", {"pages": selectors.content_pages()}
    )


class ContentPageEdit(OrganiserFormView):
    """Any content page: the privacy notice, the accessibility statement, the special category
    data policy. Each change is a new version; the old one stays readable."""

    model = ContentPage
    lookup_field = "slug"
    lookup_kwarg = "slug"
    form_class = ContentPageForm
    permission_required = "members.change_contentpage"
    back_url = "members:content_pages_manage"
    back_label = "Back to the pages"
    intro = (
        "Saving a change makes a new version of the page. The version it replaces stays "
        "readable from the page, with the dates it was in force."
    )

    def title_for(self, page):
        return f"Edit “{page.title}”"

    def save(self, form):
        return services.content_page_update(
            page=self.object, user=self.request.user, **form.cleaned_data
        )

    def success_message(self, page):
        return f"“{page.title}” is saved (version {page.version})."


@login_not_required
@require_GET
def ground_rules(request):
    current = selectors.ground_rules_current()
    status = (
        selectors.ground_rules_status(user=request.user) if request.user.is_authenticated else None
    )
    agree_form = GroundRulesAgreeForm(
        initial={"version": current.version if current else None, "next": _safe_next(request, "")}
    )
    return render(
        request,
        "members/ground_rules.html",
        {"rules": current, "status": status, "agree_form": agree_form},
    )


@ground_rules_not_required
@require_POST
def ground_rules_agree(request):
    form = GroundRulesAgreeForm(request.POST)
    if not form.is_valid():
        if "agree" in form.errors:
            messages.error(request, "Tick the box to say you agree to the ground rules.")
        else:
            messages.error(request, NOT_CURRENT)
        return redirect("members:ground_rules")
    rules = GroundRules.objects.filter(version=form.cleaned_data["version"]).first()
    if rules is None:
        messages.error(request, NOT_CURRENT)
        return redirect("members:ground_rules")
    try:
        services.ground_rules_agree(user=request.user, ground_rules=rules)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("members:ground_rules")
    messages.success(request, "Thank you for agreeing to the ground rules.")
    return redirect(_safe_next(request, reverse("members:home")))


@login_not_required
@require_GET
def glossary(request):
    # No stored term can hold a NUL (forms refuse them), and PostgreSQL refuses one in a query:
    # dropping them changes nothing a search could find.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    return render(
        request,
        "members/glossary.html",
        {"letters": selectors.glossary_by_letter(query=query), "query": query},
    )


# Organisers ---------------------------------------------------------------------------------------


class IntroductionEdit(OrganiserFormView):
    model = ContentPage
    lookup_field = "slug"
    form_class = ContentPageForm
    permission_required = "members.change_contentpage"
    back_url = "members:introduction"
    back_label = "Back to the introduction"

    def get_object(self):
        return get_object_or_404(ContentPage, slug=ContentPage.INTRODUCTION)

    def title_for(self, page):
        return "Edit the introduction"

    def save(self, form):
        return services.content_page_update(
            page=self.object, user=self.request.user, **form.cleaned_data
        )

    def success_message(self, page):
        return "The introduction is updated."


@permission_required("members.add_groundrules", raise_exception=True)
@require_GET
def ground_rules_versions(request):
    versions = selectors.ground_rules_versions()
    return render(request, "members/organise/ground_rules_versions.html", {"versions": versions})


class GroundRulesDraft(OrganiserFormView):
    """A new draft (starting from the rules in force) or an edit of an unpublished one."""

    model = GroundRules
    lookup_kwarg = lookup_field = "version"
    form_class = GroundRulesForm
    back_url = "members:ground_rules_versions"
    back_label = "Back to the ground rules"

    def get_queryset(self):
        return GroundRules.objects.filter(published_at__isnull=True)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        current = selectors.ground_rules_current() if self.creating else None
        if current:
            kwargs["initial"] = {"body": current.body}
        return kwargs

    def title_for(self, draft):
        return "Draft new ground rules" if self.creating else f"Edit draft version {draft.version}"

    def intro_for(self, draft):
        if self.creating:
            return "Start from the current rules. Nothing changes for members until you publish."
        return ""

    def save(self, form):
        if self.creating:
            return services.ground_rules_draft_create(user=self.request.user, **form.cleaned_data)
        return services.ground_rules_draft_update(draft=self.object, **form.cleaned_data)

    def success_message(self, draft):
        if self.creating:
            return f"Draft version {draft.version} is saved. Publish it when ready."
        return f"Draft version {draft.version} is saved."


@permission_required("members.publish_groundrules", raise_exception=True)
@require_POST
def ground_rules_publish(request, version):
    draft = get_object_or_404(GroundRules, version=version)
    try:
        services.ground_rules_publish(draft=draft, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"Version {draft.version} is published. Members will be asked to agree on their "
            "next visit.",
        )
    return redirect("members:ground_rules_versions")


@permission_required("members.change_glossaryterm", raise_exception=True)
@require_GET
def glossary_manage(request):
    return render(request, "members/organise/glossary.html", {"terms": selectors.glossary_terms()})


class GlossaryTermPage:
    model = GlossaryTerm
    back_url = "members:glossary_manage"
    back_label = "Back to the glossary"


class GlossaryTermEdit(GlossaryTermPage, OrganiserFormView):
    form_class = GlossaryTermForm

    def title_for(self, term):
        return "Add a glossary term" if self.creating else f"Edit “{term.term}”"

    def save(self, form):
        if self.creating:
            return services.glossary_term_create(**form.cleaned_data)
        return services.glossary_term_update(glossary_term=self.object, **form.cleaned_data)

    def success_message(self, term):
        if self.creating:
            return f"“{term.term}” is added to the glossary."
        return f"“{term.term}” is updated."


class GlossaryTermDelete(GlossaryTermPage, OrganiserDeleteView):
    permission_required = "members.delete_glossaryterm"
    consequence = (
        "The term and its definition will be removed from the glossary. Links to it will no "
        "longer find it."
    )
    delete_label = "Delete the term"

    def title_for(self, term):
        return f"Delete “{term.term}”?"

    def delete(self, term):
        services.glossary_term_delete(glossary_term=term)

    def success_message(self, term):
        return f"“{term.term}” is removed from the glossary."
