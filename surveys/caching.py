"""Survey results kept in the cache: the protected figures (cop_portal.web.disclosure, as
surveys.selectors.results works them out) and the page's charts drawn from them.

Working the figures out, and drawing a chart and table per question, is most of the results
page's time, and the figures change only when the services change them. Both are kept under the
survey's own generation, which the services move on whenever an answer is stored or released
(`results_changed`), people are invited, or the survey or its questions change; under the
organisations' generation (a breakdown names organisations, and merging two moves answers); and
under the survey's closing time, its final release, the threshold k and what kind of viewer is
looking. What is kept is exactly what is shown, worked out with the same thresholds: protected
figures and unsuppressed ones never pass between viewers, and no kept figure outlives a change
to what it counts.

A large survey's protected figures take minutes to work out (the audit in cop_portal.web.
disclosure grows with the number of groups), longer than a request may take, so they are
prepared in the background (`surveys.tasks.results_prepare`) and the page shows the latest
prepared results meanwhile, saying they are not the newest, or that they are being prepared.
The latest prepared results are kept per survey, kind of viewer and threshold: what they show
was audited as a whole when it was worked out, as if someone had opened the page then."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cop_portal.web.generations import generation_bump_at_commit, generations
from members.selectors import ORGANISATIONS_GENERATION_KEY

RESULTS_TIMEOUT = 60 * 60 * 24
# The latest prepared results stay as long as a survey's results are looked at, near enough.
LATEST_TIMEOUT = 60 * 60 * 24 * 30
# How long a preparation may be in hand before another may be queued (a worker that stopped
# mid-way frees nothing): longer than the audit's budget takes on a slow machine.
PREPARING_TIMEOUT = 60 * 30


def _generation_key(survey_id: int) -> str:
    return f"surveys:results-generation:{survey_id}"


def results_changed(*survey_ids: int) -> None:
    """An answer was stored or released, people were invited, or the survey or its questions
    changed: these surveys' kept results are worked out afresh."""
    for survey_id in survey_ids:
        generation_bump_at_commit(_generation_key(survey_id))


def _results_key(survey, see_everything: bool) -> str:
    # The closing time is in the key, so reopening a survey (or giving it longer) reads afresh.
    # So is the sealing time: results cached before the final release of anonymous answers can
    # never be served after it. So is who is looking: protected figures and unsuppressed ones
    # never pass between viewers.
    own, organisations = generations(_generation_key(survey.pk), ORGANISATIONS_GENERATION_KEY)
    sealed = survey.answers_sealed_at.timestamp() if survey.answers_sealed_at else "unsealed"
    whose = _whose(see_everything)
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    return (
        f"surveys:results:{survey.pk}:{own}:{organisations}:{survey.closes_at.timestamp()}:"
        f"{sealed}:{threshold}:{whose}"
    )


@dataclass(frozen=True)
class KeptResults:
    """Results as kept: `value` is what the selector worked out, `key` names that working
    (the charts drawn from it are kept under it too), `prepared_at` when it was worked out,
    and `current` whether it counts everything stored so far (False: a newer working is being
    prepared)."""

    value: object
    key: str
    prepared_at: datetime
    current: bool = True


def _whose(see_everything: bool) -> str:
    return "all" if see_everything else "protected"


def _latest_key(survey, see_everything: bool) -> str:
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    return f"surveys:results-latest:{survey.pk}:{threshold}:{_whose(see_everything)}"


def _preparing_key(survey, see_everything: bool) -> str:
    return f"surveys:results-preparing:{survey.pk}:{_whose(see_everything)}"


def results_store(survey, *, see_everything: bool, key: str, value) -> KeptResults:
    """Keep results worked out for `key` (read before working them out, so that a change made
    meanwhile leaves them behind), as this kind of viewer's latest too."""
    kept = KeptResults(value, key, timezone.now())
    cache.set(key, kept, RESULTS_TIMEOUT)
    cache.set(_latest_key(survey, see_everything), kept, LATEST_TIMEOUT)
    return kept


def results_kept(survey, *, see_everything: bool, compute=None) -> KeptResults | None:
    """A survey's results for this kind of viewer, counting everything stored so far: from the
    cache, or worked out now by `compute()` and kept. Without `compute` (too long to work out
    in a request), the latest prepared results marked not current, or None if there are none."""
    key = results_key(survey, see_everything)
    found = cache.get(key)
    if isinstance(found, KeptResults):
        return found
    if compute is not None:
        return results_store(survey, see_everything=see_everything, key=key, value=compute())
    latest = cache.get(_latest_key(survey, see_everything))
    if isinstance(latest, KeptResults):
        return KeptResults(latest.value, latest.key, latest.prepared_at, current=False)
    return None


def results_key(survey, see_everything: bool) -> str:
    """The key results counting everything stored so far are kept under, for this viewer."""
    return _results_key(survey, see_everything)


def preparing_claim(survey, *, see_everything: bool) -> bool:
    """Whether the caller may queue a preparation of these results: False while one is in
    hand, so that people reloading the page queue one between them."""
    return cache.add(_preparing_key(survey, see_everything), 1, PREPARING_TIMEOUT)


def preparing_release(survey, *, see_everything: bool) -> None:
    """A preparation is over (done or failed): the next look may queue another."""
    cache.delete(_preparing_key(survey, see_everything))


def charts_kept(kept: KeptResults, *, render) -> str:
    """The results page's charts (and their tables) drawn by `render()` from these kept
    results, kept as long as they are."""
    key = kept.key + ":charts"
    found = cache.get(key)
    if found is None:
        found = render()
        cache.set(key, found, RESULTS_TIMEOUT)
    return found
