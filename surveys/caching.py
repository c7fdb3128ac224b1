"""Survey results kept in the cache. A closed survey takes no more answers, so its results are
worked out once and kept; an open one's are always worked out afresh."""

from django.core.cache import cache

CLOSED_RESULTS_TIMEOUT = 60 * 60 * 24


def _closed_results_key(survey, see_everything: bool) -> str:
    # The closing time is in the key, so reopening a survey (or giving it longer) reads afresh.
    # So is the sealing time: results cached before the final release of anonymous answers can
    # never be served after it. So is who is looking: protected figures and unsuppressed ones
    # never pass between viewers.
    sealed = survey.answers_sealed_at.timestamp() if survey.answers_sealed_at else "unsealed"
    whose = "all" if see_everything else "protected"
    return f"surveys:closed-results:{survey.pk}:{survey.closes_at.timestamp()}:{sealed}:{whose}"


def closed_results(survey, *, see_everything: bool, compute):
    """A closed survey's results for this kind of viewer: from the cache, or `compute()` once
    and kept."""
    key = _closed_results_key(survey, see_everything)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CLOSED_RESULTS_TIMEOUT)
    return found
