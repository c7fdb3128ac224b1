"""The resource hub as members and visitors see it: browse, search, catch up, read, download."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ..caching import (
    CountCachedPaginator,
    ResourcePage,
    browse_page_cached,
    resource_page_cached,
    search_page_cached,
)
from ..forms.hub import BrowseForm, SearchForm
from ..selectors import hub as selectors
from ..selectors import search as search_selectors

PAGE_SIZE = 20


@login_not_required
@require_GET
def browse(request):
    content = browse_page_cached(
        audience=selectors.audience_of(request.user),
        query=request.GET,
        build=lambda: _browse_content(request),
    )
    return render(request, "resources/browse.html", {"content": content})


def _browse_content(request) -> str:
    form = BrowseForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    resources = selectors.resource_browse(user=request.user, **filters)
    page = CountCachedPaginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_to_string(
        "resources/browse.html#content", {"form": form, "page": page}, request=request
    )


@login_not_required
@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    shown, truncated = search_selectors.query_clean(query)
    if truncated:
        messages.info(
            request,
            f"Your search was long, so only its first {selectors.QUERY_MAX_LENGTH} characters "
            "were used.",
        )
    content = search_page_cached(
        audience=selectors.audience_of(request.user),
        query=request.GET,
        build=lambda: _search_content(request, query),
    )
    return render(request, "resources/search.html", {"query": shown, "content": content})


def _search_content(request, query) -> str:
    results = search_selectors.search(user=request.user, query=query, page=request.GET.get("page"))
    return render_to_string(
        "resources/search.html#content",
        {"results": results, "page": results.page, "candidates": settings.RESOURCE_SEARCH_RANKED},
        request=request,
    )


@require_GET
def catch_up(request):
    found = selectors.catch_up(member=request.user)
    return render(
        request,
        "resources/catch_up.html",
        {"start_here": found.start_here, "missed": found.missed},
    )


def _resource_or_sign_in(request, slug):
    """(resource, None), or (None, a redirect to sign in) for a members-only resource seen by
    a visitor. Anything this person may not see, and may not sign in to see, is a 404."""
    resource = selectors.resource_get(user=request.user, slug=slug)
    if resource is not None:
        return resource, None
    if not request.user.is_authenticated and selectors.resource_is_for_members(slug=slug):
        return None, redirect_to_login(request.get_full_path())
    raise Http404("No such resource.")


@login_not_required
@require_GET
def detail(request, slug):
    page = resource_page_cached(slug=slug, build=lambda: _resource_page_for(request, slug))
    if page is None or not selectors.may_see(page.seen_by, request.user):
        # Not kept, or kept for an audience this person is not in: the rules decide afresh.
        resource, sign_in = _resource_or_sign_in(request, slug)
        if sign_in:
            return sign_in
        page = _resource_page(resource)
    return render(request, "resources/detail.html", {"page": page})


def _resource_page_for(request, slug) -> ResourcePage | None:
    resource = selectors.resource_get(user=request.user, slug=slug)
    return None if resource is None else _resource_page(resource)


def _resource_page(resource) -> ResourcePage:
    """The resource's page as everyone who may see it sees it."""
    context = {"resource": resource}
    return ResourcePage(
        pk=resource.pk,
        slug=resource.slug,
        title=resource.title,
        meta_description=Truncator(resource.description).words(30, truncate=" …"),
        kind_label=resource.get_kind_display(),
        article_html=render_to_string("resources/detail.html#article", context),
        seen_by=selectors.seen_by(resource),
    )


@login_not_required
@require_GET
@cache_control(private=True, max_age=300)
def download(request, slug):
    """Every file goes through here, so the same rules decide who may have it."""
    resource, sign_in = _resource_or_sign_in(request, slug)
    if sign_in:
        return sign_in
    if not resource.file:
        raise Http404("This resource has no file.")
    storage = resource.file.storage
    if not isinstance(storage, FileSystemStorage):
        # Object storage: hand out a short-lived signed link to the private object.
        return redirect(storage.url(resource.file.name))
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    filename = resource.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=resource.file_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
