"""Sign-in limits and the audit trail behind a reverse proxy (issue 13, item 4).

The attack that worked: production sits behind a proxy, so every request's connection address is
the proxy's. Eleven failed sign-ins from anyone locked every member out, and the audit trail
named the proxy for everyone."""

import pytest
from django.test import override_settings
from django.urls import reverse

from members.models import AuditEvent
from tests.factories import UserFactory
from tests.prod_settings import production_settings

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.5"
STRICT = {"login_failed": "3/m/ip,5/5m/key"}


def _sign_in(client, email, *, password, through=None):
    headers = {"REMOTE_ADDR": PROXY}
    if through is not None:
        headers["HTTP_X_FORWARDED_FOR"] = through
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def _refused(response) -> bool:
    return "Too many failed login attempts" in response.content.decode()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=STRICT)
def test_one_address_failing_behind_the_proxy_does_not_lock_out_another(client, ground_rules):
    member = UserFactory(password=PASSWORD)
    for n in range(4):
        _sign_in(client, f"guess{n}@example.org", password="wrong", through="198.51.100.7")
    assert _refused(_sign_in(client, "guess9@example.org", password="x", through="198.51.100.7"))

    response = _sign_in(client, member.email, password=PASSWORD, through="203.0.113.20")

    assert not _refused(response)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS=STRICT)
def test_a_client_cannot_dodge_the_limit_by_writing_its_own_forwarded_for(client, db):
    """The proxy appends the real address; what the client wrote stays on the left."""
    for n in range(4):
        _sign_in(
            client, f"g{n}@example.org", password="wrong", through=f"192.0.2.{n}, 198.51.100.7"
        )

    response = _sign_in(
        client, "g9@example.org", password="wrong", through="192.0.2.99, 198.51.100.7"
    )

    assert _refused(response)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_the_audit_trail_records_the_client_behind_two_proxies(client, db):
    _sign_in(
        client, "nobody@example.org", password="wrong", through="192.0.2.1, 203.0.113.9, 10.0.0.4"
    )

    assert AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED).ip == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
@pytest.mark.parametrize("forwarded", [None, "", "203.0.113.9", "not-an-address, 10.0.0.4"])
def test_a_request_that_did_not_come_through_every_proxy_is_answered_not_failed(
    client, db, forwarded
):
    response = _sign_in(client, "nobody@example.org", password="wrong", through=forwarded)

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED).ip == PROXY


def test_without_a_proxy_the_connection_address_is_the_client(client, db):
    _sign_in(client, "nobody@example.org", password="wrong", through="192.0.2.1")

    assert AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED).ip == PROXY


def test_a_busy_shared_nhs_address_is_not_locked_out_by_colleagues_typos(client, ground_rules):
    """With the portal's own limits, fifty colleagues behind one address mistyping their
    passwords in the same minute leave the fifty-first able to sign in."""
    member = UserFactory(password=PASSWORD)
    for n in range(50):
        _sign_in(client, f"colleague{n}@nhs.example", password="typo")

    response = _sign_in(client, member.email, password=PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_one_account_is_still_limited_to_five_wrong_passwords(client, member):
    for _ in range(5):
        _sign_in(client, member.email, password="wrong", through="198.51.100.1")

    assert _refused(_sign_in(client, member.email, password=PASSWORD))


def test_production_reads_the_proxy_count_from_the_environment():
    found = production_settings(
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ACCOUNT_RATE_LIMITS",
        TRUSTED_PROXY_COUNT="2",
        SIGN_IN_FAILURES_PER_ADDRESS="500",
    )

    assert found["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2
    assert found["ACCOUNT_RATE_LIMITS"]["login_failed"] == "500/m/ip,5/5m/key"
