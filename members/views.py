import datetime
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

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


def _form_page(request, form, *, title, cancel_url, intro=""):
    return render(
        request,
        "members/organise/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro},
    )


@permission_required("members.change_contentpage", raise_exception=True)
@require_http_methods(["GET", "POST"])
def introduction_edit(request):
    page = get_object_or_404(ContentPage, slug=ContentPage.INTRODUCTION)
    form = ContentPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        services.content_page_update(page=page, user=request.user, **form.cleaned_data)
        messages.success(request, "The introduction is updated.")
        return redirect("members:introduction")
    return _form_page(
        request, form, title="Edit the introduction", cancel_url=reverse("members:introduction")
    )


@permission_required("members.add_groundrules", raise_exception=True)
@require_GET
def ground_rules_versions(request):
    versions = selectors.ground_rules_versions()
    return render(request, "members/organise/ground_rules_versions.html", {"versions": versions})


@permission_required("members.add_groundrules", raise_exception=True)
@require_http_methods(["GET", "POST"])
def ground_rules_new(request):
    current = selectors.ground_rules_current()
    initial = {"body": current.body} if current else {}
    form = GroundRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = services.ground_rules_draft_create(user=request.user, **form.cleaned_data)
        messages.success(request, f"Draft version {draft.version} is saved. Publish it when ready.")
        return redirect("members:ground_rules_versions")
    return _form_page(
        request,
        form,
        title="Draft new ground rules",
        cancel_url=reverse("members:ground_rules_versions"),
        intro="Start from the current rules. Nothing changes for members until you publish.",
    )


@permission_required("members.change_groundrules", raise_exception=True)
@require_http_methods(["GET", "POST"])
def ground_rules_edit(request, version):
    draft = get_object_or_404(GroundRules, version=version, published_at__isnull=True)
    form = GroundRulesForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        services.ground_rules_draft_update(draft=draft, **form.cleaned_data)
        messages.success(request, f"Draft version {draft.version} is saved.")
        return redirect("members:ground_rules_versions")
    return _form_page(
        request,
        form,
        title=f"Edit draft version {draft.version}",
        cancel_url=reverse("members:ground_rules_versions"),
    )


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


@permission_required("members.add_glossaryterm", raise_exception=True)
@require_http_methods(["GET", "POST"])
def glossary_term_new(request):
    form = GlossaryTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        term = services.glossary_term_create(**form.cleaned_data)
        messages.success(request, f"“{term.term}” is added to the glossary.")
        return redirect("members:glossary_manage")
    return _form_page(
        request, form, title="Add a glossary term", cancel_url=reverse("members:glossary_manage")
    )


@permission_required("members.change_glossaryterm", raise_exception=True)
@require_http_methods(["GET", "POST"])
def glossary_term_edit(request, pk):
    term = get_object_or_404(GlossaryTerm, pk=pk)
    form = GlossaryTermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        services.glossary_term_update(glossary_term=term, **form.cleaned_data)
        messages.success(request, f"“{term.term}” is updated.")
        return redirect("members:glossary_manage")
    return _form_page(
        request,
        form,
        title=f"Edit “{term.term}”",
        cancel_url=reverse("members:glossary_manage"),
    )


@permission_required("members.delete_glossaryterm", raise_exception=True)
@require_http_methods(["GET", "POST"])
def glossary_term_delete(request, pk):
    term = get_object_or_404(GlossaryTerm, pk=pk)
    if request.method == "POST":
        services.glossary_term_delete(glossary_term=term)
        messages.success(request, f"“{term.term}” is removed from the glossary.")
        return redirect("members:glossary_manage")
    return render(request, "members/organise/glossary_delete.html", {"term": term})


@permission_required("members.change_organisation", raise_exception=True)
@require_GET
def organisations(request):
    return render(
        request,
        "members/organise/organisations.html",
        {"organisations": selectors.organisations_with_counts()},
    )


@permission_required("members.add_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    return _organisation_form(request, Organisation(), title="Add an organisation")


@permission_required("members.change_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    return _organisation_form(request, organisation, title=f"Edit {organisation.name}")


def _organisation_form(request, organisation, *, title):
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_save(organisation=organisation, **form.cleaned_data)
        messages.success(request, f"{organisation.name} is saved.")
        return redirect("members:organisations")
    return _form_page(request, form, title=title, cancel_url=reverse("members:organisations"))


@permission_required("members.merge_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_merge(request):
    form = OrganisationMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["keep"]
        duplicates = form.cleaned_data["duplicates"]
        merged = len([d for d in duplicates if d.pk != keep.pk])
        moved = services.organisation_merge(keep=keep, duplicates=duplicates)
        audit_record(
            request,
            Action.ORGANISATIONS_MERGED,
            target=keep,
            detail=f"{merged} merged in, {moved} member(s) moved",
        )
        messages.success(request, f"Merged into {keep.name}: {moved} member(s) moved.")
        return redirect("members:organisations")
    return _form_page(
        request,
        form,
        title="Merge duplicate organisations",
        cancel_url=reverse("members:organisations"),
        intro="Use this when the same organisation has been added under two names.",
    )


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


# The portal's own plumbing: the health check and the page for a refused form ----------------


@login_not_required
@require_safe  # GET, and HEAD: what many uptime monitors send
@never_cache
def health(request):
    """For load balancers (readiness): 200 when the database takes a new connection and the
    shared cache answers, 503 when either does not. It says nothing else, so it gives nothing
    away."""
    if selectors.database_answers() and selectors.cache_answers():
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)


@login_not_required
@require_safe
@never_cache
def liveness(request):
    """For a process supervisor (liveness): 200 whenever this process answers at all. It checks
    nothing else, so a database or Redis outage does not get healthy workers restarted."""
    return JsonResponse({"status": "alive"})


def csrf_failure(request, reason=""):
    """A form came back without its security token (CSRF_FAILURE_VIEW). Usually the page sat
    open for a long time, or cookies are blocked; say so plainly, and never show `reason`."""
    return render(request, "403_csrf.html", status=403)


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
