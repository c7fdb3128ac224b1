"""Large kept values (cop_portal/web/generations.py): kept in the cache and in the process that
used them, read from the process while the cache still holds the token they were kept under."""

from django.core.cache import cache

from cop_portal.web.generations import (
    generation_bump,
    kept_large_read,
    kept_large_write,
    kept_read,
    kept_write,
)

GENERATION = "test:large:generation"
PAGE = "test:large:page"


def _write(key, value):
    _, stamp = kept_read([], (GENERATION,))
    kept_large_write(key, stamp, value, 60)


def test_a_warm_read_uses_the_copy_here_without_fetching_it():
    _write(PAGE, b"the page")
    cache.delete(PAGE)  # only the token is read: the value is not fetched again
    assert kept_large_read(PAGE, (GENERATION,))[0] == b"the page"


def test_nothing_is_used_once_the_generation_moves_on():
    _write(PAGE, b"the page")
    generation_bump(GENERATION)
    assert kept_large_read(PAGE, (GENERATION,))[0] is None


def test_nothing_is_used_once_the_token_is_gone():
    _write(PAGE, b"the page")
    cache.delete(f"{PAGE}:token")
    assert kept_large_read(PAGE, (GENERATION,))[0] is None


def test_a_value_kept_by_another_process_is_fetched_and_used():
    _write(PAGE, b"the old page")
    _, stamp = kept_read([], (GENERATION,))
    cache.set(PAGE, ("theirs", b"their page"), 60)
    kept_write(f"{PAGE}:token", stamp, "theirs", 60)
    assert kept_large_read(PAGE, (GENERATION,))[0] == b"their page"
    # A token whose value was replaced again is not trusted with the value found.
    kept_write(f"{PAGE}:token", stamp, "a third", 60)
    assert kept_large_read(PAGE, (GENERATION,))[0] is None


def test_the_process_keeps_only_the_latest_few():
    _write(PAGE, b"the first page")
    for n in range(16):
        _write(f"{PAGE}:{n}", b"another page")
    cache.delete(PAGE)  # no longer here either: the token alone is not enough
    assert kept_large_read(PAGE, (GENERATION,))[0] is None
    assert kept_large_read(f"{PAGE}:15", (GENERATION,))[0] == b"another page"
