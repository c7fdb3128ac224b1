"""Generation counters in the cache: a cached answer's key carries the generation of what it was
worked out from, so moving the generation on retires every such answer at once (the cache cannot
delete by pattern)."""

import contextlib
import secrets
import threading
import time
from collections import OrderedDict
from functools import partial

from django.core.cache import cache
from django.db import transaction


def generation(key: str) -> int:
    return cache.get(key, 0)


def generation_bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # Not in the cache (new, or evicted): start from the clock, so the new generation cannot
        # be one an older answer still in the cache was kept under.
        cache.set(key, time.time_ns(), None)


def generation_start(key: str, timeout: int | None = None) -> int:
    """The generation under `key`, started from the clock if there is none (new, expired or
    evicted): then no answer kept under an earlier one can match it."""
    cache.add(key, time.time_ns(), timeout)
    return cache.get(key)


def generation_move_on(key: str) -> None:
    """Move on a generation that answers are kept under only while it exists (read with
    `generation_start`). None: nothing is trusted until it is started again, later than any
    answer kept so far, so there is nothing to move and no key is made (a key for everyone
    ever changed would fill the cache)."""
    with contextlib.suppress(ValueError):
        cache.incr(key)


def generations(*keys: str) -> tuple[int, ...]:
    """The current generation of each key, in one cache round trip. A key not in the cache
    (never moved on, or evicted) is started from the clock, never read as 0: an answer kept
    under 0 before it was first moved on must not be served again once the key is evicted."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, time.time_ns(), None)  # whoever adds first, everyone reads theirs
        found.update(cache.get_many(missing))
    return tuple(found.get(key, 0) for key in keys)


def generation_bump_at_commit(key: str) -> None:
    """Move the generation on now and, inside a transaction, again once it commits: a request
    reading between the two still sees the old rows, and would otherwise keep its answer under
    the new generation."""
    generation_bump(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(generation_bump, key))


def kept_read(keys: list[str], generation_keys: tuple[str, ...]) -> tuple[dict, tuple[int, ...]]:
    """What is kept under `keys` (by `kept_write`) under the generations of `generation_keys`
    now current, and those generations, in one cache round trip rather than one for the
    generations and another for what they name. An answer kept under any other generation is
    left out, as is everything when a generation is missing (it is started from the clock)."""
    found = cache.get_many([*generation_keys, *keys])
    stamp = tuple(found.get(key) for key in generation_keys)
    if None in stamp:
        return {}, generations(*generation_keys)
    kept = {}
    for key in keys:
        value = found.get(key)
        if value is not None and value[0] == stamp:
            kept[key] = value[1]
    return kept, stamp


def kept_write(key: str, stamp: tuple[int, ...], value, timeout: int) -> None:
    """Keep `value`, worked out after `kept_read` gave `stamp`: a change moving a generation on
    after that read moves it past `stamp`, so the value is not used again."""
    cache.set(key, (stamp, value), timeout)


# Large kept values (a whole page) are also kept in each process that used them, with the token
# they were kept under: a warm read fetches only the token, with the generations, and uses the
# copy here while the cache still holds that token. Fetching half a megabyte from the cache on
# every view cost more than the rest of the view, and grew with the page.
_HERE_MOST = 16
_here: OrderedDict[str, tuple[str, object]] = OrderedDict()
_here_lock = threading.Lock()


def _token_key(key: str) -> str:
    return f"{key}:token"


def _keep_here(key: str, token: str, value) -> None:
    with _here_lock:
        _here[key] = (token, value)
        _here.move_to_end(key)
        while len(_here) > _HERE_MOST:
            _here.popitem(last=False)


def kept_large_read(key: str, generation_keys: tuple[str, ...]):
    """`kept_read` for one large value kept by `kept_large_write`: (the value or None, the
    generations). Fetched from the cache only when this process has not the copy kept now."""
    kept, stamp = kept_read([_token_key(key)], generation_keys)
    token = kept.get(_token_key(key))
    if token is None:
        return None, stamp
    with _here_lock:
        here = _here.get(key)
        if here is not None and here[0] == token:
            _here.move_to_end(key)
            return here[1], stamp
    found = cache.get(key)
    if found is None or found[0] != token:
        return None, stamp
    _keep_here(key, token, found[1])
    return found[1], stamp


def kept_large_write(key: str, stamp: tuple[int, ...], value, timeout: int) -> None:
    """`kept_write` for a large value: kept under a new token, the value first, so whoever
    reads the token finds its value (or another one, not used)."""
    token = secrets.token_hex(8)
    cache.set(key, (token, value), timeout)
    kept_write(_token_key(key), stamp, token, timeout)
    _keep_here(key, token, value)
