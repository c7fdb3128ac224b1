"""A member takes a copy of their data, then deletes their account, from their profile."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from members.models import User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_downloads_their_data_then_deletes_their_account(page, member):
    sign_in(page, member)
    page.goto("/profile/")
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert re.fullmatch(
        r"cop-portal-my-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename
    )
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == member.email

    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    page.get_by_label("Your password").fill("correct horse battery staple")
    page.get_by_role("button", name="Delete my account for good").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    erased = User.objects.get(pk=member.pk)
    assert (erased.name, erased.is_active) == ("Former member", False)
