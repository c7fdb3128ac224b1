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
from django.utils.safestring import SafeString

from cop_portal.web.forms import kept_forms_with_token
from cop_portal.web.generations import (
    generation_bump,
    generation_bump_at_commit,
    generations,
    kept_read,
    kept_write,
)
from events.selectors import SESSIONS_GENERATION_KEY
from members.selectors import ORGANISATIONS_GENERATION_KEY

RESULTS_TIMEOUT = 60 * 60 * 24
# The latest prepared results stay as long as a survey's results are looked at, near enough.
LATEST_TIMEOUT = 60 * 60 * 24 * 30
# How long a preparation may be in hand before another may be queued (a worker that stopped
# mid-way frees nothing): longer than the audit's budget takes on a slow machine.
PREPARING_TIMEOUT = 60 * 30
# Every survey's changes move this one on too (`results_changed`): what members are shown of
# surveys to answer (which wait for them, a survey's questions, whether they may still answer
# it) is kept under it. A page on the survey's own generation would need the survey first.
SURVEYS_GENERATION_KEY = "surveys:generation"


def _generation_key(survey_id: int) -> str:
    return f"surveys:results-generation:{survey_id}"


def results_changed(*survey_ids: int) -> None:
    """An answer was stored or released, people were invited, or the survey or its questions
    changed: these surveys' kept results are worked out afresh, and so is what members are
    shown of surveys to answer."""
    for survey_id in survey_ids:
        generation_bump_at_commit(_generation_key(survey_id))
    if survey_ids:
        generation_bump_at_commit(SURVEYS_GENERATION_KEY)


def _results_key(survey, see_everything: bool) -> str:
    own, organisations = generations(_generation_key(survey.pk), ORGANISATIONS_GENERATION_KEY)
    return _results_key_at(survey, see_everything, own, organisations)


def _results_key_at(survey, see_everything: bool, own: int, organisations: int) -> str:
    # The closing time is in the key, so reopening a survey (or giving it longer) reads afresh.
    # So is the sealing time: results cached before the final release of anonymous answers can
    # never be served after it. So is who is looking: protected figures and unsuppressed ones
    # never pass between viewers.
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


def _stored_generation_key(survey_id: int, see_everything: bool) -> str:
    # Moved on whenever results are kept for this kind of viewer (`results_store`), which
    # moves no other generation: a results page drawn from the latest prepared results, not
    # current, is left behind once newer ones are kept.
    return f"surveys:results-stored:{survey_id}:{_whose(see_everything)}"


def _preparing_key(survey, see_everything: bool) -> str:
    return f"surveys:results-preparing:{survey.pk}:{_whose(see_everything)}"


def results_store(survey, *, see_everything: bool, key: str, value) -> KeptResults:
    """Keep results worked out for `key` (read before working them out, so that a change made
    meanwhile leaves them behind), as this kind of viewer's latest too."""
    kept = KeptResults(value, key, timezone.now())
    cache.set(key, kept, RESULTS_TIMEOUT)
    cache.set(_latest_key(survey, see_everything), kept, LATEST_TIMEOUT)
    # After both are kept: a page drawn from the results kept before is not served again, and
    # one drawn from these is kept under the generation moved on here.
    generation_bump(_stored_generation_key(survey.pk, see_everything))
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


# The results page as drawn ------------------------------------------------------------------
#
# Laying out and drawing the results (the counts, the charts and tables, the breakdown form) is
# most of what is left of the page's time once the results are kept, so the page's body is kept
# too, with what the page needs of the survey itself (surveys.selectors.results.ResultsSurvey),
# so that a look at results already drawn reads no row. Both are kept under the generations the
# results are (the survey's own and the organisations'), the sessions' (the page names the
# session or caucus a survey is about) and one moved on whenever results are kept for that kind
# of viewer (`results_store`); the body also per threshold, kind of viewer and whether the viewer
# may see caucus choices (counts about a caucus's people). A body is served only while the
# results it was drawn from are the ones `results_kept` would give now: under the key the
# current generations name, or the latest prepared, still kept and marked not current, with
# the note that says so. Whether the viewer may see results at all, and whether their look goes
# in the audit trail, is decided for every request by the callers, never kept.


@dataclass(frozen=True)
class ResultsPage:
    """The body of a survey's results page as drawn for one kind of viewer from one
    KeptResults (kept under `source_key`, and current or not)."""

    html: str
    results_key: str  # the key current results are kept under, when it was drawn
    source_key: str  # where the results it was drawn from are kept
    current: bool


def _page_keys(survey_id: int, see_everything: bool, audience: str) -> tuple[str, str]:
    whose = _whose(see_everything)
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    return (
        f"surveys:results-survey:{survey_id}:{whose}",
        f"surveys:results-page:{survey_id}:{threshold}:{whose}:{audience}",
    )


def _page_generation_keys(survey_id: int, see_everything: bool) -> tuple[str, ...]:
    # The first two are those the results' own key is made from (`_results_key`).
    return (
        _generation_key(survey_id),
        ORGANISATIONS_GENERATION_KEY,
        SESSIONS_GENERATION_KEY,
        _stored_generation_key(survey_id, see_everything),
    )


@dataclass(frozen=True)
class KeptPage:
    """What `results_page_kept` found: the survey and the page's body (each None if not kept
    under the current generations), and those generations (`stamp`) to keep what is worked
    out now under."""

    survey: object
    page: ResultsPage | None
    stamp: tuple[int, ...]


def results_page_kept(*, survey_id: int, see_everything: bool, audience: str) -> KeptPage:
    """The survey and results page kept for this kind of viewer and `audience`, in one cache
    round trip, and a second to check that the results the page was drawn from are still kept
    (a page never outlives them)."""
    keys = _page_keys(survey_id, see_everything, audience)
    kept, stamp = kept_read(list(keys), _page_generation_keys(survey_id, see_everything))
    survey, page = kept.get(keys[0]), kept.get(keys[1])
    if page is not None and (
        survey is None
        or page.results_key != _results_key_at(survey, see_everything, *stamp[:2])
        or not cache.has_key(page.source_key)
    ):
        page = None
    return KeptPage(survey, page, stamp)


def results_survey_keep(survey, *, see_everything: bool, stamp: tuple[int, ...]) -> None:
    """Keep the survey as the results page needs it (read after `results_page_kept` gave
    `stamp`)."""
    key = _page_keys(survey.pk, see_everything, "")[0]
    kept_write(key, stamp, survey, RESULTS_TIMEOUT)


def results_page_keep(
    survey,
    *,
    see_everything: bool,
    audience: str,
    stamp: tuple[int, ...],
    kept: KeptResults,
    html: str,
) -> ResultsPage:
    """The page's body `html`, drawn from `kept` (as `results_kept` gave it after
    `results_page_kept` gave `stamp`), kept unless the generations moved on in between."""
    if kept.current:
        # Results kept since `stamp` was read (worked out by this very look, or by another)
        # moved the generation of results kept on (`results_store`). Current results are the
        # ones their key names, whichever working of it was kept last: the page and the survey
        # are kept under the new generation if nothing they were drawn from moved.
        now = generations(*_page_generation_keys(survey.pk, see_everything))
        if now[:3] == stamp[:3] and now != stamp:
            stamp = now
            results_survey_keep(survey, see_everything=see_everything, stamp=stamp)
        source_key, lasts = kept.key, RESULTS_TIMEOUT
    else:
        source_key, lasts = _latest_key(survey, see_everything), LATEST_TIMEOUT
    current_key = _results_key_at(survey, see_everything, *stamp[:2])
    page = ResultsPage(html, current_key, source_key, kept.current)
    # Not past the results it was drawn from (kept as they were worked out), by time either.
    left = lasts - (timezone.now() - kept.prepared_at).total_seconds()
    if (not kept.current or kept.key == current_key) and left >= 1:
        key = _page_keys(survey.pk, see_everything, audience)[1]
        kept_write(key, stamp, page, int(left))
    return page


# The page members answer a survey on ---------------------------------------------------------
#
# Building a survey's questions as a form and drawing them is most of the answering page's time,
# and every member invited sees the same questions: the page as drawn for an empty form is kept
# once per survey, with a placeholder where each request puts its own CSRF token, and served
# only to a member for whom it is kept that they may answer now. Answers typed back after a
# refusal are never in it: a sent form is drawn afresh for its sender.

ANSWERING_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class AnsweringPage:
    """A survey's answering page as drawn for an empty form, to everyone invited."""

    survey_id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    html: str  # with KEPT_TOKEN_PLACEHOLDER for the CSRF token

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    def html_with(self, token: str) -> SafeString:
        """The page with this request's CSRF token (Django's own: letters and digits)."""
        return kept_forms_with_token(self.html, token)


def _answering_keys(slug: str, member_pk: int) -> tuple[str, str]:
    return f"surveys:answering:{slug}", f"surveys:answering:{slug}:may-answer:{member_pk}"


def answering_page_kept(*, slug: str, member_pk: int, now, survey_get, page_build):
    """The answering page of survey `slug` when the member `member_pk` may answer it now
    (invited, not answered yet, open), else None (the page then works out why not, and says
    so, from the database).

    Whether they may is kept for that member alone; the page for everyone it is kept for.
    `survey_get()` reads the survey as this member sees it (None if there is none, with
    `invited` and `answered`), and `page_build(survey)` draws the page: each called only for
    what is not kept under the generations read here, first."""
    page_key, member_key = _answering_keys(slug, member_pk)
    names = (SURVEYS_GENERATION_KEY, SESSIONS_GENERATION_KEY)
    found = cache.get_many([page_key, member_key, *names])
    stamp = tuple(found.get(name) for name in names)
    if None in stamp:
        stamp = generations(*names)
    may_answer, page = found.get(member_key), found.get(page_key)
    survey = None
    if may_answer is None or may_answer[0] != stamp[0]:
        survey = survey_get()
        may = survey is not None and survey.invited and not survey.answered
        may_answer = (stamp[0], survey.pk if may else None)
        cache.set(member_key, may_answer, ANSWERING_TIMEOUT)
    if may_answer[1] is None:
        return None
    if page is None or page[0] != stamp or page[1].survey_id != may_answer[1]:
        survey = survey or survey_get()
        if survey is None or survey.pk != may_answer[1]:
            return None
        page = (stamp, page_build(survey))
        cache.set(page_key, page, ANSWERING_TIMEOUT)
    return page[1] if page[1].is_open(now) else None
