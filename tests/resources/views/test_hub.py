import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resources import services
from resources.caching import resources_changed
from resources.models import Resource
from resources.templatetags.resource_tags import video_embed_url
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
    caucus_member,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _save(**fields):
    fields.setdefault("kind", Resource.Kind.READING)
    fields.setdefault("description", "Background reading.")
    fields.setdefault("audience", "public")
    if "upload" not in fields:
        fields.setdefault("external_url", "https://example.org/r")
    return services.resource_save(resource=Resource(), **fields)


def _titles(response):
    return [r.title for r in response.context["page"].object_list]


# Search ------------------------------------------------------------------------------------


def test_a_title_match_outranks_a_match_in_the_description_or_transcript(client):
    _save(title="Working with interpreters", description="Language access in clinics.")
    _save(title="Clinic letters", description="Why interpreters matter for consent.")
    _save(title="Session recording", description="A talk.", transcript="interpreters " * 3)
    response = client.get(reverse("resources:search"), {"q": "interpreters"})
    assert _titles(response) == ["Working with interpreters", "Clinic letters", "Session recording"]


def test_key_takeaways_outrank_the_description():
    _save(title="A", description="Housing and health in the borough.")
    _save(title="B", description="Something else.", key_takeaways="Housing shapes health.")
    from django.contrib.auth.models import AnonymousUser

    from resources.selectors.search import search

    found = search(user=AnonymousUser(), query="housing")
    assert [hit.title for hit in found.page.object_list] == ["B", "A"]


def test_snippets_highlight_matched_words_and_escape_everything_else(client):
    _save(
        title="Bias",
        description="Clinical <script>alert(1)</script> bias shows up in triage & referral.",
    )
    response = client.get(reverse("resources:search"), {"q": "triage"})
    html = response.content.decode()
    assert "bias shows up in <mark>triage</mark> &amp; referral</p>" in html
    assert "<script>alert(1)" not in html


def test_web_search_syntax_phrases_or_and_minus(client):
    _save(title="Race-based stress at work", description="Stress and trauma in teams.")
    _save(title="Housing stress", description="Rent arrears and stress.")
    _save(title="Maternity care", description="Racism in maternity services.")
    search = reverse("resources:search")
    assert _titles(client.get(search, {"q": '"maternity services"'})) == ["Maternity care"]
    assert sorted(_titles(client.get(search, {"q": "maternity OR housing"}))) == [
        "Housing stress",
        "Maternity care",
    ]
    assert _titles(client.get(search, {"q": "stress -housing"})) == ["Race-based stress at work"]


@pytest.mark.parametrize("query", ["", "   ", "!!!", "'\"\\;--", "the and of", "-", "OR OR"])
def test_empty_and_nonsense_queries_are_handled(client, query):
    _save(title="Anything at all")
    response = client.get(reverse("resources:search"), {"q": query})
    assert response.status_code == 200
    assert _titles(response) == []


def test_a_very_long_query_is_cut_with_a_message(client):
    _save(title="Allyship in practice")
    response = client.get(reverse("resources:search"), {"q": "allyship " * 600}, follow=True)
    assert response.status_code == 200
    assert "only its first 200 characters were used" in response.content.decode()
    assert _titles(response) == ["Allyship in practice"]


def test_search_shows_members_only_resources_only_to_members(client, member):
    _save(title="Public toolkit on allyship")
    _save(title="Members allyship notes", audience="members")
    search = reverse("resources:search")
    assert _titles(client.get(search, {"q": "allyship"})) == ["Public toolkit on allyship"]
    client.force_login(member)
    assert sorted(_titles(client.get(search, {"q": "allyship"}))) == [
        "Members allyship notes",
        "Public toolkit on allyship",
    ]


def test_search_queries_do_not_grow_with_results(client, member, same_queries_at_two_sizes):
    """Topics and events of each result come from a fixed number of queries."""
    client.force_login(member)
    topic = TopicFactory()
    found = itertools.count()

    def grow(n):
        for _ in range(n):
            _save(title=f"Equity {next(found)}", topics=[topic], event=EventFactory())

    pages = same_queries_at_two_sizes(
        client, reverse("resources:search"), data={"q": "equity"}, grow=grow, sizes=(3, 15),
        # As after a change: the total is counted again at both sizes.
        before_each=resources_changed,
    )  # fmt: skip
    assert pages.large.context["page"].paginator.count == 18


# Browse ------------------------------------------------------------------------------------


def test_browse_filters_by_kind_topic_event_and_date(client):
    topic, event = TopicFactory(name="Migrant health"), EventFactory()
    _save(title="Old reading", published_on=datetime.date(2025, 1, 10))
    _save(title="Slides", kind="slides", topics=[topic], event=event,
          published_on=datetime.date(2026, 5, 1))  # fmt: skip
    browse = reverse("resources:browse")
    assert _titles(client.get(browse, {"kind": "slides"})) == ["Slides"]
    assert _titles(client.get(browse, {"topic": topic.pk})) == ["Slides"]
    assert _titles(client.get(browse, {"event": event.pk})) == ["Slides"]
    assert _titles(client.get(browse, {"date_to": "2025-12-31"})) == ["Old reading"]
    assert _titles(client.get(browse, {"sort": "oldest"})) == ["Old reading", "Slides"]
    assert _titles(client.get(browse, {"sort": "title"})) == ["Old reading", "Slides"]


@pytest.mark.parametrize(
    "params",
    [{"kind": "nope"}, {"topic": "x"}, {"date_from": "31/31/2026"}, {"sort": "';drop"},
     {"page": "-1"}, {"date_from": "2026-05-01", "date_to": "2026-01-01"}],
)  # fmt: skip
def test_browse_survives_bad_filters(client, params):
    _save(title="Still here")
    response = client.get(reverse("resources:browse"), params)
    assert response.status_code == 200
    assert _titles(response) == ["Still here"]


def test_browse_queries_do_not_grow_with_resources(client, member, same_queries_at_two_sizes):
    """Each resource's topics and session come from a fixed number of queries."""
    client.force_login(member)
    topic = TopicFactory()

    def grow(n):
        for _ in range(n):
            ResourceFactory(event=EventFactory(), topics=[topic])

    pages = same_queries_at_two_sizes(
        client, reverse("resources:browse"), grow=grow, sizes=(3, 20),
        # As after a change: the total is counted again at both sizes.
        before_each=resources_changed,
    )  # fmt: skip
    assert pages.queries <= 10


# Files and who may see them ----------------------------------------------------------------


def test_members_only_file_is_refused_to_anonymous_visitors(client, member):
    resource = _save(title="Slides", kind="slides", audience="members",
                     upload=SimpleUploadedFile("slides.pdf", PDF))  # fmt: skip
    url = reverse("resources:download", args=[resource.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert client.get(resource.get_absolute_url()).status_code == 302
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="slides')
    assert b"".join(response.streaming_content) == PDF


def test_a_public_file_downloads_without_signing_in(client):
    resource = _save(title="Toolkit", upload=SimpleUploadedFile("toolkit.pdf", PDF))
    response = client.get(reverse("resources:download", args=[resource.slug]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_caucus_session_materials_are_hidden_from_everyone_else(client, member, ground_rules):
    caucus = CaucusFactory()
    session = EventFactory(caucus=caucus)
    resource = _save(title="Caucus notes", audience="members", event=session,
                     upload=SimpleUploadedFile("notes.pdf", PDF))  # fmt: skip
    client.force_login(member)
    assert client.get(resource.get_absolute_url()).status_code == 404
    assert client.get(reverse("resources:download", args=[resource.slug])).status_code == 404
    assert _titles(client.get(reverse("resources:browse"))) == []
    assert "Caucus notes" not in client.get(session.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(resource.get_absolute_url()).status_code == 404
    client.force_login(caucus_member(caucus, agreed_to=ground_rules))
    assert client.get(resource.get_absolute_url()).status_code == 200
    assert "Caucus notes" in client.get(session.get_absolute_url()).content.decode()


def test_a_draft_resource_is_not_found(client, member):
    resource = _save(title="Draft", status="draft")
    client.force_login(member)
    assert client.get(resource.get_absolute_url()).status_code == 404


def test_files_are_not_served_from_a_public_media_url(client):
    resource = _save(title="Toolkit", upload=SimpleUploadedFile("toolkit.pdf", PDF))
    assert client.get(f"/media/{resource.file.name}").status_code == 404


# Upload checks -----------------------------------------------------------------------------


def _upload(name, content):
    return _save(title="Upload", upload=SimpleUploadedFile(name, content))


def test_a_pdf_is_accepted_and_typed_by_its_content():
    resource = _upload("guide.PDF", PDF)
    assert (resource.file_type, resource.file_size) == ("application/pdf", len(PDF))


def test_office_documents_are_told_apart_by_what_is_inside(tmp_path):
    import zipfile

    path = tmp_path / "doc.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx = path.read_bytes()
    assert _upload("notes.docx", docx).file_type.endswith("wordprocessingml.document")
    with pytest.raises(ValidationError) as caught:
        _upload("notes.xlsx", docx)
    assert caught.value.messages[0].startswith("The file's content does not match its name (.xlsx)")


@pytest.mark.parametrize(
    ("name", "content", "start"),
    [
        ("report.pdf", b"just some text", "The file's content does not match its name (.pdf)"),
        ("photo.png", PDF, "The file's content does not match its name (.png)"),
        ("setup.exe", b"MZ\x90\x00" + b"\0" * 100, "Files of this type cannot be uploaded."),
        ("page.html", b"<script>alert(1)</script>", "Files of this type cannot be uploaded."),
        ("notes.txt", b"\x00\x01binary\xff", "The file's content does not match its name (.txt)"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)  # fmt: skip
def test_disallowed_or_mismatched_files_are_refused_and_nothing_is_stored(name, content, start):
    with pytest.raises(ValidationError) as caught:
        _upload(name, content)
    assert caught.value.messages[0].startswith(start)
    assert not Resource.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.RESOURCE_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        _upload("big.pdf", PDF + b"0" * 2000)
    assert caught.value.messages == [
        "The file is 2.0\xa0KB; the largest allowed is 1.0\xa0KB. For a long recording, add a "
        "video link instead."
    ]


def test_a_refused_replacement_keeps_the_file_already_stored():
    resource = _upload("guide.pdf", PDF)
    stored = resource.file.name
    with pytest.raises(ValidationError):
        services.resource_save(resource=resource, upload=SimpleUploadedFile("x.pdf", b"nope"))
    resource.refresh_from_db()
    assert resource.file.name == stored
    assert resource.file.storage.exists(stored)


def test_a_resource_needs_a_file_or_a_link():
    with pytest.raises(ValidationError) as caught:
        services.resource_save(
            resource=Resource(), title="Empty", kind="reading", description="Nothing."
        )
    assert "Add a file, a link or a video link." in caught.value.messages


# Pages that gather resources ---------------------------------------------------------------


def test_an_event_page_lists_its_resources(client, member):
    event = EventFactory()
    _save(title="Slides from the day", kind="slides", event=event, audience="members")
    client.force_login(member)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Resources from this session" in html
    assert "Slides from the day" in html


def test_catch_up_lists_past_sessions_the_member_missed_with_their_recordings(client, member):
    start = timezone.now() - datetime.timedelta(days=2)
    missed = EventFactory(title="Missed session", starts_at=start,
                          ends_at=start + datetime.timedelta(hours=1),
                          outcome_summary="We talked about triage.",
                          summary_published_at=timezone.now())  # fmt: skip
    came = EventFactory(title="Came to this", starts_at=start,
                        ends_at=start + datetime.timedelta(hours=1))  # fmt: skip
    AttendanceFactory(event=came, member=member)
    EventFactory(title="Still to come")
    _save(title="Recording of the missed session", kind="recording", event=missed,
          video_url="https://video.example.org/1", external_url="")  # fmt: skip
    client.force_login(member)
    html = client.get(reverse("resources:catch_up")).content.decode()
    assert "Missed session" in html
    assert "We talked about triage." in html
    assert "Recording of the missed session" in html
    assert "Came to this" not in html
    assert "Still to come" not in html


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/123456", "https://player.vimeo.com/video/123456"),
        ("https://video.example.org/talk", ""),
        ("https://www.youtube.com/watch?v=<script>", ""),
        ("not a url", ""),
    ],
)  # fmt: skip
def test_video_links_embed_only_for_known_hosts(url, embed):
    assert video_embed_url(url) == embed


# At scale ----------------------------------------------------------------------------------


def test_a_word_found_almost_everywhere_ranks_only_the_newest_matches(client, settings):
    settings.RESOURCE_SEARCH_RANKED = 3
    for day in range(1, 6):
        _save(title=f"Equity note {day}", published_on=datetime.date(2026, 3, day))
    _save(title="Equity", description="Equity, equity, equity.",
          published_on=datetime.date(2026, 1, 1))  # fmt: skip
    response = client.get(reverse("resources:search"), {"q": "equity"})
    # The oldest three are not ranked, however well they match.
    assert _titles(response) == ["Equity note 5", "Equity note 4", "Equity note 3"]
    page = response.content.decode()
    assert "3 or more results for “equity”" in page
    assert (
        "So many resources mention this that only the newest 3 are ranked here, best first." in page
    )
    narrower = client.get(reverse("resources:search"), {"q": '"equity note 1"'})
    assert _titles(narrower) == ["Equity note 1"]
    assert 'id="search-capped"' not in narrower.content.decode()


def test_the_browse_total_is_kept_but_a_new_resource_shows_at_once(client):
    _save(title="First")
    browse = reverse("resources:browse")
    assert client.get(browse).context["page"].paginator.count == 1
    with CaptureQueriesContext(connection) as kept:
        assert '<h2 id="results-heading" class="h5">1 resource</h2>' in client.get(browse).text
    assert not [q for q in kept.captured_queries if "COUNT(*)" in q["sql"]]
    _save(title="Second")
    assert client.get(browse).context["page"].paginator.count == 2


def test_the_session_list_offers_the_most_recent_sessions_and_keeps_an_older_choice(
    client, settings
):
    start = timezone.now() - datetime.timedelta(days=400)
    events = [
        EventFactory(title=f"Session {n:02}", starts_at=start + datetime.timedelta(days=n),
                     ends_at=start + datetime.timedelta(days=n, hours=1))
        for n in range(62)
    ]  # fmt: skip
    for event in events:
        _save(title=f"Slides from {event.title}", event=event)
    form = client.get(reverse("resources:browse")).context["form"]
    offered = [label for value, label in form.fields["event"].widget.choices if value]
    assert len(offered) == 60
    assert offered[0] == "Session 61"
    assert offered[-1] == "Session 02"
    chosen = client.get(reverse("resources:browse"), {"event": events[0].pk})
    assert _titles(chosen) == ["Slides from Session 00"]
    offered = [label for value, label in chosen.context["form"].fields["event"].widget.choices]
    assert offered[-1] == "Session 00"


@pytest.mark.parametrize(
    ("query", "summary"),
    [
        ({}, "Filters</summary>"),
        ({"sort": "title"}, "Filters</summary>"),  # the order narrows nothing
        ({"kind": "toolkit", "sort": "oldest"}, "Filters (1 in use)</summary>"),
        ({"kind": "toolkit", "date_from": "2026-01-01"}, "Filters (2 in use)</summary>"),
    ],
)
def test_the_filters_button_says_how_many_filters_are_in_use(client, query, summary):
    html = client.get(reverse("resources:browse"), query).content.decode()

    assert '<details class="filters">' in html
    assert f'<summary class="btn btn-outline-primary">{summary}' in html


def test_filters_with_a_mistake_are_shown_open(client):
    query = {"date_from": "2026-05-01", "date_to": "2026-04-01"}

    html = client.get(reverse("resources:browse"), query).content.decode()

    assert '<details class="filters" open>' in html
    assert "The end date is before the start date." in html


def test_a_member_who_joined_today_has_the_start_here_sessions_to_catch_up_on(client, ground_rules):
    """The catch-up page is not empty on day one: sessions organisers marked "start here" are
    there whenever they were, first; other sessions from long before joining are not."""
    member = UserFactory(agreed_to=ground_rules)  # joined just now
    long_ago = timezone.now() - datetime.timedelta(days=400)
    EventFactory(title="What the CoP is for", start_here=True, starts_at=long_ago,
                 ends_at=long_ago + datetime.timedelta(hours=1),
                 outcome_summary="Our purpose and goals.",
                 summary_published_at=timezone.now())  # fmt: skip
    EventFactory(title="An ordinary session long ago", starts_at=long_ago,
                 ends_at=long_ago + datetime.timedelta(hours=1))  # fmt: skip
    EventFactory(title="Start here, still to come", start_here=True)
    other_caucus = CaucusFactory(name="Another caucus", slug="another")
    EventFactory(title="Another caucus's essentials", start_here=True, caucus=other_caucus,
                 starts_at=long_ago, ends_at=long_ago + datetime.timedelta(hours=1))  # fmt: skip
    client.force_login(member)
    response = client.get(reverse("resources:catch_up"))
    assert [item.event.title for item in response.context["start_here"]] == ["What the CoP is for"]
    assert response.context["missed"] == []
    html = response.content.decode()
    assert "Our purpose and goals." in html
    assert "An ordinary session long ago" not in html
    assert "Start here, still to come" not in html
    assert "Another caucus" not in html


def test_start_here_sessions_come_before_the_usual_missed_ones_and_not_twice(client, member):
    start = timezone.now() - datetime.timedelta(days=2)
    EventFactory(title="Essential", start_here=True, starts_at=start,
                 ends_at=start + datetime.timedelta(hours=1))  # fmt: skip
    EventFactory(title="Missed last week", starts_at=start,
                 ends_at=start + datetime.timedelta(hours=1))  # fmt: skip
    came = EventFactory(title="Essential, and came", start_here=True, starts_at=start,
                        ends_at=start + datetime.timedelta(hours=1))  # fmt: skip
    AttendanceFactory(event=came, member=member)
    client.force_login(member)
    response = client.get(reverse("resources:catch_up"))
    assert [i.event.title for i in response.context["start_here"]] == ["Essential"]
    assert [i.event.title for i in response.context["missed"]] == ["Missed last week"]
    html = response.content.decode()
    assert html.count(">Essential</a>") == 1
    assert html.index("Essential") < html.index("Missed last week")


def test_the_catch_up_page_runs_as_many_queries_however_much_was_missed(
    client, member, same_queries_at_two_sizes
):
    """A member away for months has many sessions to catch up on, each with its resources."""
    client.force_login(member)

    def grow(size):
        for n in range(size):
            event = EventFactory(past=True, start_here=n % 2 == 0)
            ResourceFactory(event=event)

    same_queries_at_two_sizes(client, reverse("resources:catch_up"), grow=grow, sizes=(2, 6))
