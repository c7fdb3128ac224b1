"""The organisers' pages for importing the CoP's spreadsheets (members and attendance), and for
welcoming the members imported so that they claim their record."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..forms.imports import AttendanceChoicesForm, ImportConfirmForm, ImportForm
from ..selectors import imports as selectors
from ..services import imports as services
from ..services.accounts import WELCOME_DAYS
from ..spreadsheets import ImportFileError

IMPORT_EXPIRED = "That upload has expired or has already been imported: upload the file again."


def _import_kind_allowed(user, kind: str) -> None:
    # An attendance register also creates events and records who came to them.
    if kind == "attendance" and not user.has_perm("events.manage_attendance"):
        raise PermissionDenied


@permission_required("members.add_organisation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_data(request):
    """Import members or attendance from a spreadsheet: "check" stores the upload privately
    and shows what each row would do, saving nothing; for attendance, "choose" records the
    organiser's choices (the session above all) and shows the plan again; "confirm" imports
    it as last shown."""
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "confirm":
        return _import_confirm(request)
    if step == "choose":
        return _import_choose(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _import_kind_allowed(request.user, data["kind"])
        choices = form.choices()
        try:
            plan, token = services.import_upload_check(
                upload=data["file"], kind=data["kind"], choices=choices, request=request
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            context = _plan_context(plan, token, data["file"].name, choices)
    return render(request, "members/organise/import.html", context)


def _plan_context(plan, token: str, filename: str, choices, choices_form=None) -> dict:
    context = {
        "plan": plan,
        "filename": filename,
        "confirm_form": ImportConfirmForm(initial={"token": token}),
    }
    if plan.kind == "attendance":
        context["choices_form"] = choices_form or AttendanceChoicesForm.for_plan(
            plan, token=token, choices=choices
        )
    return context


def _stored_upload(request, form):
    token = form.cleaned_data["token"] if form.is_valid() else request.POST.get("token", "")
    stored = services.import_upload_read(token=token, user=request.user) if token else None
    if stored is None:
        return None
    _import_kind_allowed(request.user, stored[1]["kind"])
    return token, *stored


def _import_choose(request):
    form = AttendanceChoicesForm(request.POST)
    stored = _stored_upload(request, form)
    if stored is None:
        messages.error(request, IMPORT_EXPIRED)
        return redirect("members:import_data")
    token, content, meta = stored
    if form.is_valid():
        meta = services.import_upload_choose(token=token, meta=meta, choices=form.choices())
    choices = services.choices_from_json(meta.get("choices", {}))
    try:
        plan = services.import_upload_recheck(content=content, meta=meta, request=request)
    except ImportFileError as error:
        services.import_upload_discard(token=token)
        messages.error(request, f"Nothing was imported: {error}")
        return redirect("members:import_data")
    bound = None
    if not form.is_valid():  # show the errors, against the choices the plan offers
        bound = AttendanceChoicesForm(request.POST, plan=plan)
        bound.is_valid()
    context = _plan_context(plan, token, meta["filename"], choices, bound)
    return render(request, "members/organise/import.html", context)


def _import_confirm(request):
    form = ImportConfirmForm(request.POST)
    stored = _stored_upload(request, form)
    if stored is None:
        messages.error(request, IMPORT_EXPIRED)
        return redirect("members:import_data")
    token, content, meta = stored
    try:
        plan, created = services.import_upload_confirm(
            token=token, content=content, meta=meta, request=request
        )
    except services.ImportNotReady:
        messages.error(
            request,
            "Nothing was imported: choose the session (and how the dates read) first.",
        )
        plan = services.import_upload_recheck(content=content, meta=meta, request=request)
        choices = services.choices_from_json(meta.get("choices", {}))
        context = _plan_context(plan, token, meta["filename"], choices)
        return render(request, "members/organise/import.html", context)
    except (ImportFileError, ValidationError) as error:
        detail = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"Nothing was imported: {detail}")
    else:
        messages.success(
            request,
            f"{meta['filename']} is imported: {plan.summary} "
            f"({services.describe_created(created)}).",
        )
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
        {"page": page, "welcome_days": WELCOME_DAYS},
    )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
