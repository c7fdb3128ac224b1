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
to what it counts."""

from django.conf import settings
from django.core.cache import cache

from cop_portal.web.generations import generation_bump_at_commit, generations
from members.selectors import ORGANISATIONS_GENERATION_KEY

RESULTS_TIMEOUT = 60 * 60 * 24


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
    whose = "all" if see_everything else "protected"
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    return (
        f"surveys:results:{survey.pk}:{own}:{organisations}:{survey.closes_at.timestamp()}:"
        f"{sealed}:{threshold}:{whose}"
    )


def _kept(key: str, work):
    found = cache.get(key)
    if found is None:
        found = work()
        cache.set(key, found, RESULTS_TIMEOUT)
    return found


def results_kept(survey, *, see_everything: bool, compute):
    """A survey's results for this kind of viewer: from the cache, or `compute()` once and
    kept."""
    return _kept(_results_key(survey, see_everything), compute)


def charts_kept(survey, *, see_everything: bool, render) -> str:
    """The results page's charts (and their tables) for this kind of viewer, drawn by
    `render()` from the same results, kept as long as they are."""
    return _kept(_results_key(survey, see_everything) + ":charts", render)
