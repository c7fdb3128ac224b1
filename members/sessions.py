"""The portal's session engine: Django's cached_db sessions, with the signed-in member read in
the same cache round trip as the session.

A signed-in page first reads the session (to learn whose it is), then the member kept for them
with the generations that say whether it is still true (members.caching). Those are two round
trips to the cache, one after the other, on every signed-in page. But the member a session is
for never changes while the session's key stays the same: Django gives a session a new key when
someone signs in, and ends it when they sign out. So each worker remembers, for the sessions it
has served, whose they are, and reads the session and that member's kept entries together.

What this remembers is only a guess at which member's entries to read along: the session as
read still decides who is signed in (Django's auth reads the member's id from it, and checks the
password hash against the member), and the entries read along are used only for that member and
only in the same request (members.caching.CachedPermissionsBackend.get_user), so every promise
that a change takes effect on the next request holds as before."""

import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db

from .caching import member_entries_keys, member_read_ahead

# Sessions whose member a worker remembers: the oldest is forgotten first. A session forgotten is
# read in two round trips, as Django's own engine does.
REMEMBERED_MOST = 10_000
_members_of_sessions: OrderedDict[str, int] = OrderedDict()
_remembering = threading.Lock()


def _remember(session_key: str, member_pk: int) -> None:
    with _remembering:
        _members_of_sessions[session_key] = member_pk
        _members_of_sessions.move_to_end(session_key)
        while len(_members_of_sessions) > REMEMBERED_MOST:
            _members_of_sessions.popitem(last=False)


class SessionStore(cached_db.SessionStore):
    def load(self):
        # Whatever an earlier request read along is never used for this one.
        member_read_ahead(None)
        member_pk = _members_of_sessions.get(self.session_key or "")
        if member_pk is None or settings.SESSION_CACHE_ALIAS != "default":
            data = super().load()
        else:
            data = self._load_with_member(member_pk)
        user_id = data.get(SESSION_KEY)
        if self.session_key and user_id is not None and str(user_id).isdigit():
            _remember(self.session_key, int(user_id))
        return data

    def _load_with_member(self, member_pk: int) -> dict:
        """The session, read with the entries kept for `member_pk`, which are left for
        get_user if the session turns out to be theirs."""
        keys = member_entries_keys(member_pk)
        try:
            found = self._cache.get_many([self.cache_key, *keys])
        except Exception:  # as Django's own load does: the database decides
            return super().load()
        data = found.pop(self.cache_key, None)
        if data is None:
            return super().load()
        if str(data.get(SESSION_KEY)) == str(member_pk):
            member_read_ahead((member_pk, found))
        return data
