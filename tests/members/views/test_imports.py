"""Imported members (issue 13, item 10): someone added from a roster or a Teams or Zoom register
has no account, so gets no non-essential email until they claim their record, which an
organiser's welcome lets them do in one step. Survey invitations are the exception: their
personal link needs no account (tests/surveys/services/test_emails.py)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from members.selectors.accounts import member_has_claimed
from members.services.emails import member_email_send
from members.services.imports import member_import_create
from surveys.models import Invitation
from surveys.services.organise import survey_invite
from tests.factories import QuestionFactory, SurveyFactory
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


@pytest.fixture
def imported():
    return member_import_create(email="Pat.Imported@example.org", name="Pat Imported")


def _welcome_link(organiser_client, member) -> str:
    mail_sent().clear()
    organiser_client.post(reverse("members:imported_members"), {"member": member.pk})
    (message,) = [m for m in mail_sent() if m.to == [member.email]]
    return re.search(r"http://\S+/join/\S+/", message.body).group(0)


def _path(link: str) -> str:
    return link.split("http://127.0.0.1:8000", 1)[1]


def test_an_imported_member_gets_no_news_but_is_invited_to_surveys(imported, member):
    assert member_has_claimed(imported) is False
    assert member_email_send(
        member=imported, subject="News", template="members/email/welcome.txt",
        context={"link": "x", "days": 14}, category="programme",
    ) is False  # fmt: skip
    survey = SurveyFactory()
    QuestionFactory(survey=survey, kind="text")

    survey_invite(survey=survey)

    assert sorted(Invitation.objects.values_list("member", flat=True)) == sorted(
        [member.pk, imported.pk]
    )


def test_the_organiser_page_lists_who_waits_and_sends_the_welcome(
    organiser_client, imported, member
):
    page = organiser_client.get(reverse("members:imported_members")).content.decode()
    assert "Pat Imported" in page
    assert member.name not in page

    link = _welcome_link(organiser_client, imported)

    imported.refresh_from_db()
    assert imported.welcomed_at is not None
    assert link.startswith("http://127.0.0.1:8000/join/")


def test_the_welcome_link_claims_the_record_in_one_step(client, organiser_client, imported):
    link = _welcome_link(organiser_client, imported)

    page = client.get(_path(link))
    assert "choose a password and your account is ready" in page.content.decode()
    response = client.post(_path(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response["Location"] == reverse("members:profile_edit")
    assert client.session["_auth_user_id"] == str(imported.pk)
    imported.refresh_from_db()
    assert imported.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=imported)
    assert (address.email, address.verified, address.primary) == (imported.email, True, True)
    assert member_has_claimed(imported) is True


def test_a_welcome_link_works_once(client, organiser_client, imported):
    link = _welcome_link(organiser_client, imported)
    client.post(_path(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()

    again = client.get(_path(link))

    assert again.status_code == 404
    assert "This joining link does not work" in again.content.decode()


def test_a_new_welcome_voids_the_one_before(client, organiser_client, imported):
    first = _welcome_link(organiser_client, imported)
    second = _welcome_link(organiser_client, imported)

    assert client.get(_path(first)).status_code == 404
    assert client.get(_path(second)).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "1:abc:def"])
def test_a_made_up_link_is_refused_plainly(client, token):
    response = client.get(reverse("members:claim", args=[token]))

    assert response.status_code == 404
    assert "This joining link does not work" in response.content.decode()


def test_a_weak_password_is_refused_with_a_reason_and_nothing_claimed(
    client, organiser_client, imported
):
    link = _welcome_link(organiser_client, imported)

    response = client.post(_path(link), {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert member_has_claimed(imported) is False


def test_once_claimed_they_are_invited_to_surveys(client, organiser_client, imported):
    link = _welcome_link(organiser_client, imported)
    client.post(_path(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    survey = SurveyFactory()
    QuestionFactory(survey=survey, kind="text")

    survey_invite(survey=survey)

    assert imported.pk in set(Invitation.objects.values_list("member", flat=True))


@pytest.mark.parametrize("value", ["", "abc", "1" * 40, "-1", "1.5", "\x00"])
def test_a_hostile_member_choice_gets_a_message_not_an_error(organiser_client, imported, value):
    response = organiser_client.post(
        reverse("members:imported_members"), {"member": value}, follow=True
    )

    assert response.status_code == 200
    assert "Nobody to welcome" in response.content.decode()
    imported.refresh_from_db()
    assert imported.welcomed_at is None
