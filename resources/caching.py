"""What the resource hub keeps in the cache: the totals of its lists, and the sessions its
browse filter offers. Counting every resource that matches a filter, or a common word, costs
more than showing a page of them.

Everything is kept under a generation that moves on whenever a resource or a session changes
(resources.apps connects the signals), so no kept answer outlives a change."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from cop_portal.web.generations import generation, generation_bump

COUNT_TIMEOUT = 10 * 60
SESSIONS_TIMEOUT = 60 * 60
GENERATION_KEY = "resources:generation"
BROWSE_SESSIONS_KEY = "resources:browse-sessions"


def resources_changed() -> None:
    """A resource or a session changed: kept totals and lists start again."""
    generation_bump(GENERATION_KEY)


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
