"""The organisers' hub, and who may open the organiser pages it links to."""

import pytest
from django.urls import reverse

from members.services.starter import starter_content_load

pytestmark = pytest.mark.django_db


ORGANISER_PAGES = [
    ("members:introduction_edit", {}),
    ("members:ground_rules_versions", {}),
    ("members:ground_rules_new", {}),
    ("members:glossary_manage", {}),
    ("members:glossary_term_new", {}),
    ("members:organisations", {}),
    ("members:organisation_new", {}),
    ("members:organisation_merge", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), ORGANISER_PAGES)
def test_organiser_pages_by_role(client, member, organiser, steering_member, name, kwargs):
    starter_content_load()
    url = reverse(name, kwargs=kwargs)
    assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(steering_member)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_organise_hub_is_open_to_the_steering_group_but_not_members(
    client, member, steering_member
):
    client.force_login(member)
    assert client.get(reverse("members:organise")).status_code == 403
    client.force_login(steering_member)
    response = client.get(reverse("members:organise"))
    assert response.status_code == 200
    assert b"Edit the introduction" not in response.content
