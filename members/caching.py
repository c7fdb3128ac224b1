"""What the members app keeps in the default cache (Redis in production, shared by all workers).

Every signed-in page needs the member, their permissions (for the menu and two-step sign-in) and
the version of the ground rules in force. The member and their permissions are kept together,
read in one round trip with the generations that say whether they are still true and with the
ground rules' version; so a signed-in page that does nothing else asks the database nothing.

No kept answer is trusted for a time: each is stored with the generations it was worked out
under, the member's own and everyone's, and is used only while both are unchanged. The services
that change a member (roles, password, closing or erasing the account, profile and email
choices) move the member's generation on (`member_forget`); a change to what a role may do, or
to many members at once, moves everyone's (`members_forget`). Both move it at once and again
when the transaction commits, so a request that read the old rows in between cannot keep them.
Writes made outside the portal's services (the admin, allauth's own saves of a password or an
email address, Django's record of the last sign-in) reach the same functions through the model
signals in members/signals.py. Timeouts only bound the cache's memory.

The dashboard's figures are kept for ten minutes and not dropped: the page says when they were
worked out. Its rendering is kept by the same rule, never past the ten minutes of the figures
it shows."""

import math
from contextvars import ContextVar
from datetime import timedelta
from functools import partial

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from cop_portal.web.generations import (
    generation_bump,
    generation_bump_at_commit,
    generation_move_on,
    generation_start,
    kept_large_read,
    kept_large_write,
)

MEMBER_TIMEOUT = 300
# A member's generation exists while they use the portal; once it expires, what was kept about
# them is no longer trusted and a new one starts from the clock.
GENERATION_TIMEOUT = 24 * 60 * 60
GROUND_RULES_TIMEOUT = 60
GROUND_RULES_VERSION_KEY = "members:ground-rules-version"
# Everyone's generation: moved on when a role's permissions change or many members change at
# once (an organisation merged into another).
EVERYONE_GENERATION_KEY = "members:generation"
_UNREAD = object()
# Moved on by the glossary's services: search keeps what it found under it.
GLOSSARY_GENERATION_KEY = "members:glossary-generation"
# Moved on when organisations are renamed or merged: kept survey results name them.
ORGANISATIONS_GENERATION_KEY = "members:organisations-generation"


def _generation_key(member_pk: int) -> str:
    return f"members:generation:{member_pk}"


def _member_key(member_pk: int) -> str:
    return f"members:member:{member_pk}"


def _permissions_key(member_pk: int) -> str:
    return f"members:permissions:{member_pk}"


def _now_and_at_commit(forget, *args) -> None:
    """Forget now and, inside a transaction, again once it commits: a request in between still
    reads the old rows and would otherwise keep the old answer."""
    forget(*args)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(forget, *args))


def _members_bump(member_pks) -> None:
    for pk in member_pks:
        generation_move_on(_generation_key(pk))


def member_forget(*member_pks: int) -> None:
    """These members changed (roles, password, account closed or erased, profile, email
    choices): what is kept about them is not used again."""
    _now_and_at_commit(_members_bump, member_pks)


def members_forget() -> None:
    """What any member may do, or many members at once, changed: nothing kept about any member
    is used again."""
    _now_and_at_commit(generation_bump, EVERYONE_GENERATION_KEY)


def _stamp(found: dict, member_pk: int) -> tuple[int, int] | None:
    """The member's and everyone's generations as read, or None if either is missing (evicted
    or never set), when nothing kept may be trusted."""
    mine, everyone = found.get(_generation_key(member_pk)), found.get(EVERYONE_GENERATION_KEY)
    return None if mine is None or everyone is None else (mine, everyone)


def _stamp_settled(found: dict, member_pk: int) -> tuple[int, int]:
    """The generations to keep a fresh answer under, each started from the clock if missing.
    Read before the database, so a change committed after the read moves them past this."""
    return (
        found.get(_generation_key(member_pk))
        or generation_start(_generation_key(member_pk), GENERATION_TIMEOUT),
        found.get(EVERYONE_GENERATION_KEY) or generation_start(EVERYONE_GENERATION_KEY),
    )


def member_entries_keys(member_pk: int) -> list[str]:
    """What get_user reads for a member: their kept self and permissions, the generations they
    must match, and the version of the ground rules in force."""
    return [
        _member_key(member_pk),
        _generation_key(member_pk),
        EVERYONE_GENERATION_KEY,
        GROUND_RULES_VERSION_KEY,
    ]


# What the session engine (members.sessions) read along with the session, for the member it is
# for: (member's id, what was found under member_entries_keys). Set or emptied as each
# request's session is read, and used once, by get_user in the same request.
_read_ahead: ContextVar[tuple[int, dict] | None] = ContextVar("member_read_ahead", default=None)


def member_read_ahead(found: tuple[int, dict] | None) -> None:
    _read_ahead.set(found)


def _member_entries(member_pk: int) -> dict:
    """The entries under member_entries_keys: those the session engine read along with this
    request's session if they are this member's, else read now."""
    ahead = _read_ahead.get()
    _read_ahead.set(None)
    if ahead is not None and ahead[0] == member_pk:
        return ahead[1]
    return cache.get_many(member_entries_keys(member_pk))


class CachedPermissionsBackend(ModelBackend):
    """Django's ModelBackend, keeping the signed-in member and their permissions between
    requests. Every sign-in records this backend in the session, allauth's included
    (members.adapters.AccountAdapter.login).

    `get_user`, which loads the member for every signed-in request, reads in one round trip the
    kept member and permissions, the two generations they must match and the version of the
    ground rules in force (left on the member for GroundRulesMiddleware); usually that round
    trip is the session's own (members.sessions). Django then checks
    the session's password hash against the kept member as it would against the database's: a
    password change moves the member's generation, so a session signed in with the old
    password is refused on its next request."""

    def get_user(self, user_id):
        found = _member_entries(user_id)
        kept = found.get(_member_key(user_id))
        stamp = _stamp(found, user_id)
        if stamp is not None and kept is not None and kept[0] == stamp:
            user, permissions = kept[1], kept[2]
        else:
            stamp = _stamp_settled(found, user_id)
            user = super().get_user(user_id)
            if user is None:
                return None
            permissions = frozenset(super().get_all_permissions(user))
            for name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
                user.__dict__.pop(name, None)
            cache.set(_member_key(user_id), (stamp, user, permissions), MEMBER_TIMEOUT)
        if not self.user_can_authenticate(user):
            return None
        user._perm_cache = set(permissions)
        user._ground_rules_in_force = found.get(GROUND_RULES_VERSION_KEY)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        """For a member other than the one signed in (the request's member has them already):
        kept between requests under the same generations while the member has them (they are
        signed in somewhere); otherwise worked out, and nothing is added to the cache for
        members who are not using the portal."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = _permissions_key(user_obj.pk)
            found = cache.get_many([key, _generation_key(user_obj.pk), EVERYONE_GENERATION_KEY])
            kept = found.get(key)
            stamp = _stamp(found, user_obj.pk)
            if stamp is not None and kept is not None and kept[0] == stamp:
                permissions = kept[1]
            else:
                permissions = super().get_all_permissions(user_obj)
                if stamp is not None:
                    cache.set(key, (stamp, permissions), MEMBER_TIMEOUT)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache


def ground_rules_version(user=None) -> int | None:
    """The version of the ground rules in force, or None before any is published. `user`: the
    signed-in member, on whom `get_user` left the version it read with them."""
    version = getattr(user, "_ground_rules_in_force", _UNREAD)
    if version is _UNREAD:
        version = cache.get(GROUND_RULES_VERSION_KEY)
    if version is None:
        from .models import GroundRules

        published = GroundRules.objects.filter(published_at__isnull=False)
        version = published.aggregate(version=Max("version"))["version"] or 0
        cache.set(GROUND_RULES_VERSION_KEY, version, GROUND_RULES_TIMEOUT)
    return version or None


def ground_rules_forget() -> None:
    """A version of the ground rules was published (or removed): every member's next page asks
    again which is in force."""
    _now_and_at_commit(cache.delete, GROUND_RULES_VERSION_KEY)


def glossary_changed() -> None:
    generation_bump_at_commit(GLOSSARY_GENERATION_KEY)


def organisations_changed() -> None:
    generation_bump_at_commit(ORGANISATIONS_GENERATION_KEY)


# The dashboard ---------------------------------------------------------------------------------

# Working the figures out reads every attendance and response in the period; they are shared by
# everyone looking at the same period, and brought up to date once they are ten minutes old (the
# page says when they were worked out). Then the first request to find them old works them out
# again, while any other request arriving meanwhile is shown the ones kept, so that nobody but that
# one request waits behind the work (at national scale it takes seconds, and every viewer queued
# behind it at once would wait that long). Figures nobody has looked at for an hour are dropped.
FIGURES_TIMEOUT = 10 * 60
FIGURES_KEPT = 60 * 60
# How long one request is trusted to be working the figures out: if it fails or is killed, the
# next request after this takes over.
FIGURES_RENEWING_MOST = 5 * 60


def figures_cache_key(period, *, viewer) -> str:
    """Per period as shown (whole months for protected viewers, so every protected viewer
    asking about the same months shares one entry) and per kind of viewer."""
    return f"members:dashboard:{period.start}:{period.end}:{viewer.kind}"


def _renewing_key(figures_key: str) -> str:
    return f"{figures_key}:renewing"


# Moved on when kept figures are dropped: the pages drawn from them are kept per dates asked,
# which cannot be listed to drop them one by one.
DASHBOARD_PAGE_GENERATION_KEY = "members:dashboard:page-generation"


def figures_cached(period, *, viewer, now, work):
    """The figures kept for this period and viewer, or `work()`'s, kept from now on. Figures
    ten minutes old are worked out again by this request, unless another one is already doing
    it: then this one has the kept ones."""
    key = figures_cache_key(period, viewer=viewer)
    found = cache.get(key)
    if found is not None and now < _fresh_until(found["worked_out_at"]):
        return found
    renewing = _renewing_key(key)
    # With nothing kept there is nothing to show meanwhile: every such request works them out.
    claimed = found is not None
    if claimed and not cache.add(renewing, True, FIGURES_RENEWING_MOST):
        return found
    try:
        found = work()
        cache.set(key, found, FIGURES_KEPT)
    finally:
        if claimed:
            cache.delete(renewing)
    return found


def _fresh_until(worked_out_at):
    return worked_out_at + timedelta(seconds=FIGURES_TIMEOUT)


def dashboard_page_kept(period, *, viewer, variant: tuple, now, build) -> bytes:
    """The dashboard's page below the header, for this period as shown and kind of viewer (the
    figures' key) and `variant` (whatever else of the request the page shows: the dates asked
    for, the links the viewer may follow). Kept from `build()`, which answers (the page, when
    the figures it shows were worked out), as long as those figures: drawn again once they are
    ten minutes old, except while another request is working them out (`figures_cached`), and
    never after they are dropped (`figures_forget`)."""
    figures_key = figures_cache_key(period, viewer=viewer)
    key = ":".join([figures_key, "page", *(str(part) for part in variant)])
    found, stamp = kept_large_read(key, (DASHBOARD_PAGE_GENERATION_KEY,))
    if found is not None:
        fresh_until, page = found
        if now < fresh_until or cache.get(_renewing_key(figures_key)) is not None:
            return page
    page, worked_out_at = build()
    left = (worked_out_at + timedelta(seconds=FIGURES_KEPT) - now).total_seconds()
    if left > 0:
        kept_large_write(key, stamp, (_fresh_until(worked_out_at), page), math.ceil(left))
    return page


def figures_forget(period, *, viewer) -> None:
    """Drop the kept figures for this period and viewer, and every page drawn from kept
    figures: the next look works them out, whoever else is doing so."""
    cache.delete(figures_cache_key(period, viewer=viewer))
    generation_bump(DASHBOARD_PAGE_GENERATION_KEY)


# A page's rendering for one member -------------------------------------------------------------

MEMBER_PAGE_TIMEOUT = 60 * 60
# Moved on when a topic is added, renamed or removed: a member's interests are shown by name.
TOPICS_GENERATION_KEY = "members:topics-generation"


def topics_changed() -> None:
    generation_bump_at_commit(TOPICS_GENERATION_KEY)


def _page_key(part: str, member_pk: int) -> str:
    return f"members:page:{part}:{member_pk}"


def member_page_kept(*, member_pk: int, part: str, under=(), variant=None, now, build):
    """`part` of a page as this member sees it: kept from `build()`, which answers (what to
    keep, until when or None), under the member's and everyone's generations and those named
    in `under` (the generations of whatever else it shows), for the same `variant` (what else
    of the request it depends on), and not at or past its own time limit.

    Only the member's own pages: what is kept is theirs (their name, their places), so it is
    kept under their id and never read for anyone else. It must hold no CSRF token."""
    key = _page_key(part, member_pk)
    found = cache.get_many([key, _generation_key(member_pk), EVERYONE_GENERATION_KEY, *under])
    stamp = _stamp(found, member_pk)
    shown = tuple(found.get(name) for name in under)
    kept = found.get(key)
    if (
        kept is not None
        and stamp is not None
        and kept[0] == (stamp, shown, variant)
        and (kept[1] is None or now < kept[1])
    ):
        return kept[2]
    # Read before the database: a change committed after this moves them past the stamp kept.
    stamp = _stamp_settled(found, member_pk)
    shown = tuple(found.get(name) or generation_start(name) for name in under)
    value, valid_until = build()
    cache.set(key, ((stamp, shown, variant), valid_until, value), MEMBER_PAGE_TIMEOUT)
    return value
