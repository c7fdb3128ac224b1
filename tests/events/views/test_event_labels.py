"""How an event's page prints what its organisers wrote after the session, and its kind and
format: Markdown takeaways as lists (never as raw HTML), and a format the kind already names said
once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.factories import EventFactory, EventKindFactory, GuestFactory, guest_link

pytestmark = pytest.mark.django_db


def _summary_section(html):
    return html.split('<section id="summary"', 1)[1].split("</section>", 1)[0]


def test_key_takeaways_written_as_a_markdown_list_show_as_a_list(client, member):
    event = EventFactory(
        past=True, summary_published_at=timezone.now(), outcome_summary="We met.",
        key_takeaways="- Name it\n- Record it, **every time**",
    )  # fmt: skip
    client.force_login(member)

    html = client.get(event.get_absolute_url()).content.decode()

    section = _summary_section(html)
    assert (
        '<h3 class="h5">Key takeaways</h3><ul>\n<li>Name it</li>\n'
        "<li>Record it, <strong>every time</strong></li>\n</ul>"
    ) in section
    assert "- Name it" not in section


def test_key_takeaways_cannot_carry_script_or_raw_html(client, member):
    event = EventFactory(
        past=True, summary_published_at=timezone.now(), outcome_summary="We met.",
        key_takeaways='- Fine\n\n<script>alert("x")</script>\n\n<img src=x onerror="steal()">',
    )  # fmt: skip
    client.force_login(member)

    section = _summary_section(client.get(event.get_absolute_url()).content.decode())

    assert "<script" not in section
    assert "alert" not in section
    assert "<img" not in section
    assert "onerror" not in section
    assert "<li>Fine</li>" in section


@pytest.mark.parametrize(
    ("kind", "event_format", "label"),
    [
        ("In-person session", Event.Format.IN_PERSON, "In-person session"),
        ("Online session", Event.Format.ONLINE, "Online session"),
        ("Hybrid workshop", Event.Format.HYBRID, "Hybrid workshop"),
        ("Webinar", Event.Format.ONLINE, "Webinar · Online"),
        ("In-person session", Event.Format.ONLINE, "In-person session · Online"),
    ],
)
def test_the_format_is_left_out_when_the_kind_already_says_it(kind, event_format, label):
    event = EventFactory(kind=EventKindFactory(name=kind, slug=kind.lower().replace(" ", "-")),
                         format=event_format)  # fmt: skip

    assert event.kind_and_format == label


def test_event_page_programme_and_invitation_say_in_person_once(client, member):
    kind = EventKindFactory(name="In-person session", slug="in-person-session")
    event = EventFactory(kind=kind, format=Event.Format.IN_PERSON, title="Walk and talk")
    token = guest_link(GuestFactory(event=event))
    client.force_login(member)

    pages = {
        "event": client.get(event.get_absolute_url()).content.decode(),
        "programme": client.get(reverse("events:programme")).content.decode(),
    }
    client.logout()
    client.get(reverse("events:guest_link", args=[token]))
    pages["invitation"] = client.get(reverse("events:guest_page")).content.decode()

    for name, html in pages.items():
        assert html.count("In-person session") == 1, name
        assert "In person" not in html, name
    assert '<dd class="col-sm-9">In-person session</dd>' in pages["event"]
