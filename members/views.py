import datetime
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from cop_portal.web.organise import OrganiserDeleteView, OrganiserFormView
from events import selectors as event_selectors
from events.models import CAUCUS_CHOICE_PERMISSION
from surveys import selectors as survey_selectors

from . import imports, selectors, services
from .audit import Action, audit_record
from .emails import unsubscribe_token_read
from .forms import (
    ClaimForm,
    ContentPageForm,
    DirectoryFilterForm,
    EmailPreferencesForm,
    GlossaryTermForm,
    GroundRulesAgreeForm,
    GroundRulesForm,
    ImportConfirmForm,
    ImportForm,
    OrganisationForm,
    OrganisationMergeForm,
    ProfileForm,
)
from .middleware import ground_rules_not_required, ground_rules_status_of
from .models import ContentPage, GlossaryTerm, GroundRules, Organisation

DIRECTORY_PAGE_SIZE = 24
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
def home(request):
    if not request.user.is_authenticated:
        introduction = selectors.content_page_get(slug=ContentPage.INTRODUCTION)
        return render(request, "members/landing.html", {"introduction": introduction})
    status = ground_rules_status_of(request)
    steps = selectors.member_next_steps(user=request.user, ground_rules=status)
    return render(
        request,
        "members/home.html",
        {
            "steps": steps,
            "steps_done": all(step.done for step in steps),
            "ground_rules": status,
            "upcoming": event_selectors.member_upcoming(member=request.user)[:3],
            "surveys": survey_selectors.surveys_waiting(member=request.user)[:5],
            "action_summary": selectors.member_action_summary(member=request.user),
        },
    )


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


@require_GET
def profile(request):
    return render(request, "members/profile.html", {"member": request.user})


@ground_rules_not_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    first_time = request.user.profile_completed_at is None
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        if first_time and request.user.introduction_read_at is None:
            return redirect("members:introduction")
        return redirect("members:profile")
    return render(request, "members/profile_edit.html", {"form": form, "first_time": first_time})


@ground_rules_not_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    # Bound on any POST, even an empty one: unticking every box sends no field at all.
    data = request.POST if request.method == "POST" else None
    form = EmailPreferencesForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.email_preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email choices are saved.")
        return redirect("members:email_preferences")
    return render(request, "members/email_preferences.html", {"form": form})


# What each unsubscribe category is called in "You will no longer get … emails".
UNSUBSCRIBE_NAMES = {
    "programme": "new programme",
    "reminders": "reminder",
    "catch_up": "catch-up",
    "surveys": "survey invitation",
}


# The signed token in the address is the authorisation, and all it can do is turn one kind of
# email off for one member, so a forged cross-site request could do no harm worth guarding
# against. Mail clients send the one-click POST of RFC 8058 ("List-Unsubscribe=One-Click")
# with no CSRF cookie or token, so a CSRF check would refuse exactly the request we must honour.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = unsubscribe_token_read(token)
    state = "confirm" if found else "invalid"
    if found and request.method == "POST":
        member_id, category = found
        done = services.email_unsubscribe(member_id=member_id, category=category)
        state = "done" if done else "invalid"
    return render(
        request,
        "members/unsubscribe.html",
        {"state": state, "category_name": UNSUBSCRIBE_NAMES[found[1]] if found else ""},
    )


@require_GET
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_directory(
        organisation=filters.get("organisation"),
        sector=filters.get("sector", ""),
        interest=filters.get("interest"),
    )
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/directory.html", {"form": form, "page": page})


# Organisers -------------------------------------------------------------------------------


@permission_required("members.view_reports", raise_exception=True)
@require_GET
def organise(request):
    return render(request, "members/organise/index.html")


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

    def get_permission_required(self):
        return ["members.add_groundrules" if self.creating else "members.change_groundrules"]

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
    return render(request, "members/organise/glossary.html", {"terms": GlossaryTerm.objects.all()})


class GlossaryTermPage:
    model = GlossaryTerm
    back_url = "members:glossary_manage"
    back_label = "Back to the glossary"


class GlossaryTermEdit(GlossaryTermPage, OrganiserFormView):
    form_class = GlossaryTermForm

    def get_permission_required(self):
        return ["members.add_glossaryterm" if self.creating else "members.change_glossaryterm"]

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

    def get_permission_required(self):
        return ["members.add_organisation" if self.creating else "members.change_organisation"]

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
        duplicates = form.cleaned_data["duplicates"]
        merged = len([d for d in duplicates if d.pk != keep.pk])
        self.moved = services.organisation_merge(keep=keep, duplicates=duplicates)
        audit_record(
            self.request,
            Action.ORGANISATIONS_MERGED,
            target=keep,
            detail=f"{merged} merged in, {self.moved} member(s) moved",
        )
        return keep

    def success_message(self, keep):
        return f"Merged into {keep.name}: {self.moved} member(s) moved."


# Importing spreadsheets ------------------------------------------------------------------------


IMPORT_EXPIRED = "That upload has expired or has already been imported: upload the file again."


def _import_kind_allowed(user, kind: str) -> None:
    # An attendance register also creates events and records who came to them.
    if kind == "attendance" and not user.has_perm("events.manage_attendance"):
        raise PermissionDenied


@permission_required("members.add_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_data(request):
    """Import members or attendance from a spreadsheet in two steps: "check" stores the upload
    privately and shows what each row would do, saving nothing; "confirm" imports it."""
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _import_confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _import_kind_allowed(request.user, data["kind"])
        upload = data["file"]
        try:
            plan = imports.plan_file(
                upload,
                upload.name,
                kind=data["kind"],
                event_title=data["event_title"] or None,
                event_date=data["event_date"],
                may_see_caucus=request.user.has_perm(CAUCUS_CHOICE_PERMISSION),
            )
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            # The check shows the people in the file: a read of personal data.
            audit_record(
                request, Action.IMPORT_CHECKED, detail=f"{data['kind']}: {len(plan.rows)} rows"
            )
            services.import_uploads_purge()
            token = services.import_upload_store(
                upload=upload,
                user=request.user,
                kind=data["kind"],
                event_title=data["event_title"],
                event_date=data["event_date"],
            )
            context |= {
                "plan": plan,
                "filename": upload.name,
                "confirm_form": ImportConfirmForm(initial={"token": token}),
            }
    return render(request, "members/organise/import.html", context)


def _import_confirm(request):
    form = ImportConfirmForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else ""
    stored = services.import_upload_read(token=token, user=request.user) if token else None
    if stored is None:
        messages.error(request, IMPORT_EXPIRED)
        return redirect("members:import_data")
    content, meta = stored
    _import_kind_allowed(request.user, meta["kind"])
    try:
        plan = imports.plan_file(
            io.BytesIO(content),
            meta["filename"],
            kind=meta["kind"],
            event_title=meta["event_title"] or None,
            event_date=(
                datetime.date.fromisoformat(meta["event_date"]) if meta["event_date"] else None
            ),
            may_see_caucus=request.user.has_perm(CAUCUS_CHOICE_PERMISSION),
        )
        created = imports.apply(plan, recorded_by=request.user)
    except (imports.ImportFileError, ValidationError) as error:
        detail = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"Nothing was imported: {detail}")
    else:
        imported = (
            Action.ATTENDANCE_IMPORTED if meta["kind"] == "attendance" else Action.MEMBERS_IMPORTED
        )
        audit_record(request, imported, detail=imports.describe_created(created))
        messages.success(
            request,
            f"{meta['filename']} is imported: {plan.summary} "
            f"({imports.describe_created(created)}).",
        )
    finally:
        services.import_upload_discard(token=token)
    return redirect("members:import_data")


# Welcoming imported members -------------------------------------------------------------------

IMPORTED_PAGE_SIZE = 50


@permission_required("members.add_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def imported_members(request):
    """Members imported from a roster or a register who have not claimed their record yet,
    and the welcome that lets each of them claim it ("Send to everyone not yet welcomed", or
    one person again, which makes their earlier link void)."""
    waiting = selectors.imported_members_waiting()
    if request.method == "POST":
        if request.POST.get("send") == "all":
            chosen = waiting.filter(welcomed_at__isnull=True)
        else:
            chosen = waiting.filter(pk=_int_or_none(request.POST.get("member")))
        sent = services.members_welcome(members=list(chosen))
        if sent:
            messages.success(
                request, f"Welcome sent to {sent} {'member' if sent == 1 else 'members'}."
            )
        else:
            messages.info(
                request, "Nobody to welcome: everyone chosen has joined or been welcomed."
            )
        return redirect("members:imported_members")
    page = Paginator(waiting, IMPORTED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/organise/imported_members.html",
        {"page": page, "welcome_days": services.WELCOME_DAYS},
    )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_not_required
@ground_rules_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def claim(request, token):
    """An imported member claims their record from the welcome link: set a password (or sign
    in with Microsoft), and they are in."""
    member = services.welcome_member_for_token(token)
    if member is None:
        return render(request, "members/claim_invalid.html", status=404)
    form = ClaimForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = services.member_claim(member=member, password=form.cleaned_data["new_password1"])
        auth_login(request, member, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to the CoP Portal: your account is ready.")
        return redirect("members:profile_edit")
    return render(
        request,
        "members/claim.html",
        {"form": form, "member": member, "microsoft_login": _microsoft_login_url()},
    )


def _microsoft_login_url() -> str:
    from allauth.socialaccount.models import SocialApp

    configured = settings.SOCIALACCOUNT_PROVIDERS.get("microsoft", {}).get("APPS")
    if not configured and not SocialApp.objects.filter(provider="microsoft").exists():
        return ""
    return reverse("microsoft_login")
