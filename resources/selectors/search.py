"""One search over everything a person may see: resources, case studies, sessions and their
summaries, glossary terms, topics and initiatives, ranked together.

On PostgreSQL each kind is matched by full-text search (web-search syntax, and the start of a
word when the query is plain words), ranked with one scale (ts_rank scaled to 0–1, plus a bonus
for a title that is exactly the query). A query that finds little is checked word by word
against the words of the titles this person may see (pg_trgm similarity), for a "did you
mean"; one that finds nothing shows the corrected search's results. Who may see what is
decided by the same rules as the pages: `resources_visible_to` for resources; a caucus
session's title and description for everyone, but what happened at it only for its caucus.

The SQLite demo database matches titles plainly, and says what it cannot do."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, FloatField, Q, TextField, Value, When
from django.db.models.functions import Concat, Left, Lower, Right
from django.urls import reverse

from events.models import Event
from events.selectors import member_caucus_id
from members.models import GlossaryTerm

from ..caching import search_found_cached
from ..models import CaseStudy, Initiative, Resource, Topic
from .hub import (
    MARK_END,
    MARK_START,
    QUERY_MAX_LENGTH,
    SEARCH_CONFIG,
    _highlight,
    audience_of,
    resources_visible_to,
)

PAGE_SIZE = 20
# Kinds other than resources are small; a query matching more of one than this shows the best.
KIND_LIMIT = 200
# Below this many results, the query's words are checked for a likely misspelling.
FEW_RESULTS = 3
# pg_trgm similarity a known word needs to be offered in place of a typed one.
SUGGEST_SIMILARITY = 0.2
SUGGEST_CANDIDATES = 10
SNIPPET_EDGE = 300
# Every searchable word of a session, and those anyone may read (its title and description):
# both indexed (events migration 0008), to narrow the sessions to those whose readable text
# mentions the query before each person's own vector is worked out. Narrowing on every word
# alone would let text a person may not read (a caucus session's summary) push sessions they
# may read out of the newest KIND_LIMIT.
EVENT_DOCUMENT = SearchVector(
    "title", "summary", "outcome_summary", "key_takeaways", config=SEARCH_CONFIG
)
EVENT_OPEN_DOCUMENT = SearchVector("title", "summary", config=SEARCH_CONFIG)
WORD = re.compile(r"[^\W\d_]+")
TAG = re.compile(r"<[^>]*>")
# Web-search syntax: with any of it, the query is read as written, with no word-start matching.
SYNTAX = re.compile(r'"|(^|\s)-|\bOR\b')


@dataclass
class Hit:
    kind: str  # the label shown, e.g. "Resource", "Session summary"
    title: str
    url: str
    score: float
    snippet_html: str = ""
    detail: str = ""  # a line under the title: the resource's kind and date, a credit…
    obj: object = None


@dataclass
class SearchResults:
    query: str
    page: object  # a Paginator page of Hits
    truncated: bool
    capped: bool = False
    suggestion: str = ""  # "did you mean": a query with misspelt words corrected
    corrected: bool = False  # the results shown are the suggestion's (the query found nothing)
    any_word: bool = False  # nothing held every word: these results hold some of them
    plain: bool = False  # the SQLite fallback: titles only, letters as typed
    kinds: dict = field(default_factory=dict)  # label → how many found


def query_clean(query: str) -> tuple[str, bool]:
    """The query cut to its first QUERY_MAX_LENGTH characters at a word boundary, with runs of
    white space made one, and whether it was cut."""
    truncated = len(query) > QUERY_MAX_LENGTH
    if truncated:
        # Cut at a word boundary, so the last word is not a fragment that matches nothing.
        cut = query[: QUERY_MAX_LENGTH + 1]
        query = cut.rsplit(None, 1)[0] if len(cut.split()) > 1 else cut[:QUERY_MAX_LENGTH]
    return " ".join(query.split()), truncated


def search(*, user, query: str, page: int | str | None = 1) -> SearchResults:
    query, truncated = query_clean(query)
    if not query:
        return SearchResults("", Paginator([], PAGE_SIZE).get_page(1), truncated)
    if connection.vendor != "postgresql":
        return search_plain(user=user, query=query, page=page, truncated=truncated)
    found = search_found_cached(
        audience=audience_of(user), query=query, work=lambda: _found(user, query)
    )
    results = SearchResults(
        query,
        Paginator(found.ranked, PAGE_SIZE).get_page(page),
        truncated,
        capped=found.capped,
        suggestion=found.suggestion,
        corrected=found.corrected,
        any_word=found.any_word,
        kinds=_counts(found.ranked),
    )
    # Each page's hits are read afresh, through the same rules of who may see what.
    results.page.object_list = _hits(user, results.page.object_list, found.shown)
    return results


@dataclass(frozen=True)
class Found:
    """What a search found, before any page of it is shown: kept (resources.caching) for
    everyone of the same audience who asks the same."""

    ranked: list  # [(kind, pk, score)], best first
    capped: bool
    suggestion: str
    corrected: bool
    any_word: bool
    shown: str  # the query whose words the snippets highlight


def _found(user, query: str) -> Found:
    ranked, capped = _ranked(user, query)
    suggestion, corrected = "", False
    any_word = False
    if len(ranked) < FEW_RESULTS:
        suggestion = did_you_mean(user=user, query=query)
        if suggestion and not ranked:
            ranked, capped = _ranked(user, suggestion)
            corrected = bool(ranked)
    words = WORD.findall(suggestion or query)
    if not ranked and len(words) > 1 and not SYNTAX.search(query):
        # Nothing holds every word: show what holds some of them, best first.
        ranked, capped = _ranked(user, " OR ".join(words))
        any_word = bool(ranked)
    ranked.sort(key=lambda row: (-row[2], row[0], -row[1]))
    shown = " OR ".join(words) if any_word else suggestion if corrected else query
    return Found(ranked, capped, suggestion, corrected, any_word, shown)


# PostgreSQL --------------------------------------------------------------------------------


def _match(query: str):
    """The tsquery: web-search syntax, or for plain words also each word's start ("wind"
    finds "Windrush")."""
    websearch = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    words = [word.lower() for word in WORD.findall(query)]
    if SYNTAX.search(query) or not words:
        return websearch
    # Only letters reach the raw tsquery, so nothing typed can change its syntax.
    prefix = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG
    )
    return websearch | prefix


def _vector(*weighted):
    vector = None
    for expression, weight in weighted:
        part = SearchVector(expression, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def _after_session_visible(user) -> Q:
    """Sessions whose summary and takeaways this person may read: published summaries of open
    sessions, and of their own caucus's sessions."""
    caucus_id = member_caucus_id(user)
    inside = Q(caucus__isnull=True)
    if caucus_id is not None:
        inside |= Q(caucus_id=caucus_id)
    return inside & Q(summary_published_at__isnull=False)


def _session_after_text(user):
    return Case(
        When(
            _after_session_visible(user),
            then=Concat("outcome_summary", Value("\n"), "key_takeaways", output_field=TextField()),
        ),
        default=Value(""),
        output_field=TextField(),
    )


@dataclass
class Kind:
    """How one kind of thing is searched: its rows for this person, its vector (a stored field
    name or an expression), its title and the text its snippet comes from."""

    name: str
    rows: object  # callable(user) → queryset
    vector: object  # callable(user) → expression
    title: str
    body: object  # callable(user) → text expression for the snippet


def _resource_body(user):
    return Concat(
        "key_takeaways",
        Value(" "),
        "description",
        Value(" "),
        "transcript",
        output_field=TextField(),
    )


def _case_study_body(user):
    return Concat(
        "what_changed", Value(" "), "what_we_did", Value(" "), "context", output_field=TextField()
    )


KINDS = {
    "resource": Kind(
        "resource",
        resources_visible_to,
        lambda user: F("search_vector"),
        "title",
        _resource_body,
    ),
    "case_study": Kind(
        "case_study",
        lambda user: (
            CaseStudy.objects.filter(status=CaseStudy.Status.PUBLISHED)
            if user.is_authenticated
            else CaseStudy.objects.none()
        ),
        lambda user: F("search_vector"),
        "title",
        _case_study_body,
    ),
    "session": Kind(
        "session",
        lambda user: Event.objects.filter(status=Event.Status.PUBLISHED),
        lambda user: _vector(("title", "A"), ("summary", "B"), (_session_after_text(user), "C")),
        "title",
        lambda user: Concat(
            _session_after_text(user), Value("\n"), "summary", output_field=TextField()
        ),
    ),
    "glossary": Kind(
        "glossary",
        lambda user: GlossaryTerm.objects.all(),
        lambda user: _vector(("term", "A"), ("definition", "B")),
        "term",
        lambda user: F("definition"),
    ),
    "topic": Kind(
        "topic",
        lambda user: Topic.objects.all(),
        lambda user: _vector(("name", "A")),
        "name",
        lambda user: F("name"),
    ),
    "initiative": Kind(
        "initiative",
        lambda user: (
            Initiative.objects.all() if user.is_authenticated else Initiative.objects.none()
        ),
        lambda user: _vector(("name", "A"), ("summary", "B"), ("audience", "C")),
        "name",
        lambda user: F("summary"),
    ),
}


def _score(kind: Kind, user, tsquery, query: str):
    # Normalisation 32 scales every kind's rank to 0–1, so they can be compared; a title that
    # is exactly what was typed (a glossary term, a topic) comes first.
    return SearchRank(kind.vector(user), tsquery, normalization=32) + Case(
        When(**{f"{kind.title}__iexact": query}, then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _ranked(user, query: str) -> tuple[list, bool]:
    """[(kind, pk, score)] of everything matching, one query per kind, and whether resources
    hit the ranking cap."""
    tsquery = _match(query)
    ranked, capped = [], False
    for name, kind in KINDS.items():
        rows = kind.rows(user)
        if name == "resource":
            # Ranking reads each match's whole stored vector, transcripts included: for a word
            # found in most of the library, only the newest RESOURCE_SEARCH_RANKED are ranked.
            limit = settings.RESOURCE_SEARCH_RANKED
            candidates = (
                rows.filter(search_vector=tsquery)
                .order_by("-published_on", "-pk")
                .values("pk")[:limit]
            )
            rows = Resource.objects.filter(pk__in=candidates)
        else:
            limit = KIND_LIMIT
            if name == "session":
                # As for resources, a word in most sessions has only the newest ranked: the
                # person's own vector is worked out for those alone.
                newest = (
                    rows.annotate(everything=EVENT_DOCUMENT, open_text=EVENT_OPEN_DOCUMENT)
                    .filter(
                        Q(open_text=tsquery)
                        | (Q(everything=tsquery) & _after_session_visible(user))
                    )
                    .order_by("-starts_at", "-pk")
                    .values("pk")[:limit]
                )
                rows = Event.objects.filter(pk__in=newest)
            rows = rows.annotate(document=kind.vector(user)).filter(document=tsquery)
        found = list(
            rows.annotate(score=_score(kind, user, tsquery, query))
            .order_by("-score", "-pk")
            .values_list("pk", "score")[:limit]
        )
        capped = capped or (name == "resource" and len(found) >= limit)
        ranked += [(name, pk, score) for pk, score in found]
    return ranked, capped


def _counts(ranked) -> dict:
    counts = {}
    for name, _pk, _score in ranked:
        counts[name] = counts.get(name, 0) + 1
    return counts


def _headline(kind: Kind, user, tsquery):
    return SearchHeadline(
        kind.body(user),
        tsquery,
        config=SEARCH_CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _hits(user, rows, query: str) -> list:
    """The page's (kind, pk, score) rows as Hits, with snippets: one query per kind shown."""
    tsquery = _match(query)
    wanted = {}
    for name, pk, _score in rows:
        wanted.setdefault(name, []).append(pk)
    objects = {}
    for name, pks in wanted.items():
        kind = KINDS[name]
        found = kind.rows(user).filter(pk__in=pks)
        if name == "resource":
            found = found.select_related("event").defer("transcript", "search_vector")
        elif name == "case_study":
            found = found.select_related("author").defer("search_vector")
        body = kind.body(user)
        found = found.annotate(
            snippet=_headline(kind, user, tsquery),
            body_start=Left(body, SNIPPET_EDGE),
            body_end=Right(body, SNIPPET_EDGE),
        )
        objects.update({(name, obj.pk): obj for obj in found})
    hits = []
    for name, pk, score in rows:
        obj = objects.get((name, pk))
        if obj is not None:
            hits.append(_hit(name, obj, score, user))
    return hits


def _hit(name: str, obj, score: float, user) -> Hit:
    snippet = _highlight(_with_ellipses(obj.snippet or "", obj.body_start, obj.body_end))
    if name == "resource":
        detail = f"{obj.get_kind_display()} · {obj.published_on:%-d %B %Y}"
        return Hit("Resource", obj.title, obj.get_absolute_url(), score, snippet, detail, obj)
    if name == "case_study":
        return Hit("Case study", obj.title, obj.get_absolute_url(), score, snippet, obj.credit, obj)
    if name == "session":
        after = obj.summary_published_at is not None and (
            obj.caucus_id is None or obj.caucus_id == member_caucus_id(user)
        )
        label = "Session summary" if after else "Session"
        detail = f"{obj.starts_at:%-d %B %Y}"
        return Hit(label, obj.title, obj.get_absolute_url(), score, snippet, detail, obj)
    if name == "glossary":
        url = f"{reverse('members:glossary')}#{obj.slug}"
        return Hit("Glossary term", obj.term, url, score, snippet, "", obj)
    if name == "topic":
        url = f"{reverse('resources:browse')}?topic={obj.pk}"
        return Hit("Topic", obj.name, url, score, "", "Resources on this topic", obj)
    return Hit("Initiative", obj.name, obj.get_absolute_url(), score, snippet, "", obj)


def _words(text: str) -> list[str]:
    # ts_headline drops markup and punctuation: compare words only.
    return re.findall(r"\w+", TAG.sub(" ", text or "").lower())


def _with_ellipses(snippet: str, start: str, end: str) -> str:
    """The snippet with "…" where it begins after the text's start or ends before its end."""
    plain = snippet.replace(MARK_START, "").replace(MARK_END, "")
    fragments = plain.split(" … ")
    first, last = _words(fragments[0])[:5], _words(fragments[-1])[-5:]
    if not first:
        return ""
    if _words(start)[: len(first)] != first:
        snippet = "… " + snippet.lstrip()
    if _words(end)[-len(last) :] != last:
        snippet = snippet.rstrip() + " …"
    return snippet


def did_you_mean(*, user, query: str) -> str:
    """The query with each word that is in no title this person may see replaced by the most
    similar word that is (pg_trgm similarity), or "" if nothing would change."""
    typed = sorted({word.lower() for word in WORD.findall(query) if word != "OR"})
    if not typed:
        return ""
    sources = [
        resources_visible_to(user).values("title"),
        Event.objects.filter(status=Event.Status.PUBLISHED).values("title"),
        GlossaryTerm.objects.values("term"),
        Topic.objects.values("name"),
    ]
    if user.is_authenticated:
        sources += [
            CaseStudy.objects.filter(status=CaseStudy.Status.PUBLISHED).values("title"),
            Initiative.objects.values("name"),
        ]
    parts, params = [], []
    with connection.cursor() as cursor:
        for source in sources:
            sql, source_params = source.order_by().query.sql_with_params()
            parts.append(f"({sql})")
            params += source_params
        cursor.execute(
            f"""
            WITH source(text) AS ({" UNION ALL ".join(parts)}),
            known AS (
                SELECT DISTINCT word
                FROM source, regexp_split_to_table(lower(source.text), '[^[:alpha:]]+') AS word
                WHERE length(word) >= 3
            )
            SELECT typed, word FROM (
                SELECT typed, word, row_number() OVER (
                    PARTITION BY typed ORDER BY similarity(word, typed) DESC, word
                ) AS place
                FROM unnest(%s::text[]) AS typed JOIN known ON similarity(word, typed) >= %s
            ) AS alike
            WHERE place <= %s
            ORDER BY typed, place
            """,  # noqa: S608 - the sources are our own querysets, compiled with their params
            [*params, typed, SUGGEST_SIMILARITY, SUGGEST_CANDIDATES],
        )
        candidates = {}
        for word_typed, word in cursor.fetchall():
            candidates.setdefault(word_typed, []).append(word)
    # Trigrams miss a swapped pair of letters ("racsim"), so the most similar few are put in
    # order of edits needed, most similar first among equals.
    best = {}
    for word_typed, words in candidates.items():
        edits, word = min(
            (_edits(word_typed, word), place, word) for place, word in enumerate(words)
        )[::2]
        if word == word_typed or edits <= max(1, len(word_typed) // 3):
            best[word_typed] = word
    replace = {word: best[word] for word in typed if word in best and best[word] != word}
    if not replace:
        return ""
    return WORD.sub(lambda m: replace.get(m.group(0).lower(), m.group(0)), query)


def _edits(a: str, b: str) -> int:
    """Edits (insert, delete, change, swap two neighbours) from a to b: optimal string
    alignment distance."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


# SQLite ------------------------------------------------------------------------------------

PLAIN_FIELDS = {
    "resource": ("title",),
    "case_study": ("title",),
    "session": ("title",),
    "glossary": ("term",),
    "topic": ("name",),
    "initiative": ("name",),
}


def search_plain(*, user, query: str, page=1, truncated=False) -> SearchResults:
    """Titles holding every word typed and no -word, letters as typed: no ranking, phrases,
    OR, stemming or spelling correction. For the SQLite demo."""
    words = [word for word in re.findall(r'[^\s"]+', query) if word != "OR"]
    wanted = [word for word in words if not word.startswith("-")]
    unwanted = [word[1:] for word in words if word.startswith("-") and word[1:]]
    found = []
    for name, kind in KINDS.items():
        if not wanted:
            break
        title = PLAIN_FIELDS[name][0]
        rows = kind.rows(user)
        for word in wanted:
            rows = rows.filter(**{f"{title}__icontains": word})
        for word in unwanted:
            rows = rows.exclude(**{f"{title}__icontains": word})
        rows = rows.order_by(Lower(title))[:KIND_LIMIT]
        found += [(name, obj) for obj in rows]
    hits = [_plain_hit(name, obj, user) for name, obj in found]
    results = SearchResults(
        query,
        Paginator(hits, PAGE_SIZE).get_page(page),
        truncated,
        plain=True,
        kinds=_counts([(name, 0, 0) for name, _obj in found]),
    )
    return results


def _plain_hit(name, obj, user) -> Hit:
    obj.snippet, obj.body_start, obj.body_end = "", "", ""
    return _hit(name, obj, 0.0, user)
