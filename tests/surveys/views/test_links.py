"""Answering from the personal link in an invitation email, without signing in: the link opens
the survey once, for its own member, and leaves nothing that ties an anonymous answer to them
beyond what answering signed in leaves. The tests of privacy are attacks that must fail."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cop_portal.mail.models import OutgoingEmail
from members.models import AuditEvent
from surveys.links import token_hash, token_new
from surveys.models import Invitation, InvitationLink, Response, SealedResponse, Survey
from surveys.services.release import responses_release
from surveys.services.respond import invitation_link_create, response_submit
from surveys.views.respond import LINK_SESSION_KEY
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "<h1>This survey link does not work</h1>"
NOT_YOURS = "<h1>This survey link is for someone else</h1>"


def _survey(**fields):
    """An open survey with a scale and an optional free-text question."""
    survey = SurveyFactory(title="How are we doing?", **fields)
    scale = QuestionFactory(survey=survey, text="I belong")
    text = QuestionFactory(survey=survey, text="What should change?", kind="text", required=False)
    return survey, scale, text


def _invited_with_link(survey, **member_fields):
    """A new member invited to `survey`, and the token of their link (as the email has it)."""
    invitation = InvitationFactory(survey=survey, member=UserFactory(**member_fields))
    return invitation.member, invitation_link_create(invitation=invitation)


def _link(token):
    return reverse("surveys:link", args=[token])


def _answer_by_link(client, token, answers):
    """Follow the link, then send the answers, as someone reading the email would."""
    opened = client.get(_link(token))
    assert opened["Location"] == reverse("surveys:link_respond")
    return client.post(reverse("surveys:link_respond"), answers)


def _main(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Answering by the link -----------------------------------------------------------------------


def test_the_link_opens_the_survey_without_signing_in_and_takes_an_anonymous_answer(client):
    survey, scale, text = _survey()
    member, token = _invited_with_link(survey)

    opened = client.get(_link(token))

    # Straight on to an address without the token, and nothing in it passed on.
    assert opened.status_code == 302
    assert opened["Location"] == "/s/answer/"
    assert opened["Referrer-Policy"] == "no-referrer"
    assert "no-store" in opened["Cache-Control"]
    page = client.get("/s/answer/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>How are we doing?</h1>" in html
    # The same words about anonymity as the page for a member signed in.
    assert "<strong>This survey is anonymous.</strong> Your answers are stored with no link" in html
    assert "you do not need to sign in. The link works once" in html
    assert token not in html
    assert "_auth_user_id" not in client.session

    sent = client.post(
        "/s/answer/", {f"q{scale.pk}": "2", f"q{text.pk}": "More time for small groups."}
    )

    assert sent.status_code == 302
    assert sent["Location"] == reverse("surveys:link_thanks")
    invitation = Invitation.objects.get()
    assert (invitation.member, invitation.responded) == (member, True)
    assert SealedResponse.objects.count() == 1
    assert not Response.objects.exists()  # sealed, waiting for others, as when signed in
    assert not InvitationLink.objects.exists()
    thanks = client.get(sent["Location"])
    assert "Your answers to “How are we doing?” are in. They are stored with no link to you." in (
        thanks.content.decode()
    )
    # Said once: the page does not name the survey to the next person at the same computer.
    assert "How are we doing?" not in client.get(sent["Location"]).content.decode()


def test_a_named_survey_answered_by_the_link_keeps_the_member_as_signed_in(client):
    survey, scale, _ = _survey(named=True)
    member, token = _invited_with_link(survey, sector="nhs")
    client.get(_link(token))
    page = client.get("/s/answer/").content.decode()
    assert (
        "<strong>This survey is not anonymous.</strong> Your answers are stored with your name"
        in (page)
    )

    _answer_by_link(client, token, {f"q{scale.pk}": "5"})

    response = Response.objects.get()
    assert (response.member, response.sector) == (member, "nhs")
    assert list(response.answers.values_list("value", flat=True)) == [5]


def test_the_visitor_is_signed_in_to_nothing(client):
    survey, _scale, _ = _survey()
    _, token = _invited_with_link(survey)

    client.get(_link(token))

    profile = client.get(reverse("members:profile"))
    assert profile.status_code == 302
    assert profile["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("surveys:respond", args=[survey.slug])).status_code == 302
    assert client.get(reverse("surveys:waiting")).status_code == 302


def test_a_missing_answer_is_asked_for_again_and_the_link_still_works(client):
    survey, scale, _ = _survey()
    _, token = _invited_with_link(survey)

    again = _answer_by_link(client, token, {})

    assert again.status_code == 200
    assert "Some answers need another look: see the messages below." in again.content.decode()
    assert not SealedResponse.objects.exists()
    assert client.post("/s/answer/", {f"q{scale.pk}": "3"}).status_code == 302
    assert SealedResponse.objects.count() == 1


# Single use, expiry, and links that were never issued ----------------------------------------


def test_opening_the_link_uses_nothing_up(client):
    """Mail scanners fetch links before the reader does: only sending the answers uses one."""
    survey, scale, _ = _survey()
    _, token = _invited_with_link(survey)
    scanner = Client()

    assert scanner.get(_link(token)).status_code == 302
    assert scanner.get("/s/answer/").status_code == 200
    assert scanner.get(_link(token)).status_code == 302

    assert InvitationLink.objects.count() == 1
    assert Invitation.objects.get().responded is False
    assert _answer_by_link(client, token, {f"q{scale.pk}": "4"}).status_code == 302
    assert Invitation.objects.get().responded is True


def test_a_used_link_is_refused_with_a_clear_page(client):
    survey, scale, _ = _survey()
    _, token = _invited_with_link(survey)
    other_window = Client()
    other_window.get(_link(token))
    _answer_by_link(client, token, {f"q{scale.pk}": "4"})

    again = Client().get(_link(token))

    assert again.status_code == 404
    assert again["Referrer-Policy"] == "no-referrer"
    html = _main(again)
    assert REFUSED in html
    assert "Each link in a survey email is personal and works once." in html
    assert f'<a href="{reverse("account_login")}">sign in</a>' in html
    # A second window opened before the answer went cannot answer again either.
    late = other_window.post("/s/answer/", {f"q{scale.pk}": "1"})
    assert late.status_code == 404
    assert REFUSED in late.content.decode()
    assert SealedResponse.objects.count() == 1
    # And the browser that answered has no session left to try with.
    assert client.post("/s/answer/", {f"q{scale.pk}": "1"}).status_code == 404
    assert SealedResponse.objects.count() == 1


def test_answering_signed_in_ends_the_link_too(client):
    survey, scale, _ = _survey()
    member, token = _invited_with_link(survey)

    response_submit(survey=survey, member=member, answers={scale: 4})

    assert not InvitationLink.objects.exists()
    assert REFUSED in client.get(_link(token)).content.decode()


@pytest.mark.parametrize("how", ["link expired", "survey closed", "account deactivated"])
def test_an_expired_link_is_refused_with_the_same_page(client, how):
    survey, scale, _ = _survey()
    member, token = _invited_with_link(survey)
    client.get(_link(token))  # opened while it worked
    past = timezone.now() - timedelta(minutes=1)
    if how == "link expired":
        InvitationLink.objects.update(expires_at=past)
    elif how == "survey closed":
        Survey.objects.filter(pk=survey.pk).update(
            opens_at=past - timedelta(days=2), closes_at=past
        )
    else:
        type(member).objects.filter(pk=member.pk).update(is_active=False)

    opened = Client().get(_link(token))
    answering = client.post("/s/answer/", {f"q{scale.pk}": "4"})

    assert (opened.status_code, answering.status_code) == (404, 404)
    assert REFUSED in opened.content.decode()
    assert REFUSED in answering.content.decode()
    assert not SealedResponse.objects.exists()
    assert Invitation.objects.get().responded is False


def test_unknown_used_and_expired_links_get_the_very_same_page(client):
    """Whoever holds a token learns nothing from the refusal about whether it ever existed."""
    survey, scale, _ = _survey()
    _, used = _invited_with_link(survey)
    _answer_by_link(client, used, {f"q{scale.pk}": "4"})
    _, expired = _invited_with_link(survey)
    InvitationLink.objects.filter(token_hash=token_hash(expired)).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    tokens = [used, expired, token_new(), "nonsense", "a" * 300, "%00", "-" * 43]

    pages = [Client().get(f"/s/{token}/") for token in tokens]

    assert {page.status_code for page in pages} == {404}
    assert len({_main(page) for page in pages}) == 1
    assert REFUSED in _main(pages[0])


def test_the_page_after_the_link_refuses_a_browser_that_never_followed_one(client):
    response = client.get("/s/answer/")
    assert response.status_code == 404
    assert REFUSED in response.content.decode()
    session = client.session
    session[LINK_SESSION_KEY] = "1; DROP TABLE surveys_invitation"
    session.save()
    assert client.get("/s/answer/").status_code == 404


# Who is signed in --------------------------------------------------------------------------------


def test_a_member_signed_in_following_their_own_link_just_answers(client):
    survey, _scale, _ = _survey()
    member, token = _invited_with_link(survey)
    client.force_login(member)

    opened = client.get(_link(token))

    assert opened["Location"] == reverse("surveys:respond", args=[survey.slug])
    assert LINK_SESSION_KEY not in client.session


def test_a_member_signed_in_cannot_answer_with_someone_elses_link(client):
    survey, scale, _ = _survey()
    _, token = _invited_with_link(survey)
    someone_else = UserFactory(name="Sam Other")
    InvitationFactory(survey=survey, member=someone_else)
    client.force_login(someone_else)

    refused = client.get(_link(token))

    assert refused.status_code == 403
    html = refused.content.decode()
    assert NOT_YOURS in html
    assert "you are signed in as Sam Other. Nothing has been answered" in html
    assert LINK_SESSION_KEY not in client.session
    # The link still works for the person it was sent to.
    assert _answer_by_link(Client(), token, {f"q{scale.pk}": "4"}).status_code == 302
    assert list(Invitation.objects.filter(responded=True).values_list("member", flat=True)) != [
        someone_else.pk
    ]


def test_signing_in_as_someone_else_after_following_a_link_does_not_answer_for_its_member(client):
    survey, scale, _ = _survey()
    _, token = _invited_with_link(survey)
    client.get(_link(token))
    client.force_login(UserFactory())

    refused = client.post("/s/answer/", {f"q{scale.pk}": "4"})

    assert refused.status_code == 403
    assert NOT_YOURS in refused.content.decode()
    assert not SealedResponse.objects.exists()
    assert not Invitation.objects.filter(responded=True).exists()


# The token itself ----------------------------------------------------------------------------


def test_the_database_keeps_only_a_hash_of_the_token():
    survey, *_ = _survey()
    invitation = InvitationFactory(survey=survey)

    token = invitation_link_create(invitation=invitation)

    # 256 random bits, URL-safe.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    stored = _rows("SELECT * FROM surveys_invitationlink")
    assert len(stored) == 1
    assert token not in repr(stored)
    assert InvitationLink.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_a_database_reader_cannot_open_a_link_with_what_is_stored(client):
    survey, *_ = _survey()
    _, _token = _invited_with_link(survey)
    stored = InvitationLink.objects.get().token_hash

    for attempt in (stored, stored[:43], str(InvitationLink.objects.get().pk)):
        assert REFUSED in client.get(_link(attempt)).content.decode()


def test_a_token_is_found_by_its_hash_alone_so_near_misses_open_nothing(client):
    """Guessing needs the whole token: one wrong character, a prefix, or another invitation's
    token with a letter changed opens nothing, and lookups are by hash, so nothing about how
    close a guess came shows."""
    survey, *_ = _survey()
    _, token = _invited_with_link(survey)
    _, other = _invited_with_link(survey)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")

    for attempt in (flipped, token[:42], token.upper() if token.upper() != token else token[::-1]):
        assert REFUSED in client.get(_link(attempt)).content.decode()
    assert client.get(_link(token)).status_code == 302
    assert Client().get(_link(other)).status_code == 302
    tokens = {token_new() for _ in range(1000)}
    assert len(tokens) == 1000  # no repeats, as 256 random bits promise


# Against someone holding a copy of the database --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_answering_by_link_ties_an_anonymous_answer_to_nobody_in_the_database():
    """Eight members answer, four by the link and four signed in, each in their own
    transaction; then the survey closes and its answers are released. Nothing in the tables
    that hold answers, the invitations, the links, the sessions, the audit trail or the outbox
    joins a link-answerer to their answer: nothing more than answering signed in leaves."""
    survey, scale, text = _survey()
    by_link = [_invited_with_link(survey) for _ in range(4)]
    signed_in = [InvitationFactory(survey=survey).member for _ in range(4)]
    audit_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    outbox_before = OutgoingEmail.objects.count()

    for n, (_, token) in enumerate(by_link):
        browser = Client()
        sent = _answer_by_link(
            browser, token, {f"q{scale.pk}": str(1 + n), f"q{text.pk}": f"By link {n}"}
        )
        assert sent.status_code == 302
    for n, member in enumerate(signed_in):
        browser = Client()
        browser.force_login(member)
        sent = browser.post(
            reverse("surveys:respond", args=[survey.slug]),
            {f"q{scale.pk}": str(1 + n), f"q{text.pk}": f"Signed in {n}"},
        )
        assert sent.status_code == 302

    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    survey.refresh_from_db()
    responses_release(survey=survey)

    link_members = {member.pk for member, _ in by_link}
    invitations = _rows(
        "SELECT xmin::text, member_id, responded FROM surveys_invitation WHERE survey_id = %s",
        [survey.pk],
    )
    assert {responded for *_, responded in invitations} == {True}
    responses = _rows(
        "SELECT xmin::text, member_id FROM surveys_response WHERE survey_id = %s", [survey.pk]
    )
    answers = _rows(
        "SELECT a.xmin::text FROM surveys_answer a JOIN surveys_response r "
        "ON r.id = a.response_id WHERE r.survey_id = %s",
        [survey.pk],
    )
    assert len(responses) == 8
    assert {member for _, member in responses} == {None}
    # No response or answer was written in any member's transaction, by link or not ...
    invitation_xmins = {xmin for xmin, *_ in invitations}
    assert len(invitation_xmins) == 8
    assert not {xmin for xmin, _ in responses} & invitation_xmins
    assert not {xmin for (xmin,) in answers} & invitation_xmins
    # ... but all together, in the final release.
    assert len({xmin for xmin, _ in responses} | {xmin for (xmin,) in answers}) == 1
    # The invitation row holds no more than signed-in answering leaves.
    assert {f.column for f in Invitation._meta.concrete_fields} == {
        "id", "survey_id", "member_id", "invited_on", "reminded_on", "responded",
    }  # fmt: skip
    assert (
        Invitation.objects.filter(member__in=link_members).values_list("reminded_on").distinct()
    ).get() == (None,)
    # No link is left, and no session holds one, or a link-answerer's id: each ended.
    assert not InvitationLink.objects.exists()
    for session in Session.objects.all():
        data = session.get_decoded()
        assert LINK_SESSION_KEY not in data
        assert str(data.get("_auth_user_id")) not in {str(pk) for pk in link_members}
    # The audit trail has the signed-in members' sign-ins, and nothing about anyone who
    # answered by the link; answering wrote no email, by link or signed in.
    lines = AuditEvent.objects.filter(pk__gt=audit_before)
    assert sorted((line.action, line.actor_id) for line in lines) == sorted(
        ("signed_in", member.pk) for member in signed_in
    )
    assert not AuditEvent.objects.filter(target_id__in=[str(pk) for pk in link_members])
    assert OutgoingEmail.objects.count() == outbox_before
    assert not SealedResponse.objects.exists()
