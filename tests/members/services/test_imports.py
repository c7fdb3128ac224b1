"""Importing the CoP's existing spreadsheets: reading the files, planning without writing,
applying idempotently, the two commands, the organisers' upload page, and an imported member
taking over their record when they sign up.

The messy files are built here, so each test shows what it feeds in. Attendance files (Teams
and Zoom reports) are tested in test_imports_attendance.py."""

import datetime
import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from events.models import Attendance, Event
from members import spreadsheets
from members.models import Organisation, User
from members.selectors import imports as import_selectors
from members.selectors.accounts import imported_member_for_email, member_is_imported
from members.services.imports import import_apply, member_import_create
from tests.factories import OrganisationFactory, UserFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
APRIL_18 = datetime.date(2024, 4, 18)
US_DATE_REASON = (
    "“4/18/2024” is not a date: dates are read day first, so this would be month 18 "
    "(did you mean 18/04/2024?)"
)

# A UTF-8 byte-order mark, CRLF line ends, spaces around headers and values, a header in
# capitals, an unknown column, emails in mixed case, dates as 2024-04-18, 18/04/2024 and 01/02/23,
# a blank organisation, an invalid email, a US date, the same person twice, a member who is
# already here and a blank line.
MEMBERS_CSV = (
    "\ufeff Email , First name,Last name , ORGANISATION,Role,Joined,Notes\r\n"
    "  Ada.Lovelace@Example.ORG , Ada , Lovelace , riverside  nhs trust ,Community nurse,"
    "2024-04-18,met at the conference\r\n"
    "samir.haddad@northcare.org.uk,Samir,Haddad,North Care,Commissioner,18/04/2024,\r\n"
    "mei.lin@example.org,Mei,Lin,,Student,,\r\n"
    "not-an-email,Bad,Row,North Care,,,\r\n"
    "grace.okafor@riverside.nhs.uk,Grace,Okafor,Riverside NHS Trust,Midwife,4/18/2024,\r\n"
    "SAMIR.HADDAD@northcare.org.uk,Samir,Haddad,North Care,,,\r\n"
    "Existing@Example.org,Existing,Member,Somewhere Else,,,\r\n"
    "\r\n"
    "tomasz.nowak@example.org,Tomasz,Nowak,NORTH  CARE,Pharmacist,01/02/23,\r\n"
)
MEMBERS_PLAN = [
    (
        2,
        "create",
        "Ada Lovelace <ada.lovelace@example.org>, Riverside NHS Trust",
        "",
    ),
    (
        3,
        "create",
        "Samir Haddad <samir.haddad@northcare.org.uk>, North Care",
        "new organisation",
    ),
    (4, "create", "Mei Lin <mei.lin@example.org>, organisation not stated", ""),
    (5, "reject", "not-an-email", "the email address is not valid"),
    (6, "reject", "Grace Okafor <grace.okafor@riverside.nhs.uk>", US_DATE_REASON),
    (7, "match", "Samir Haddad <samir.haddad@northcare.org.uk>", "also on line 3"),
    (8, "match", "Existing Member <existing@example.org>", "already a member: left as they are"),
    (10, "create", "Tomasz Nowak <tomasz.nowak@example.org>, North Care", ""),
]
MEMBERS_OUTPUT = [
    "line 2: created – Ada Lovelace <ada.lovelace@example.org>, Riverside NHS Trust",
    "line 3: created – Samir Haddad <samir.haddad@northcare.org.uk>, North Care (new organisation)",
    "line 4: created – Mei Lin <mei.lin@example.org>, organisation not stated",
    "line 5: rejected – the email address is not valid",
    f"line 6: rejected – {US_DATE_REASON}",
    "line 7: matched – Samir Haddad <samir.haddad@northcare.org.uk> (also on line 3)",
    "line 8: matched – Existing Member <existing@example.org> (already a member: left as they are)",
    "line 10: created – Tomasz Nowak <tomasz.nowak@example.org>, North Care",
    "4 created, 2 matched, 2 rejected",
    "New organisations: North Care",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _run(command, *args):
    out = io.StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue().splitlines()


def _plan_rows(plan):
    return [(row.line, row.action, row.what, row.reason) for row in plan.rows]


def _counts():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Event.objects.count(),
        Attendance.objects.count(),
    )


def _is_imported(user):
    return not user.has_usable_password() and not EmailAddress.objects.filter(user=user).exists()


@pytest.fixture
def riverside():
    return OrganisationFactory(name="Riverside NHS Trust")


@pytest.fixture
def existing_member():
    return UserFactory(email="existing@example.org", name="Existing Member")


# Dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-18", APRIL_18),
        ("2024-04-18 13:58:07", APRIL_18),
        ("18/04/2024", APRIL_18),
        ("18/04/24", APRIL_18),
        ("5/4/2024", datetime.date(2024, 4, 5)),  # day first: 5 April, not 4 May
        ("18/04/2024, 13:58:07", APRIL_18),  # Teams on a UK machine
        ("4/18/24, 1:58:07 PM", APRIL_18),  # Teams on a US machine: month first
        ("5/4/24, 1:58:07 PM", datetime.date(2024, 5, 4)),  # US stamp: 4 May
        ("04/18/2024 01:58:07 PM", APRIL_18),  # Zoom: month first
        ("18 April 2024", APRIL_18),
        (datetime.datetime(2024, 4, 18, 13, 58), APRIL_18),  # from an Excel cell
        (datetime.date(2024, 4, 18), APRIL_18),
        (datetime.datetime(2024, 4, 17, 23, 30, tzinfo=datetime.UTC), APRIL_18),  # UK time
    ],
)
def test_dates_are_read_day_first_except_us_stamps_with_am_or_pm(value, expected):
    assert spreadsheets.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4/18/2024", US_DATE_REASON),
        ("31/02/2024", "“31/02/2024” is not a date (day is out of range for month)"),
        (
            "next Tuesday",
            "“next Tuesday” is not a date this import can read: write it as 2024-04-18 or "
            "18/04/2024",
        ),
        ("", "no date"),
    ],
)
def test_dates_that_cannot_be_read_say_why(value, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        spreadsheets.parse_date(value)
    assert str(error.value) == message


# Reading ---------------------------------------------------------------------------------------


def test_a_csv_with_bom_crlf_and_spaces_reads_into_trimmed_case_insensitive_columns(tmp_path):
    path = _write(tmp_path, "members.csv", MEMBERS_CSV)

    header, rows = spreadsheets.read_table(path, "members.csv")

    assert header == ["email", "first name", "last name", "organisation", "role", "joined", "notes"]
    assert [line for line, _ in rows] == [2, 3, 4, 5, 6, 7, 8, 10]
    assert rows[0][1] == {
        "email": "Ada.Lovelace@Example.ORG",
        "first name": "Ada",
        "last name": "Lovelace",
        "organisation": "riverside  nhs trust",
        "role": "Community nurse",
        "joined": "2024-04-18",
        "notes": "met at the conference",
    }


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_tab_separated_utf16_and_windows_1252_text_read_alike(tmp_path, encoding):
    path = _write(tmp_path, "list.txt", "Email\tName\n zoë@example.org \tZoë Brontë\n", encoding)

    header, rows = spreadsheets.read_table(path)

    assert header == ["email", "name"]
    assert rows == [(2, {"email": "zoë@example.org", "name": "Zoë Brontë"})]


def test_a_quoted_value_over_two_lines_keeps_the_line_it_starts_on(tmp_path):
    path = _write(
        tmp_path, "m.csv", 'Email,Role\na@example.org,"Nurse,\nnights"\nb@example.org,GP\n'
    )

    _, rows = spreadsheets.read_table(path)

    assert rows == [
        (2, {"email": "a@example.org", "role": "Nurse,\nnights"}),
        (4, {"email": "b@example.org", "role": "GP"}),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        b"%PDF-1.4\n\x01\x02\x03binary",
        b"PK\x03\x04 not really a workbook",
    ],
)
def test_files_that_are_not_tables_are_refused_with_a_clear_message(tmp_path, content):
    path = tmp_path / "members.csv"
    path.write_bytes(content)

    with pytest.raises(spreadsheets.ImportFileError) as error:
        spreadsheets.read_table(path, "members.csv")

    assert str(error.value) == (
        "members.csv is not a file this import can read: use a CSV file, tab-separated text "
        "(such as a Microsoft Teams attendance report), a Zoom participants export or an Excel "
        "workbook (.xlsx)."
    )


# Members ---------------------------------------------------------------------------------------


def test_members_import_creates_matches_and_rejects_exactly(tmp_path, riverside, existing_member):
    path = _write(tmp_path, "members.csv", MEMBERS_CSV)
    organisations_before = Organisation.objects.count()

    output = _run("import_members", path)

    assert output == [*MEMBERS_OUTPUT, "Saved: 1 organisation and 4 members created."]
    assert Organisation.objects.count() == organisations_before + 1
    north_care = Organisation.objects.get(name="North Care")
    imported = {u.email: u for u in User.objects.exclude(pk=existing_member.pk)}
    assert sorted(imported) == [
        "ada.lovelace@example.org",
        "mei.lin@example.org",
        "samir.haddad@northcare.org.uk",
        "tomasz.nowak@example.org",
    ]
    ada = imported["ada.lovelace@example.org"]
    assert (ada.name, ada.organisation, ada.job_role) == (
        "Ada Lovelace",
        riverside,
        "Community nurse",
    )
    # Joined 18 April 2024 at midnight UK time (British Summer Time: 23:00 UTC the day before).
    assert ada.date_joined == datetime.datetime(2024, 4, 18, tzinfo=LONDON)
    assert ada.date_joined == datetime.datetime(2024, 4, 17, 23, tzinfo=datetime.UTC)
    samir = imported["samir.haddad@northcare.org.uk"]
    assert (samir.organisation, samir.job_role) == (north_care, "Commissioner")
    assert samir.date_joined == datetime.datetime(2024, 4, 18, tzinfo=LONDON)
    mei = imported["mei.lin@example.org"]
    assert mei.organisation is None  # "not stated"
    tomasz = imported["tomasz.nowak@example.org"]
    assert tomasz.organisation == north_care
    assert tomasz.date_joined == datetime.datetime(2023, 2, 1, tzinfo=LONDON)
    assert all(_is_imported(user) and user.is_active for user in imported.values())
    existing_member.refresh_from_db()
    assert existing_member.name == "Existing Member"
    assert existing_member.organisation.name != "Somewhere Else"
    assert not Organisation.objects.filter(name="Somewhere Else").exists()


def test_importing_the_same_members_file_twice_changes_nothing(
    tmp_path, riverside, existing_member
):
    path = _write(tmp_path, "members.csv", MEMBERS_CSV)
    _run("import_members", path)
    counts = _counts()

    _, rows = spreadsheets.read_table(path)
    plan = import_selectors.plan_members(rows)

    assert {row.action for row in plan.rows} == {"match", "reject"}
    assert plan.totals == {"create": 0, "match": 6, "reject": 2, "skip": 0}
    assert not plan.changes_anything
    assert import_apply(plan) == {
        "organisations": 0,
        "members": 0,
        "events": 0,
        "attendances": 0,
    }
    assert _counts() == counts


def test_a_members_dry_run_prints_the_plan_and_saves_nothing(tmp_path, riverside, existing_member):
    path = _write(tmp_path, "members.csv", MEMBERS_CSV)
    counts = _counts()

    output = _run("import_members", path, "--dry-run")

    assert output == [
        *(line.replace(": created –", ": would create –") for line in MEMBERS_OUTPUT[:-2]),
        "4 would create, 2 matched, 2 rejected",
        MEMBERS_OUTPUT[-1],
        "Dry run: nothing was saved.",
    ]
    assert _counts() == counts


def test_an_xlsx_workbook_imports_exactly_as_its_csv_twin(tmp_path, riverside, existing_member):
    workbook = Workbook()
    sheet = workbook.active
    for row in [
        [" Email ", "First name", "Last name ", " ORGANISATION", "Role", "Joined", "Notes"],
        ["  Ada.Lovelace@Example.ORG ", " Ada ", " Lovelace ", " riverside  nhs trust ",
         "Community nurse", datetime.datetime(2024, 4, 18), "met at the conference"],
        ["samir.haddad@northcare.org.uk", "Samir", "Haddad", "North Care", "Commissioner",
         datetime.datetime(2024, 4, 18), None],
        ["mei.lin@example.org", "Mei", "Lin", None, "Student", None, None],
        ["not-an-email", "Bad", "Row", "North Care", None, None, None],
        ["grace.okafor@riverside.nhs.uk", "Grace", "Okafor", "Riverside NHS Trust", "Midwife",
         "4/18/2024", None],
        ["SAMIR.HADDAD@northcare.org.uk", "Samir", "Haddad", "North Care", None, None, None],
        ["Existing@Example.org", "Existing", "Member", "Somewhere Else", None, None, None],
        [None] * 7,
        ["tomasz.nowak@example.org", "Tomasz", "Nowak", "NORTH  CARE", "Pharmacist",
         datetime.datetime(2023, 2, 1), None],
    ]:  # fmt: skip
        sheet.append(row)
    xlsx = tmp_path / "members.xlsx"
    workbook.save(xlsx)
    csv_path = _write(tmp_path, "members.csv", MEMBERS_CSV)

    xlsx_plan = import_selectors.plan_file(xlsx, "members.xlsx", kind="members")
    csv_plan = import_selectors.plan_file(csv_path, "members.csv", kind="members")

    assert _plan_rows(xlsx_plan) == _plan_rows(csv_plan) == MEMBERS_PLAN
    assert xlsx_plan.new_members == csv_plan.new_members
    assert import_apply(xlsx_plan) == {
        "organisations": 1,
        "members": 4,
        "events": 0,
        "attendances": 0,
    }
    assert User.objects.get(email="tomasz.nowak@example.org").date_joined == datetime.datetime(
        2023, 2, 1, tzinfo=LONDON
    )


def test_a_members_file_without_an_email_column_is_refused(tmp_path):
    path = _write(tmp_path, "members.csv", "Name,Organisation\nAda,Riverside\n")

    with pytest.raises(CommandError, match="The file has no Email column"):
        _run("import_members", path)


# Taking over an imported record on sign-up -----------------------------------------------------


def _sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "a long passphrase for signing up",
            "password2": "a long passphrase for signing up",
        },
    )


def test_signing_up_with_an_imported_email_takes_over_that_record(client, riverside):
    imported = member_import_create(
        email="ada.lovelace@example.org",
        name="Ada Lovelace",
        organisation=riverside,
        job_role="Community nurse",
        joined=APRIL_18,
    )
    assert member_is_imported(imported)

    response = _sign_up(client, "Ada.Lovelace@Example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email__iexact="ada.lovelace@example.org")
    assert user.pk == imported.pk
    assert (user.name, user.organisation, user.job_role) == (
        "Ada Lovelace",
        riverside,
        "Community nurse",
    )
    assert user.date_joined == datetime.datetime(2024, 4, 18, tzinfo=LONDON)
    assert user.has_usable_password()
    assert user.check_password("a long passphrase for signing up")
    assert not member_is_imported(user)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified) == ("ada.lovelace@example.org", False)
    (message,) = mail_sent()
    assert message.to == ["ada.lovelace@example.org"]
    assert "/accounts/confirm-email/" in message.body


def test_signing_up_with_a_signed_up_members_email_takes_nothing_over(client):
    member = UserFactory(email="ada.lovelace@example.org", name="Ada Lovelace")
    password_before = member.password

    response = _sign_up(client, "ada.lovelace@example.org")

    assert response["Location"] == reverse("account_email_verification_sent")
    member.refresh_from_db()
    assert member.password == password_before
    assert User.objects.count() == 1
    assert imported_member_for_email("ada.lovelace@example.org") is None


# The upload page -------------------------------------------------------------------------------


def _upload(name, text, encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _stored_tokens(settings):
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_only_organisers_can_open_the_import_page(client, member, organiser):
    url = reverse("members:import_data")

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"

    client.force_login(member)
    assert client.get(url).status_code == 403

    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Import members or attendance</h1>" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_organise_page_links_to_the_import(organiser_client):
    response = organiser_client.get(reverse("members:organise"))

    assert (
        f'<a href="{reverse("members:import_data")}">Import members or attendance</a>'
        in response.content.decode()
    )


def test_checking_then_confirming_an_upload_imports_it_once(
    organiser_client, settings, riverside, existing_member
):
    counts = _counts()
    url = reverse("members:import_data")

    response = organiser_client.post(
        url, {"step": "check", "kind": "members", "file": _upload("members.csv", MEMBERS_CSV)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Check the import</h1>" in html
    assert "<caption>What each row of the file would do</caption>" in html
    assert "<li>4 would be created</li>" in html
    assert "<li>2 already there (matched)</li>" in html
    assert "<li>2 rejected</li>" in html
    assert "New organisation: North Care." in html
    assert (
        '<th scope="row">5</th>\n        <td>Rejected</td>\n        <td>not-an-email</td>\n'
        "        <td>the email address is not valid</td>" in html
    )
    assert _counts() == counts  # the check saves nothing
    [token] = _stored_tokens(settings)
    assert f'name="token" value="{token}"' in html

    response = organiser_client.post(url, {"step": "confirm", "token": token}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert (
        "members.csv is imported: 4 created, 2 matched, 2 rejected (1 organisation and 4 "
        "members created)." in response.content.decode()
    )
    assert User.objects.filter(email="tomasz.nowak@example.org").exists()
    assert _counts()[0] == counts[0] + 4
    assert _stored_tokens(settings) == []  # the upload is deleted

    response = organiser_client.post(url, {"step": "confirm", "token": token}, follow=True)

    assert response.status_code == 200
    assert (
        "That upload has expired or has already been imported: upload the file again."
        in response.content.decode()
    )
    assert _counts()[0] == counts[0] + 4


@pytest.mark.parametrize(
    "token", ["", "nonsense", "../../../../etc/passwd-and-more-text", "A" * 32]
)
def test_confirming_an_unknown_token_gives_a_message_not_an_error(organiser_client, token):
    response = organiser_client.post(
        reverse("members:import_data"), {"step": "confirm", "token": token}, follow=True
    )

    assert response.status_code == 200
    assert "That upload has expired or has already been imported" in response.content.decode()


def test_another_organiser_cannot_confirm_someone_elses_upload(
    organiser_client, settings, ground_rules
):
    organiser_client.post(
        reverse("members:import_data"),
        {"step": "check", "kind": "members", "file": _upload("members.csv", MEMBERS_CSV)},
    )
    [token] = _stored_tokens(settings)
    other = UserFactory(agreed_to=ground_rules, groups=["Organisers"])
    organiser_client.force_login(other)

    response = organiser_client.post(
        reverse("members:import_data"), {"step": "confirm", "token": token}, follow=True
    )

    assert "That upload has expired or has already been imported" in response.content.decode()
    assert User.objects.filter(email="tomasz.nowak@example.org").count() == 0
    assert _stored_tokens(settings) == [token]


def test_an_expired_upload_is_refused_and_deleted(organiser_client, settings):
    organiser_client.post(
        reverse("members:import_data"),
        {"step": "check", "kind": "members", "file": _upload("members.csv", MEMBERS_CSV)},
    )
    [token] = _stored_tokens(settings)
    meta_path = Path(settings.MEDIA_ROOT) / "imports" / token / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps(meta | {"created": "2024-04-18T09:00:00+01:00"}))

    response = organiser_client.post(
        reverse("members:import_data"), {"step": "confirm", "token": token}, follow=True
    )

    assert "That upload has expired or has already been imported" in response.content.decode()
    assert _stored_tokens(settings) == []
    assert not User.objects.filter(email="tomasz.nowak@example.org").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "photo.csv is not a file this import can read",
        ),
        (
            SimpleUploadedFile("big.csv", b"Email\n" + b"a" * (5 * 1024 * 1024)),
            "The file is over 5 MB: split it into smaller files.",
        ),
        (
            SimpleUploadedFile("names.csv", b"Name\nAda\n"),
            "The file has no Email column, so no row can be matched to a member.",
        ),
    ],
)
def test_uploads_that_cannot_be_imported_are_refused_with_a_message(
    organiser_client, settings, upload, message
):
    response = organiser_client.post(
        reverse("members:import_data"), {"step": "check", "kind": "members", "file": upload}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _stored_tokens(settings) == []
