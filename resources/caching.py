"""What the resource hub keeps in the cache: the totals of its lists, the sessions its browse
filter offers, what search found, and the browse and search pages' content as rendered.
Counting every resource that matches a filter, or a common word, costs more than showing a page
of them, and rendering a page of them (its filters, its snippets) costs more again.

Everything is kept under a generation that the services writing resources, case studies,
initiatives and topics move on (`resources_changed`); resources.apps also moves it on for a
change saved any other way (the admin) and for any change to a session. The rendered results
are kept under the sessions' own generation too (a resource shows its session's title), and
under the audience they were made for, so no kept answer outlives a change or reaches someone
who may not see it."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from cop_portal.web.generations import (
    generation,
    generation_bump_at_commit,
    generations,
    kept_read,
    kept_write,
)
from events.selectors import SESSIONS_GENERATION_KEY
from events.services import materials_changed
from members.selectors import GLOSSARY_GENERATION_KEY

COUNT_TIMEOUT = 10 * 60
SESSIONS_TIMEOUT = 60 * 60
GENERATION_KEY = "resources:generation"
BROWSE_SESSIONS_KEY = "resources:browse-sessions"


def resources_changed() -> None:
    """A resource or a session changed: kept totals and lists start again, sessions' pages
    (which list their resources) included."""
    generation_bump_at_commit(GENERATION_KEY)
    materials_changed()


def count_cached(queryset) -> int:
    generation_now = generation(GENERATION_KEY)
    try:
        sql = str(queryset.order_by().query).encode()
    except EmptyResultSet:  # .none(): nothing to count
        return 0
    key = f"resources:count:{generation_now}:{hashlib.sha256(sql).hexdigest()}"
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, COUNT_TIMEOUT)
    return count


class CountCachedPaginator(Paginator):
    """A paginator whose total comes from `count_cached`."""

    @cached_property
    def count(self):
        return count_cached(self.object_list)


def browse_sessions_cached(fetch) -> list[tuple[int, str]]:
    """The sessions the browse filter offers, as `fetch()` lists them, kept until a resource
    or a session changes."""
    key = f"{BROWSE_SESSIONS_KEY}:{generation(GENERATION_KEY)}"
    sessions = cache.get(key)
    if sessions is None:
        sessions = fetch()
        cache.set(key, sessions, SESSIONS_TIMEOUT)
    return sessions


# The browse and search pages, as rendered --------------------------------------------------------

PAGE_TIMEOUT = 10 * 60
# What each page reads from its address (the filter form's button comes with its filters).
# Anything else in it (or a value given twice) is rendered afresh every time rather than kept:
# the page's links repeat the address as it is.
BROWSE_PARAMETERS = frozenset(
    {"kind", "topic", "event", "date_from", "date_to", "sort", "page", "submit"}
)
SEARCH_PARAMETERS = frozenset({"q", "page"})


def _page_cached(*, name, parameters, generation_keys, audience, query, build) -> str:
    """The page's content for `audience` at this address (`query`, a QueryDict), from
    `build()`, kept while the generations of `generation_keys` stand. The address is in the
    key whole, so the filters' chosen values, the page number and every link drawn from the
    address are those asked for."""
    lists = query.lists()
    if any(name not in parameters or len(values) != 1 for name, values in lists):
        return build()
    address = hashlib.sha256(query.urlencode().encode()).hexdigest()
    key = f"resources:{name}:{audience}:{address}"
    kept, stamp = kept_read([key], generation_keys)
    if key in kept:
        return kept[key]
    html = build()
    kept_write(key, stamp, html, PAGE_TIMEOUT)
    return html


def browse_page_cached(*, audience: str, query, build) -> str:
    """The browse page's content (its filters, with the values chosen, and a page of results)
    for `audience` (who may see which resources, as `resources_visible_to` decides) at this
    address, kept until a resource or a session changes (a resource shows its session's title,
    and the filter offers sessions)."""
    return _page_cached(
        name="browse",
        parameters=BROWSE_PARAMETERS,
        generation_keys=(GENERATION_KEY, SESSIONS_GENERATION_KEY),
        audience=audience,
        query=query,
        build=build,
    )


def search_page_cached(*, audience: str, query, build) -> str:
    """The search page's content (what was found, a page of it with highlighted snippets, a
    "did you mean") for `audience` at this address, kept until anything search reads changes,
    as `search_found_cached` is. Finding a page's hits and cutting their snippets costs more
    than the ranking once that is kept."""
    return _page_cached(
        name=f"search:{settings.RESOURCE_SEARCH_RANKED}",
        parameters=SEARCH_PARAMETERS,
        generation_keys=(GENERATION_KEY, SESSIONS_GENERATION_KEY, GLOSSARY_GENERATION_KEY),
        audience=audience,
        query=query,
        build=build,
    )


# What search found ---------------------------------------------------------------------------

SEARCH_TIMEOUT = 10 * 60


def search_found_cached(*, audience: str, query: str, work):
    """What search found for `query` (already normalised) and `audience` (who they are to what
    search may show), from `work()`, kept until anything search reads changes: resources, case
    studies, initiatives and topics (this app's generation), sessions and the glossary (theirs).
    Ranking is most of a search's time, and a common word is searched again and again."""
    kept_under = generations(GENERATION_KEY, SESSIONS_GENERATION_KEY, GLOSSARY_GENERATION_KEY)
    asked = hashlib.sha256(query.encode()).hexdigest()
    ranked_at_most = settings.RESOURCE_SEARCH_RANKED
    key = f"resources:search:{':'.join(map(str, kept_under))}:{ranked_at_most}:{audience}:{asked}"
    found = cache.get(key)
    if found is None:
        found = work()
        cache.set(key, found, SEARCH_TIMEOUT)
    return found


# A resource's page, and a session's list of its resources -------------------------------------

# A resource's page shows the same article (its description, takeaways, topics, session and
# transcript, which can run to thousands of words) to everyone who may see it: the article is
# kept once, with the audience that may see it (resources.selectors.hub.seen_by), which each
# viewer is checked against before it is served. Links that depend on who is looking (to talk
# about it, to edit it) are added for each request.
DETAIL_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class ResourcePage:
    pk: int
    slug: str
    title: str
    meta_description: str
    kind_label: str
    article_html: str
    seen_by: str  # who may see it, as resources.selectors.hub.seen_by says


def resource_page_cached(*, slug: str, build) -> ResourcePage | None:
    """The page of the resource with this address as `build()` makes it (or None: nothing
    kept), kept until a resource or a session changes. The caller checks `seen_by` against
    the viewer: the kept page says who it is for, not who asked first."""
    key = f"resources:detail:{slug}"
    kept, stamp = kept_read([key], (GENERATION_KEY, SESSIONS_GENERATION_KEY))
    page = kept.get(key)
    if page is None:
        page = build()
        if page is not None:
            kept_write(key, stamp, page, DETAIL_TIMEOUT)
    return page
