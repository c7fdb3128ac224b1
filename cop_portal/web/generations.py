"""Generation counters in the cache: a cached answer's key carries the generation of what it was
worked out from, so moving the generation on retires every such answer at once (the cache cannot
delete by pattern)."""

import time

from django.core.cache import cache


def generation(key: str) -> int:
    return cache.get(key, 0)


def generation_bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # Not in the cache (new, or evicted): start from the clock, so the new generation cannot
        # be one an older answer still in the cache was kept under.
        cache.set(key, time.time_ns(), None)


def generation_start(key: str) -> int:
    """The generation under `key`, started from the clock if there is none (new, or evicted):
    then no answer kept under an earlier one can match it."""
    cache.add(key, time.time_ns(), None)
    return cache.get(key)
