"""Conversation between sessions: threads on sessions, resources and topic spaces; concerns raised
under the ground rules and the organisers' queue; messages between members who both allow them;
news of it all in the digest, never one email per post.

The privacy tests are attacks: a member outside a caucus, an organiser, and a member who has
left the caucus each try to read a caucus session's conversation by every route the portal has."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import CaucusMembership
from members.models import User
from members.selectors.data_rights import member_data_export
from members.services.data_rights import member_erase
from members.services.digests import digests_send
from resources.models import Concern, Message, Post, Space
from resources.selectors import conversation as selectors
from resources.services import conversation as services
from tests.factories import (
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    ResourceFactory,
    UserFactory,
    permission_give,
)
from tests.mail import mail_sent
from tests.tasks import tasks_run

pytestmark = pytest.mark.django_db

CAUCUS_WORDS = "What we said in the caucus stays with us"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def space(db):
    return Space.objects.create(title="Practice questions", slug="practice-questions")


@pytest.fixture
def caucus_world(ground_rules, organiser):
    """A caucus session whose conversation has one post, by a caucus member."""
    caucus = CaucusFactory(name="Black and Global Majority staff")
    inside = UserFactory(agreed_to=ground_rules, name="Ines Inside")
    author = UserFactory(agreed_to=ground_rules, name="Ade Author")
    for person in (inside, author):
        CaucusMembershipFactory(member=person, caucus=caucus)
    outside = UserFactory(agreed_to=ground_rules, name="Olu Outside")
    session = EventFactory(caucus=caucus, title="Caucus: naming what happens", slug="caucus-1")
    thread = services.thread_get_or_create(event=session)
    post = services.post_write(author=author, thread=thread, body=CAUCUS_WORDS)
    return type(
        "World",
        (),
        {
            "caucus": caucus,
            "inside": inside,
            "author": author,
            "outside": outside,
            "organiser": organiser,
            "session": session,
            "thread": thread,
            "post": post,
        },
    )


# Writing and reading --------------------------------------------------------------------------


def test_a_member_posts_in_a_space_and_others_read_it_with_markdown_made_safe(
    member, ground_rules, space
):
    reader = UserFactory(agreed_to=ground_rules)
    body = (
        "# Shouting\n\n**Bold** and [a link](https://example.org) and "
        "[bad](javascript:alert(1)) <script>alert(2)</script><img src=x onerror=alert(3)>"
    )

    response = client_of(member).post(reverse("resources:space", args=[space.slug]), {"body": body})

    assert response.status_code == 302
    assert response["Location"] == "/conversations/spaces/practice-questions/?page=last#latest"
    page = client_of(reader).get(reverse("resources:space", args=[space.slug])).content.decode()
    assert "<strong>Bold</strong>" in page
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">a link</a>' in page
    assert "<script>alert(2)" not in page
    assert "javascript:" not in page
    assert "onerror" not in page
    assert "<h1>Shouting" not in page
    assert '<div class="prose">Shouting\n<p><strong>Bold</strong>' in page
    assert selectors.is_following(member=member, thread=selectors.thread_of(space=space))


def test_an_empty_or_overlong_post_is_refused_with_its_text_kept(member, space):
    client = client_of(member)
    url = reverse("resources:space", args=[space.slug])

    empty = client.post(url, {"body": "   "})
    long_text = "word " * 1001

    too_long = client.post(url, {"body": long_text})

    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert too_long.status_code == 400
    page = too_long.content.decode()
    assert "Your post is 5,004 characters long: the most is 5,000." in page
    assert long_text.strip()[:200] in page
    assert Post.objects.count() == 0


def test_a_closed_space_keeps_its_posts_and_takes_no_more(member, space):
    thread = services.thread_get_or_create(space=space)
    services.post_write(author=member, thread=thread, body="Before it closed.")
    space.is_open = False
    space.save()

    response = client_of(member).post(
        reverse("resources:space", args=[space.slug]), {"body": "After."}
    )

    assert response.status_code == 400
    assert "This space is closed to new posts." in response.content.decode()
    assert list(Post.objects.values_list("body", flat=True)) == ["Before it closed."]


def test_a_member_writing_too_fast_is_asked_to_wait_and_nothing_is_lost(member, space):
    thread = services.thread_get_or_create(space=space)
    for n in range(services.POSTS_PER_HOUR):
        services.post_write(author=member, thread=thread, body=f"Post {n}")

    with pytest.raises(ValidationError) as refused:
        services.post_write(author=member, thread=thread, body="One more")

    assert refused.value.messages == [
        "You have written 20 posts in the last hour, the most the portal takes. Your text is "
        "still in the box: post it a little later."
    ]
    assert Post.objects.count() == 20


def test_a_resource_and_a_session_each_have_their_own_conversation(member):
    resource = ResourceFactory(title="Toolkit", slug="toolkit")
    session = EventFactory(title="Open session", slug="open-session")
    client = client_of(member)

    client.post(reverse("resources:resource_thread", args=["toolkit"]), {"body": "On the toolkit"})
    client.post(reverse("resources:session_thread", args=["open-session"]), {"body": "On the day"})

    assert selectors.thread_of(resource=resource).posts.get().body == "On the toolkit"
    assert selectors.thread_of(event=session).posts.get().body == "On the day"
    detail = client.get(session.get_absolute_url()).content.decode()
    assert 'href="/conversations/sessions/open-session/"' in detail


def test_an_author_deletes_their_own_post_and_nobody_else_can(member, ground_rules, space):
    other = UserFactory(agreed_to=ground_rules)
    post = services.post_write(
        author=member, thread=services.thread_get_or_create(space=space), body="Mine"
    )

    refused = client_of(other).post(reverse("resources:post_delete", args=[post.pk]))
    deleted = client_of(member).post(reverse("resources:post_delete", args=[post.pk]))

    assert refused.status_code == 404
    assert deleted.status_code == 302
    assert Post.objects.count() == 0


# A caucus session's conversation ---------------------------------------------------------------


def test_a_caucus_sessions_conversation_is_readable_by_its_caucus_alone(caucus_world):
    w = caucus_world
    url = reverse("resources:session_thread", args=[w.session.slug])
    permission_give(w.organiser, "events.view_caucus_choice")

    inside = client_of(w.inside).get(url)

    assert inside.status_code == 200
    assert CAUCUS_WORDS in inside.content.decode()
    for stranger in (w.outside, w.organiser):
        client = client_of(stranger)
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Let me in"}).status_code == 404
        assert client.get(reverse("resources:post_concern", args=[w.post.pk])).status_code == 404
        assert (
            client.post(reverse("resources:thread_follow", args=[w.thread.pk]), {"follow": "yes"})
        ).status_code == 404
        index = client.get(reverse("resources:conversations")).content.decode()
        assert w.session.title not in index
        assert selectors.recent_threads(user=stranger) == []
    assert Post.objects.count() == 1


def test_a_member_who_leaves_the_caucus_loses_its_conversation_and_its_news(caucus_world):
    w = caucus_world
    services.follow_set(member=w.inside, thread=w.thread, following=True)
    CaucusMembership.objects.filter(member=w.inside).delete()
    services.post_write(author=w.author, thread=w.thread, body="Later words")

    assert (
        client_of(w.inside).get(reverse("resources:session_thread", args=[w.session.slug]))
    ).status_code == 404
    since = timezone.now() - datetime.timedelta(days=1)
    assert selectors.followed_news(member=w.inside, since=since) == []


def test_the_queue_says_a_caucus_post_waits_without_showing_it_to_an_organiser_outside(
    caucus_world,
):
    w = caucus_world
    services.concern_raise_about_post(member=w.inside, post=w.post, reason="Names a colleague")

    page = client_of(w.organiser).get(reverse("resources:concerns")).content.decode()
    refused = client_of(w.organiser).post(
        reverse("resources:concern_decide_post", args=[w.post.pk]), {"outcome": "removed"}
    )

    assert "A post in a caucus's conversation" in page
    assert CAUCUS_WORDS not in page
    assert "Names a colleague" not in page
    assert w.author.name not in page
    assert refused.status_code == 403
    w.post.refresh_from_db()
    assert w.post.status == Post.Status.UNDER_REVIEW


def test_an_organiser_trusted_with_caucus_choices_can_decide_on_a_caucus_post(caucus_world):
    w = caucus_world
    permission_give(w.organiser, "events.view_caucus_choice")
    services.concern_raise_about_post(member=w.inside, post=w.post, reason="Names a colleague")

    page = client_of(w.organiser).get(reverse("resources:concerns")).content.decode()

    assert CAUCUS_WORDS in page
    assert "Names a colleague" in page


# Concerns and the organisers' queue ------------------------------------------------------------


@pytest.fixture
def reported(member, ground_rules, space):
    """A post by `author` in a space, and `member` raising a concern about it on the page."""
    author = UserFactory(agreed_to=ground_rules, name="Sam Writer", email="sam@example.org")
    post = services.post_write(
        author=author, thread=services.thread_get_or_create(space=space), body="A careless remark"
    )
    response = client_of(member).post(
        reverse("resources:post_concern", args=[post.pk]), {"reason": "It breaks rule 3."}
    )
    assert response.status_code == 302
    return author, post


def test_a_reported_post_is_hidden_from_others_and_shown_to_its_author(
    reported, ground_rules, space
):
    author, _post = reported
    bystander = UserFactory(agreed_to=ground_rules)
    url = reverse("resources:space", args=[space.slug])

    seen_by_bystander = client_of(bystander).get(url).content.decode()
    seen_by_author = client_of(author).get(url).content.decode()

    assert "A careless remark" not in seen_by_bystander
    assert "0 posts" in seen_by_bystander
    assert "A careless remark" in seen_by_author
    assert "Only you can see this post while an organiser reads it" in seen_by_author
    assert selectors.spaces_with_counts()[0].posts == 0


def test_a_concern_needs_words_cannot_be_about_your_own_post_and_is_raised_once(
    reported, member, organiser
):
    author, post = reported
    client = client_of(member)
    url = reverse("resources:post_concern", args=[post.pk])

    while_hidden = client.post(url, {"reason": "Again"})
    services.concern_decide(moderator=organiser, target=post, outcome="kept")
    empty = client.post(url, {"reason": "  "})
    again = client.post(url, {"reason": "Again"})
    own = client_of(author).get(url)

    assert while_hidden.status_code == 404
    assert empty.status_code == 400
    assert again.status_code == 400
    assert (
        "You have already raised a concern about this post: the organisers will look at it."
        in again.content.decode()
    )
    assert own.status_code == 404
    assert Concern.objects.count() == 1


def test_the_organiser_keeps_a_post_and_later_concerns_no_longer_hide_it(
    reported, organiser, ground_rules
):
    _author, post = reported
    queue = client_of(organiser).get(reverse("resources:concerns")).content.decode()
    assert "A careless remark" in queue
    assert "It breaks rule 3." in queue

    client_of(organiser).post(
        reverse("resources:concern_decide_post", args=[post.pk]),
        {"outcome": "kept", "note": "Clumsy, not harmful."},
    )
    services.concern_raise_about_post(
        member=UserFactory(agreed_to=ground_rules), post=post, reason="Still unhappy"
    )

    post.refresh_from_db()
    assert post.status == Post.Status.VISIBLE
    assert post.kept_at is not None
    assert selectors.concerns_waiting_count() == 1
    assert mail_sent() == []


def test_removing_a_post_tells_its_author_by_email_through_the_workers(reported, organiser):
    _author, post = reported

    client_of(organiser).post(
        reverse("resources:concern_decide_post", args=[post.pk]), {"outcome": "removed"}
    )

    assert mail.outbox == []
    tasks_run()
    post.refresh_from_db()
    assert post.status == Post.Status.REMOVED
    sent = mail_sent()
    assert [(m.to, m.subject) for m in sent] == [
        (["sam@example.org"], "[CoP Portal] One of your posts was removed under the ground rules")
    ]
    assert "A careless remark" not in sent[0].body
    assert "It breaks rule 3." not in sent[0].body
    assert Concern.objects.get().outcome == Concern.Outcome.REMOVED
    assert selectors.concerns_waiting_count() == 0
    again = client_of(organiser).post(
        reverse("resources:concern_decide_post", args=[post.pk]), {"outcome": "kept"}, follow=True
    )
    assert [str(m) for m in again.context["messages"]] == ["That has already been decided."]
    post.refresh_from_db()
    assert post.status == Post.Status.REMOVED


def test_a_member_cannot_hide_posts_without_limit(member, ground_rules, space):
    thread = services.thread_get_or_create(space=space)
    author = UserFactory(agreed_to=ground_rules)
    posts = [services.post_write(author=author, thread=thread, body=f"{n}") for n in range(11)]
    for post in posts[:10]:
        services.concern_raise_about_post(member=member, post=post, reason="No")

    with pytest.raises(ValidationError):
        services.concern_raise_about_post(member=member, post=posts[10], reason="No")

    assert Post.objects.filter(status=Post.Status.VISIBLE).count() == 1


# Messages --------------------------------------------------------------------------------------


def listed(user, *, accepts=True):
    user.listed_in_directory, user.directory_accepts_messages = True, accepts
    user.save()
    return user


def test_members_both_listed_and_accepting_can_message_each_other(member, ground_rules):
    other = listed(UserFactory(agreed_to=ground_rules, name="Kofi"))
    listed(member)

    sent = client_of(member).post(
        reverse("resources:messages_with", args=[other.pk]), {"body": "Coffee?"}
    )
    inbox = client_of(other).get(reverse("resources:inbox")).content.decode()
    read = client_of(other).get(reverse("resources:messages_with", args=[member.pk]))

    assert sent.status_code == 302
    assert "1 unread" in inbox
    assert "Coffee?" in read.content.decode()
    assert Message.objects.get().read_at is not None


@pytest.mark.parametrize(
    ("sender_listed", "sender_accepts", "recipient_listed", "recipient_accepts"),
    [(True, True, True, False), (True, True, False, True), (True, False, True, True)],
)
def test_no_message_goes_unless_both_are_listed_and_accept(
    member, ground_rules, sender_listed, sender_accepts, recipient_listed, recipient_accepts
):
    other = UserFactory(agreed_to=ground_rules)
    member.listed_in_directory, member.directory_accepts_messages = sender_listed, sender_accepts
    member.save()
    other.listed_in_directory, other.directory_accepts_messages = (
        recipient_listed,
        recipient_accepts,
    )
    other.save()

    page = client_of(member).get(reverse("resources:messages_with", args=[other.pk]))
    post = client_of(member).post(
        reverse("resources:messages_with", args=[other.pk]), {"body": "Hello"}
    )

    assert page.status_code == 404
    assert post.status_code == 404
    with pytest.raises(ValidationError):
        services.message_send(sender=member, recipient=other, body="Hello")
    assert Message.objects.count() == 0


def test_a_member_who_stops_accepting_keeps_the_conversation_but_gets_no_more(member, ground_rules):
    other = listed(UserFactory(agreed_to=ground_rules))
    listed(member)
    services.message_send(sender=member, recipient=other, body="First")
    listed(other, accepts=False)

    page = client_of(member).get(reverse("resources:messages_with", args=[other.pk]))
    refused = client_of(member).post(
        reverse("resources:messages_with", args=[other.pk]), {"body": "Second"}
    )

    assert "First" in page.content.decode()
    assert "You cannot write here now" in page.content.decode()
    assert refused.status_code == 400
    assert list(Message.objects.values_list("body", flat=True)) == ["First"]


def test_a_recipient_raises_a_concern_about_a_message_and_the_organiser_removes_it(
    member, ground_rules, organiser
):
    sender = listed(UserFactory(agreed_to=ground_rules))
    listed(member)
    message = services.message_send(sender=sender, recipient=member, body="Unwelcome words")

    sender_tries = client_of(sender).get(reverse("resources:message_concern", args=[message.pk]))
    client_of(member).post(
        reverse("resources:message_concern", args=[message.pk]), {"reason": "Harassing me"}
    )
    client_of(organiser).post(
        reverse("resources:concern_decide_message", args=[message.pk]), {"outcome": "removed"}
    )

    assert sender_tries.status_code == 404
    for person, other in ((member, sender), (sender, member)):
        page = client_of(person).get(reverse("resources:messages_with", args=[other.pk]))
        assert "Unwelcome words" not in page.content.decode()


def test_messages_are_kept_as_written_in_both_members_data_and_go_on_both_sides_on_erasure(
    member, ground_rules, organiser
):
    """What the privacy notice says of messages: kept as written, a removed one kept hidden with
    the concern and the decision, in the member's data download; and deleting either member's
    account deletes the whole exchange, for the other member too, and nobody else's."""
    kofi = listed(UserFactory(agreed_to=ground_rules, name="Kofi"))
    third = listed(UserFactory(agreed_to=ground_rules, name="Third"))
    listed(member)
    services.message_send(sender=member, recipient=kofi, body="Coffee on Tuesday?")
    rude = services.message_send(sender=kofi, recipient=member, body="Unwelcome words")
    services.message_send(sender=kofi, recipient=third, body="Between the two of us")
    services.concern_raise_about_message(member=member, message=rude, reason="Harassing me")
    services.concern_decide(moderator=organiser, target=rude, outcome=Concern.Outcome.REMOVED)

    rude.refresh_from_db()
    concern = Concern.objects.get()
    assert (rude.body, rude.removed_at is not None) == ("Unwelcome words", True)
    assert (concern.raised_by, concern.reason, concern.decided_by, concern.outcome) == (
        member,
        "Harassing me",
        organiser,
        Concern.Outcome.REMOVED,
    )
    data = member_data_export(member=member)
    assert [
        (m["from"], m["to"], m["text"], m["removed_by_organisers"]) for m in data["messages"]
    ] == [
        ("you", "Kofi", "Coffee on Tuesday?", False),
        ("Kofi", "you", "Unwelcome words", True),
    ]
    assert [(c["about"], c["what_you_wrote"], c["decision"]) for c in data["concerns_raised"]] == [
        ("a message", "Harassing me", "Removed")
    ]

    member_erase(member=member)

    assert list(Message.objects.values_list("sender", "recipient", "body")) == [
        (kofi.pk, third.pk, "Between the two of us")
    ]
    assert Concern.objects.count() == 0
    assert [m["text"] for m in member_data_export(member=kofi)["messages"]] == [
        "Between the two of us"
    ]


def test_the_directory_offers_a_message_only_between_members_who_allow_it(member, ground_rules):
    listed(member)
    accepting = listed(UserFactory(agreed_to=ground_rules, name="Accepting Person"))
    listed(UserFactory(agreed_to=ground_rules, name="Quiet Person"), accepts=False)

    page = client_of(member).get(reverse("members:directory")).content.decode()

    assert page.count("Send a message") == 1
    assert f'href="/messages/{accepting.pk}/"' in page


# The digest, the member's data -----------------------------------------------------------------


def test_the_digest_counts_new_posts_in_followed_conversations_and_unread_messages(
    member, ground_rules, space
):
    member.date_joined = timezone.now() - datetime.timedelta(days=365)
    member.save()
    listed(member)
    other = listed(UserFactory(agreed_to=ground_rules))
    thread = services.thread_get_or_create(space=space)
    services.post_write(author=member, thread=thread, body="My question")
    services.post_write(author=other, thread=thread, body="A reply with private detail")
    services.post_write(author=other, thread=thread, body="And another")
    services.message_send(sender=other, recipient=member, body="Private words")
    first = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)

    digests_send(today=first)

    (digest,) = [m for m in mail_sent() if m.to == [member.email]]
    assert "- Practice questions (topic space): 2 new posts" in digest.body
    assert "You have 1 unread message from other members" in digest.body
    assert "private detail" not in digest.body
    assert "Private words" not in digest.body


def test_a_members_posts_are_in_their_data_and_go_when_they_are_erased(
    member, ground_rules, space, caucus_world, organiser
):
    thread = services.thread_get_or_create(space=space)
    services.post_write(author=member, thread=thread, body="Mine to keep")
    caucus_post = services.post_write(
        author=caucus_world.author, thread=caucus_world.thread, body="About the caucus"
    )
    reader = caucus_world.inside
    services.concern_raise_about_post(member=reader, post=caucus_post, reason="Hmm")

    own = member_data_export(member=caucus_world.author)
    by_organiser = member_data_export(member=caucus_world.author, viewer=organiser)
    member_erase(member=reader)

    assert [p["text"] for p in own["posts"]] == [CAUCUS_WORDS, "About the caucus"]
    assert by_organiser["posts"] == []
    assert member_data_export(member=member)["posts"][0]["text"] == "Mine to keep"
    caucus_post.refresh_from_db()
    assert caucus_post.status == Post.Status.VISIBLE
    assert Concern.objects.count() == 0
    member_erase(member=member)
    assert not Post.objects.filter(author=member).exists()
    assert User.objects.get(pk=member.pk).erased_at is not None


def test_the_conversation_on_a_caucus_sessions_material_is_its_caucus_alone_in_the_queue_too(
    caucus_world,
):
    """Not only the session's own thread: a resource from a caucus session is its caucus's,
    and so is the conversation on it, for readers and in the organisers' queue."""
    w = caucus_world
    material = ResourceFactory(
        title="Notes from the caucus", slug="caucus-notes", event=w.session, audience="members"
    )
    thread = services.thread_get_or_create(resource=material)
    post = services.post_write(author=w.author, thread=thread, body="Material words")
    services.concern_raise_about_post(member=w.inside, post=post, reason="Names a colleague")
    url = reverse("resources:resource_thread", args=[material.slug])

    outsider = client_of(w.outside).get(url)
    queue = client_of(w.organiser).get(reverse("resources:concerns")).content.decode()
    refused = client_of(w.organiser).post(
        reverse("resources:concern_decide_post", args=[post.pk]), {"outcome": "removed"}
    )

    assert client_of(w.inside).get(url).status_code == 200
    assert outsider.status_code == 404
    assert "A post in a caucus's conversation" in queue
    assert "Material words" not in queue
    assert "Notes from the caucus" not in queue
    assert "Names a colleague" not in queue
    assert refused.status_code == 403
    post.refresh_from_db()
    assert post.status == Post.Status.UNDER_REVIEW


def test_a_moderation_decision_stays_on_the_audit_trail_after_the_post_and_author_go(
    reported, organiser
):
    from members.models import AuditEvent

    author, post = reported
    services.concern_decide(
        moderator=organiser, target=post, outcome=Concern.Outcome.REMOVED, note="Rule 3 broken"
    )
    post_pk = post.pk
    member_erase(member=author)

    assert not Post.objects.filter(pk=post_pk).exists()
    assert not Concern.objects.exists()
    line = AuditEvent.objects.get(action=AuditEvent.Action.CONCERNS_DECIDED)
    assert (line.actor, line.target_type.model, line.target_id, line.detail) == (
        organiser,
        "post",
        str(post_pk),
        "removed; 1 concern",
    )
    # The trail keeps who decided what, on which record: never the words, the reason or the note.
    written = " ".join(str(value) for value in vars(line).values())
    for words in ("A careless remark", "It breaks rule 3.", "Rule 3 broken", "Sam Writer"):
        assert words not in written
