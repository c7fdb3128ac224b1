"""The upload page for attendance files (issue 17, item 4): the organiser checks a file, makes
the choices its plan asks for (session, date order, minimum time, name matches) and sees the
plan again, and only then can import it, exactly as last shown."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Attendance, Event
from tests.factories import AttendanceFactory, CaucusFactory, UserFactory, caucus_member, event_on

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
URL = "/organise/import/"
CONFIRM_BUTTON = 'value="Import these rows"'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _check(client, name, content=None, **fields):
    content = (FIXTURES / name).read_bytes() if content is None else content
    return client.post(
        URL,
        {"step": "check", "kind": "attendance", "file": SimpleUploadedFile(name, content)} | fields,
    )


def _token(response) -> str:
    return response.context["confirm_form"].initial["token"]


def _choose(client, token, **choices):
    return client.post(URL, {"step": "choose", "token": token, "minimum_minutes": "10"} | choices)


def test_the_url_is_the_import_page():
    assert reverse("members:import_data") == URL


def test_a_differently_named_session_is_chosen_on_the_page_and_nothing_is_duplicated(
    organiser_client,
):
    existing = event_on(datetime.date(2024, 4, 18), title="CoP webinar: maternal health")

    response = _check(organiser_client, "teams_attendance_report.tsv")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert (
        "<p>The file is for “Racism and maternal health: what the data tell us” on 18 April "
        "2024. Its dates are read month first.</p>" in html
    )
    assert "<strong>Choose the session this file belongs to</strong>" in html
    assert f'name="session" value="{existing.pk}"' in html
    assert 'name="session" value="new"' in html
    assert "“CoP webinar: maternal health”, 18 April 2024 at 12:00" in html
    assert CONFIRM_BUTTON not in html  # nothing can be imported before the choice
    token = _token(response)

    confirmed_early = organiser_client.post(
        URL, {"step": "confirm", "token": token}, follow=True
    ).content.decode()
    assert "Nothing was imported: choose the session" in confirmed_early
    assert not Attendance.objects.exists()

    response = _choose(organiser_client, token, session=str(existing.pk))

    html = response.content.decode()
    assert (
        "Attendance goes to <strong>“CoP webinar: maternal health”, 18 April 2024 at "
        "12:00</strong>." in html
    )
    assert f'value="{existing.pk}"  id="id_session_0" checked>' in html
    assert CONFIRM_BUTTON in html

    response = organiser_client.post(URL, {"step": "confirm", "token": token}, follow=True)

    assert (
        "teams_attendance_report.tsv is imported: 3 added, 0 matched, 1 not imported (3 "
        "members and 3 attendances created)." in response.content.decode()
    )
    assert Event.objects.count() == 1
    assert sorted(existing.attendances.values_list("member__email", flat=True)) == [
        "grace.okafor@riverside.nhs.uk",
        "samir.haddad@northcare.org.uk",
        "t.nowak@example.org",
    ]


def test_a_new_session_is_shown_prominently_before_it_is_made(organiser_client):
    response = _check(organiser_client, "zoom_participants.csv")
    token = _token(response)

    html = _choose(organiser_client, token, session="new").content.decode()

    assert (
        "<strong>A new past session would be added</strong>: “Anti-racism in community "
        "nursing: peer learning” on 25 April 2024, 12:00 to 13:00." in html
    )
    assert not Event.objects.exists()
    organiser_client.post(URL, {"step": "confirm", "token": token})
    assert Event.objects.get().title == "Anti-racism in community nursing: peer learning"


def test_ambiguous_dates_are_asked_and_the_answer_moves_the_suggestions(organiser_client):
    june = event_on(datetime.date(2025, 6, 10), title="Peer learning")
    october = event_on(datetime.date(2025, 10, 6), title="Peer learning")

    html = _check(organiser_client, "zoom_participants_24_hour.csv").content.decode()

    assert "Every date in this file could be read day first or month first" in html
    assert 'name="date_order" value="day"' in html
    assert 'name="date_order" value="month"' in html
    assert CONFIRM_BUTTON not in html
    token = _token(_check(organiser_client, "zoom_participants_24_hour.csv"))

    by_month = _choose(organiser_client, token, date_order="month").content.decode()
    by_day = _choose(organiser_client, token, date_order="day").content.decode()

    assert f'value="{june.pk}"  id="id_session_0"' in by_month
    assert f'value="{october.pk}"  id="id_session_0"' in by_day
    assert "on 10 June 2025. Its dates are read month first.</p>" in by_month
    assert 'value="month"  id="id_date_order_1" checked>' in by_month


def test_a_row_without_an_email_is_imported_only_once_the_organiser_confirms_the_member(
    organiser_client,
):
    session = event_on(datetime.date(2021, 6, 10), title="Allyship in practice")
    zoe = UserFactory(name="Zoe O'Neil")
    response = _check(organiser_client, "teams_2021_meeting_summary.csv")
    token = _token(response)
    html = response.content.decode()
    assert "Line 12: Zoë O&#x27;Neil, who has no email address" in html
    assert f'name="match_12" value="{zoe.pk}"' in html

    _choose(organiser_client, token, session=str(session.pk), date_order="month")
    html = _choose(
        organiser_client, token, session=str(session.pk), date_order="month", match_12=str(zoe.pk)
    ).content.decode()

    assert "<td>Zoë O&#x27;Neil</td><td>54</td>\n        <td>matched by name</td>" in html
    organiser_client.post(URL, {"step": "confirm", "token": token})
    assert session.attendances.filter(member=zoe).exists()


def test_a_bad_minimum_is_refused_on_the_page_not_with_an_error(organiser_client):
    session = event_on(
        datetime.date(2024, 4, 18), title="Racism and maternal health: what the data tell us"
    )
    token = _token(_check(organiser_client, "teams_attendance_report.tsv"))

    response = _choose(organiser_client, token, session=str(session.pk), minimum_minutes="-5")

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The submitted file is empty."),
        ("header.csv", b"Email,Name\n", "header.csv lists nobody who was at a session."),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv is not a file"),
        ("cut.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00truncated", "cut.xlsx is not a file"),
        ("other.csv", b"Colour,Size\nred,large\n", "zoom.us, Reports, Webinar, Attendee report"),
    ],
)  # fmt: skip
def test_files_that_cannot_be_imported_get_a_message_never_an_error(
    organiser_client, name, content, message
):
    response = _check(organiser_client, name, content)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_choosing_for_someone_elses_upload_is_refused(organiser_client, ground_rules):
    token = _token(_check(organiser_client, "zoom_participants.csv"))
    organiser_client.force_login(UserFactory(agreed_to=ground_rules, groups=["Organisers"]))

    response = _choose(organiser_client, token, session="new")

    assert response.status_code == 302
    assert not Event.objects.exists()


def test_an_organiser_without_the_caucus_permission_cannot_pick_a_caucus_session(
    organiser_client,
):
    caucus = CaucusFactory(name="Zephyr", slug="zephyr")
    session = event_on(
        datetime.date(2024, 4, 18),
        title="Racism and maternal health: what the data tell us",
        caucus=caucus,
    )
    inside = caucus_member(caucus, email="grace.okafor@riverside.nhs.uk")
    AttendanceFactory(event=session, member=inside)
    response = _check(organiser_client, "teams_attendance_report.tsv")
    token = _token(response)
    assert f'value="{session.pk}"' not in response.content.decode()

    html = _choose(organiser_client, token, session=str(session.pk)).content.decode()

    assert "<strong>Choose the session this file belongs to</strong>" in html
    assert "already recorded" not in html
    assert "Zephyr" not in html
    organiser_client.post(URL, {"step": "confirm", "token": token})
    assert list(session.attendances.values_list("member", flat=True)) == [inside.pk]


def test_a_file_that_names_no_session_gets_one_only_from_a_title_and_date_given(
    organiser_client,
):
    response = _check(organiser_client, "register.csv", b"Email,Name\nada@example.org,Ada\n")
    token = _token(response)
    html = response.content.decode()
    assert "No session in the portal could be suggested for this file." in html
    assert 'name="session"' not in html

    html = _choose(organiser_client, token, title="Drop-in", date="2024-04-18").content.decode()
    assert 'value="new"  id="id_session_0"' in html
    assert CONFIRM_BUTTON not in html

    _choose(organiser_client, token, title="Drop-in", date="2024-04-18", session="new")
    organiser_client.post(URL, {"step": "confirm", "token": token})

    event = Event.objects.get()
    assert (event.title, event.starts_at.date()) == ("Drop-in", datetime.date(2024, 4, 18))
    assert list(event.attendances.values_list("member__email", flat=True)) == ["ada@example.org"]
