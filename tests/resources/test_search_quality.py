"""Search quality: a fixed corpus of every kind the search covers, and queries a member might
type (typos, word starts, phrases, OR, -word, words only in a transcript or a summary,
glossary terms), each with the result expected in the first five. Prints recall@5 and holds it
to the figure reached; exact tests of single behaviours follow."""

import pytest
from django.urls import reverse
from django.utils import timezone

from resources import services
from resources.caching import resources_changed
from resources.models import CaseStudy, Resource
from resources.selectors.search import search, search_plain
from tests.factories import (
    CaseStudyFactory,
    CaucusFactory,
    EventFactory,
    GlossaryTermFactory,
    InitiativeFactory,
    TopicFactory,
    UserFactory,
    caucus_member,
)

pytestmark = pytest.mark.django_db

# One known miss: a misspelt word found only in a transcript ("sponsorhip"), as spellings are
# corrected from the words of titles, glossary terms, topics and initiatives only.
RECALL_AT_5_AT_LEAST = 0.97


def _resource(title, description, **fields):
    fields.setdefault("kind", Resource.Kind.READING)
    fields.setdefault("audience", "members")
    fields.setdefault("external_url", "https://example.org/r")
    return services.resource_save(resource=Resource(), title=title, description=description,
                                  **fields)  # fmt: skip


def _past_session(title, summary, outcome="", takeaways="", **fields):
    return EventFactory(
        past=True,
        title=title,
        summary=summary,
        outcome_summary=outcome,
        key_takeaways=takeaways,
        summary_published_at=timezone.now() if outcome else None,
        **fields,
    )


@pytest.fixture
def corpus():
    racism = TopicFactory(name="Structural racism", slug="structural-racism")
    TopicFactory(name="Maternity", slug="maternity")
    TopicFactory(name="Workforce race equality", slug="workforce-race-equality")
    _resource(
        "Understanding structural racism in the NHS",
        "How policies and systems produce unequal outcomes for patients and staff.",
        key_takeaways="Racism is systemic, not only personal.",
        topics=[racism],
    )
    _resource(
        "Trauma-informed care for refugees",
        "Working with people who have survived persecution and displacement.",
    )
    _resource(
        "The Windrush scandal and its legacy for health",
        "What the Home Office scandal means for the older Caribbean patients we see.",
    )
    _resource(
        "Interpreters in primary care",
        "Language access at the GP surgery and in community pharmacy.",
    )
    _resource(
        "Recording: a conversation about belonging at work",
        "A recorded panel with three nurses.",
        kind=Resource.Kind.RECORDING,
        transcript="We talked about sponsorship, about the reciprocal mentoring scheme we ran, "
        "and about what allyship looks like on a night shift on the ward.",
    )
    _resource(
        "Maternal outcomes for Black women",
        "MBRRACE findings on maternal deaths and what maternity services can change.",
    )
    _resource(
        "Housing and health inequalities",
        "Overcrowding, damp and the health of families in temporary accommodation.",
    )
    _resource(
        "Workforce Race Equality Standard explained",
        "The WRES indicators and how trusts report on them.",
    )
    _resource(
        "Microaggressions in clinical teams",
        "Everyday slights, how they add up, and how to respond as a bystander.",
    )
    _resource(
        "Cultural humility in mental health assessment",
        "Moving from cultural competence to humility when assessing distress.",
    )
    studies = [
        CaseStudyFactory(
            title="Fairer recruitment panels in a community trust",
            context="Shortlisting favoured candidates from the same few universities.",
            what_we_did="We anonymised applications and trained diverse panels.",
            what_changed="More Black and Asian staff were appointed to band 7 posts.",
            status=CaseStudy.Status.PUBLISHED,
        ),
        CaseStudyFactory(
            title="A health check clinic in a gurdwara",
            context="Punjabi-speaking elders rarely came to the surgery.",
            what_we_did="We ran blood pressure checks after the langar on Sundays.",
            what_changed="Forty people were referred for hypertension care.",
            status=CaseStudy.Status.PUBLISHED,
        ),
    ]
    services.search_vectors_update(CaseStudy, [study.pk for study in studies])
    _past_session(
        "Learning from the Windrush generation",
        "Elders share their stories of coming to Britain and working in the NHS.",
        outcome="We heard about Empire Windrush arrivals who built the early health service.",
        takeaways="Record oral histories before they are lost.",
    )
    _past_session(
        "Anti-racist supervision",
        "How supervisors can talk about race with the people they supervise.",
        outcome="Participants practised opening conversations with a reflective framework "
        "called the social graces.",
    )
    EventFactory(
        title="Listening circle on intergenerational trauma",
        summary="A gentle space to talk about trauma passed between generations.",
    )
    GlossaryTermFactory(
        term="Microaggression",
        slug="microaggression",
        definition="A brief, everyday slight that communicates hostility to a marginalised group.",
    )
    GlossaryTermFactory(
        term="Intersectionality",
        slug="intersectionality",
        definition="How race, gender, class and other identities combine and overlap.",
    )
    GlossaryTermFactory(
        term="Allyship",
        slug="allyship",
        definition="Using one's position to support people who face discrimination.",
    )
    GlossaryTermFactory(
        term="Ethnicity pay gap",
        slug="ethnicity-pay-gap",
        definition="The difference in average pay between staff of different ethnic groups.",
    )
    InitiativeFactory(
        name="Reverse mentoring programme",
        summary="Junior staff from ethnic minority backgrounds mentor senior leaders.",
    )
    InitiativeFactory(
        name="Black maternity champions",
        summary="Peer supporters who accompany Black mothers to antenatal appointments.",
    )


# (query, the title expected in the first five results, what the query tests)
QUERIES = [
    ("structural racism", "Understanding structural racism in the NHS", "words"),
    ("racsim", "Understanding structural racism in the NHS", "typo"),
    ("trama", "Trauma-informed care for refugees", "typo"),
    ("windrsh", "The Windrush scandal and its legacy for health", "typo"),
    ("wind", "The Windrush scandal and its legacy for health", "word start"),
    ("interp", "Interpreters in primary care", "word start"),
    ("micro", "Microaggression", "word start, glossary"),
    ("intersectionalty", "Intersectionality", "typo, glossary"),
    ("microaggression", "Microaggression", "glossary term"),
    ("ethnicity pay gap", "Ethnicity pay gap", "glossary phrase"),
    ("allyship", "Allyship", "glossary term"),
    ('"language access"', "Interpreters in primary care", "phrase"),
    ('"cultural humility"', "Cultural humility in mental health assessment", "phrase"),
    ("maternity OR housing", "Housing and health inequalities", "OR"),
    ("maternity OR housing", "Maternal outcomes for Black women", "OR"),
    ("trauma -refugees", "Listening circle on intergenerational trauma", "-word"),
    ("sponsorship", "Recording: a conversation about belonging at work", "transcript only"),
    ("night shift", "Recording: a conversation about belonging at work", "transcript only"),
    ("reciprocal mentoring", "Recording: a conversation about belonging at work", "transcript"),
    ("social graces", "Anti-racist supervision", "session summary only"),
    ("oral histories", "Learning from the Windrush generation", "session takeaways only"),
    ("Empire Windrush", "Learning from the Windrush generation", "session summary"),
    ("supervision", "Anti-racist supervision", "session title"),
    ("intergenerational", "Listening circle on intergenerational trauma", "session"),
    ("gurdwara", "A health check clinic in a gurdwara", "case study"),
    ("langar", "A health check clinic in a gurdwara", "case study body"),
    ("anonymised applications", "Fairer recruitment panels in a community trust", "case study"),
    ("reverse mentoring", "Reverse mentoring programme", "initiative"),
    ("antenatal", "Black maternity champions", "initiative summary"),
    ("workforce race equality", "Workforce race equality", "topic"),
    ("WRES", "Workforce Race Equality Standard explained", "acronym"),
    ("maternal deaths", "Maternal outcomes for Black women", "description"),
    ("bystander", "Microaggressions in clinical teams", "description"),
    ("overcrowding damp", "Housing and health inequalities", "two words"),
    ("humilty", "Cultural humility in mental health assessment", "typo"),
    ("hypertension", "A health check clinic in a gurdwara", "case study outcome"),
    ("racism trama", "Understanding structural racism in the NHS", "a typo beside a word"),
    ("mentor", "Reverse mentoring programme", "word start"),
    ("sponsorhip", "Recording: a conversation about belonging at work", "typo, transcript only"),
    ("black maternity", "Black maternity champions", "initiative title"),
    ("supervisor race", "Anti-racist supervision", "stemmed words"),
]


def test_recall_at_5(corpus, capsys):
    member = UserFactory()
    missed = []
    for query, expected, _what in QUERIES:
        titles = [hit.title for hit in search(user=member, query=query).page.object_list[:5]]
        if expected not in titles:
            missed.append((query, expected, titles))
    recall = 1 - len(missed) / len(QUERIES)
    with capsys.disabled():
        print(f"\nsearch recall@5 over {len(QUERIES)} queries: {recall:.2f}")
        for query, expected, titles in missed:
            print(f"  missed {query!r}: wanted {expected!r}, got {titles}")
    assert len(QUERIES) >= 30
    assert recall >= RECALL_AT_5_AT_LEAST, missed


# Exact behaviours ---------------------------------------------------------------------------


def _page(client, query):
    response = client.get(reverse("resources:search"), {"q": query})
    assert response.status_code == 200
    return response


def _shown(response):
    return [(hit.kind, hit.title) for hit in response.context["page"].object_list]


def test_a_misspelt_word_shows_the_corrected_search(client):
    _resource("The Windrush scandal", "What it means for health.", audience="public")
    response = _page(client, "windrsh")
    assert _shown(response) == [("Resource", "The Windrush scandal")]
    assert "Nothing matched “windrsh”. 1 result for “windrush”" in response.content.decode()


def test_few_results_offer_did_you_mean(client):
    _resource("Trauma-informed care", "Working with survivors.", audience="public")
    _resource("Transcribed talk", "A talk.", audience="public", transcript="trama and healing")
    response = _page(client, "trama")
    assert _shown(response) == [("Resource", "Transcribed talk")]
    assert (
        'Did you mean <a href="/resources/search/?q=trauma">trauma</a>?'
        in response.content.decode()
    )


def test_the_start_of_a_word_finds_the_word(client):
    _resource("The Windrush scandal", "What it means for health.", audience="public")
    _resource("Window on the ward", "Something else.", audience="public")
    assert sorted(_shown(_page(client, "windr"))) == [("Resource", "The Windrush scandal")]
    assert sorted(_shown(_page(client, "wind"))) == [
        ("Resource", "The Windrush scandal"),
        ("Resource", "Window on the ward"),
    ]


def test_nothing_holding_every_word_shows_what_holds_some(client):
    _resource("Structural racism", "Policies and systems.", audience="public")
    _resource("Trauma-informed care", "Working with survivors.", audience="public")
    response = _page(client, "racism trauma")
    assert sorted(_shown(response)) == [
        ("Resource", "Structural racism"),
        ("Resource", "Trauma-informed care"),
    ]
    assert "Nothing held every word of “racism trauma”. 2 results with some of them" in (
        response.content.decode()
    )


def test_every_kind_is_searched_ranked_together_and_labelled(client, member):
    _resource("Allyship at work", "Being an ally.")
    study = CaseStudyFactory(title="Allyship on the ward", status=CaseStudy.Status.PUBLISHED)
    services.search_vectors_update(CaseStudy, [study.pk])
    _past_session("An evening on allyship", "Come and talk.")
    _past_session("Team meeting", "Planning.", outcome="We agreed an allyship pledge.")
    GlossaryTermFactory(term="Allyship", definition="Supporting people who face racism.")
    TopicFactory(name="Allyship")
    InitiativeFactory(name="Allyship champions", summary="Staff who speak up.")
    client.force_login(member)
    shown = _shown(_page(client, "allyship"))
    # Exactly the query as a title comes first; the rest follow by rank.
    assert shown[:2] == [("Glossary term", "Allyship"), ("Topic", "Allyship")]
    assert sorted(shown[2:]) == [
        ("Case study", "Allyship on the ward"),
        ("Initiative", "Allyship champions"),
        ("Resource", "Allyship at work"),
        ("Session", "An evening on allyship"),
        ("Session summary", "Team meeting"),
    ]


def test_visitors_do_not_find_members_only_kinds(client):
    _resource("Allyship toolkit", "Public.", audience="public")
    _resource("Allyship notes", "For members.")
    study = CaseStudyFactory(title="Allyship on the ward", status=CaseStudy.Status.PUBLISHED)
    services.search_vectors_update(CaseStudy, [study.pk])
    InitiativeFactory(name="Allyship champions")
    assert _shown(_page(client, "allyship")) == [("Resource", "Allyship toolkit")]


def test_a_snippet_cut_from_longer_text_shows_an_ellipsis(client):
    words = " ".join(f"filler{n}" for n in range(60))
    _resource("A long read", f"{words} interpreters matter {words}", audience="public")
    _resource("A short read", "Interpreters matter.", audience="public")
    html = _page(client, "interpreters").content.decode()
    assert '<p class="mb-1 snippet">… filler' in html
    assert "<mark>interpreters</mark> matter filler" in html
    assert '<p class="mb-1 snippet"><mark>Interpreters</mark> matter</p>' in html
    long_snippet = html.split('<p class="mb-1 snippet">… ')[1].split("</p>")[0]
    assert long_snippet.endswith(" …")


def test_a_caucus_sessions_summary_is_found_only_by_its_caucus(client, ground_rules):
    """An attack: search for words only in a caucus session's summary, its takeaways and its
    materials, as a visitor, a member of no caucus and a member of another caucus."""
    caucus, other = CaucusFactory(), CaucusFactory(name="Another caucus", slug="another")
    _past_session(
        "Caucus check-in",
        "A space for the caucus.",
        outcome="We spoke about the Qwertyvale ward.",
        takeaways="Escalate Zebulon concerns.",
        caucus=caucus,
    )
    _resource("Caucus notes", "Qwertyvale.", event=EventFactory(caucus=caucus))
    outsiders = [None, UserFactory(agreed_to=ground_rules),
                 caucus_member(other, agreed_to=ground_rules)]  # fmt: skip
    for outsider in outsiders:
        client.logout()
        if outsider:
            client.force_login(outsider)
        for query in ("qwertyvale", "zebulon", "qwerty", "qwertyvail", "caucus"):
            response = _page(client, query)
            html = response.content.decode()
            assert "Qwertyvale" not in html, (outsider, query, _shown(response))
            assert "Zebulon" not in html, (outsider, query, _shown(response))
            assert "qwertyvale" not in html.lower().replace(query, "")
        # That the session exists is no secret: its title and description are found.
        assert _shown(_page(client, "check-in")) == [("Session", "Caucus check-in")]
    insider = caucus_member(caucus, agreed_to=ground_rules)
    client.force_login(insider)
    assert sorted(_shown(_page(client, "qwertyvale"))) == [
        ("Resource", "Caucus notes"),
        ("Session summary", "Caucus check-in"),
    ]
    assert _shown(_page(client, "zebulon")) == [("Session summary", "Caucus check-in")]


def test_caucus_summaries_cannot_crowd_a_readable_session_out_of_the_ranked_few(
    client, ground_rules, monkeypatch
):
    """Only the newest few sessions mentioning a word are ranked. Were they chosen over every
    word, a caucus session's summary (unreadable to this member) could push out an older
    session they may read, and whether it was found would tell them the summary's words."""
    monkeypatch.setattr("resources.selectors.search.KIND_LIMIT", 2)
    caucus = CaucusFactory()
    # At the same time, the later made counts as newer: the two caucus sessions come first.
    _past_session("Open talk", "About the Marigold estate.")
    for n in (1, 2):
        _past_session(
            f"Caucus check-in {n}", "A space for the caucus.",
            outcome="The Marigold estate again.", caucus=caucus,
        )  # fmt: skip
    client.force_login(UserFactory(agreed_to=ground_rules))
    assert _shown(_page(client, "marigold")) == [("Session", "Open talk")]


def test_drafts_are_never_found_nor_suggested(client, member):
    _resource("Zanzibar draft", "Unpublished.", status=Resource.Status.DRAFT)
    CaseStudyFactory(title="Quixotic draft study")
    EventFactory(title="Xylophone planning", status="draft")
    client.force_login(member)
    for query in ("zanzibar", "zanzibra", "quixotic", "quixotc", "xylophone", "xylophne"):
        response = _page(client, query)
        assert _shown(response) == []
        assert response.context["results"].suggestion == ""


def test_the_sqlite_fallback_matches_titles_plainly(member):
    _resource("Housing and health", "Damp and overcrowding.")
    GlossaryTermFactory(term="Health inequality")
    found = search_plain(user=member, query='"health housing" OR -damp')
    assert found.plain
    assert [(hit.kind, hit.title) for hit in found.page.object_list] == [
        ("Resource", "Housing and health")
    ]
    assert search_plain(user=member, query="overcrowding").page.object_list == []
    assert [hit.title for hit in search_plain(user=member, query="HEALTH").page.object_list] == [
        "Housing and health",
        "Health inequality",
    ]


def test_search_queries_do_not_grow_with_results_of_every_kind(
    client, member, same_queries_at_two_sizes
):
    """One query per kind ranks, and one per kind shown reads the page, however many match
    (sizes small enough that every kind is on the first page at both)."""
    client.force_login(member)
    made = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(made)
            _resource(f"Equity {i}", "Equity.", event=EventFactory())
            _past_session(f"Equity session {i}", "Equity.", outcome="Equity.")
            GlossaryTermFactory(term=f"Equity {i}")
            InitiativeFactory(name=f"Equity {i}")
            study = CaseStudyFactory(title=f"Equity {i}", status=CaseStudy.Status.PUBLISHED)
            services.search_vectors_update(CaseStudy, [study.pk])

    same_queries_at_two_sizes(
        client,
        reverse("resources:search"),
        data={"q": "equity"},
        grow=grow,
        sizes=(1, 2),
        before_each=resources_changed,  # both renders rank afresh, not from the cache
    )
