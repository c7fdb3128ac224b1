"""The members' side of "from learning to action": actions, shared examples, journey check-ins
and action reminders."""

import datetime
import re
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from events.models import Event
from members.models import Action, ActionUpdate, CheckIn, JourneyStage
from members.selectors.journey import member_action_summary
from members.services.journey import (
    action_from_session_save,
    action_reminders_send,
    action_status_update,
)
from members.views.journey import journey_chart
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    CheckInFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(ground_rules):
    """A second member, who must never see the first member's private things."""
    return UserFactory(agreed_to=ground_rules, name="Bea Other")


def today():
    return timezone.localdate()


def section(response, heading_id):
    """The HTML of the page section labelled by `heading_id`."""
    html = response.content.decode()
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


# Recording and changing actions ------------------------------------------------------------


def test_a_member_records_an_action_from_a_session(member_client, member):
    event = EventFactory(title="Racism and maternity care")
    due = today() + timedelta(days=14)

    response = member_client.post(
        reverse("members:action_new"),
        {
            "what": "Bring the maternity audit to our team meeting",
            "why": "Black women are four times more likely to die.",
            "due_on": due.isoformat(),
            "level": "team",
            "event": event.pk,
            "shared": "on",
        },
    )

    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("members:action_detail", args=[action.pk])
    assert action.member == member
    assert action.what == "Bring the maternity audit to our team meeting"
    assert action.why == "Black women are four times more likely to die."
    assert action.due_on == due
    assert action.level == Action.Level.TEAM
    assert action.event == event
    assert action.shared is True
    assert action.status == Action.Status.PLANNED

    page = member_client.get(reverse("members:actions"))
    to_do = section(page, "to-do-heading")
    assert "Bring the maternity audit to our team meeting</a>" in to_do
    assert f"<td>{dateformat.format(due, 'j M Y')}</td>" in to_do
    assert f'<a href="{event.get_absolute_url()}">Racism and maternity care</a>' in to_do
    assert "<td>My team</td>" in to_do
    assert "<td>Planned</td>" in to_do
    assert "<td>Shared</td>" in to_do
    assert "Overdue" not in to_do


def test_the_form_explains_privacy_and_offers_published_sessions_attended_first(
    member_client, member
):
    older = EventFactory(
        title="Older session I came to", starts_at=timezone.now() - timedelta(days=60)
    )
    AttendanceFactory(event=older, member=member)
    newer = EventFactory(title="Newer session", starts_at=timezone.now() - timedelta(days=5))
    EventFactory(title="A draft", status=Event.Status.DRAFT)

    response = member_client.get(reverse("members:action_new"))

    content = response.content.decode()
    assert "Your actions are private to you." in content
    assert "Organisers see only how many actions members record, never what they say." in content
    assert '<input type="date" name="due_on"' in content
    labels = [label for _, label in response.context["form"].fields["event"].choices]

    def day(event):
        return dateformat.format(timezone.localtime(event.starts_at), "j M Y")

    assert labels == [
        "None, or not from a session",
        f"{day(older)} – Older session I came to",
        f"{day(newer)} – Newer session",
    ]


def test_the_session_is_preselected_from_the_address_only_when_it_is_offered(member_client):
    event = EventFactory()
    draft = EventFactory(status=Event.Status.DRAFT)
    url = reverse("members:action_new")

    assert member_client.get(url, {"event": event.pk}).context["form"].initial == {
        "event": event.pk
    }
    for bad in [draft.pk, "abc", "99999999999999999999999", ""]:
        assert member_client.get(url, {"event": bad}).context["form"].initial == {}


def test_caucus_sessions_are_offered_only_to_members_of_that_caucus(member_client, member):
    caucus = CaucusFactory()
    EventFactory(title="Caucus session", caucus=caucus)
    url = reverse("members:action_new")

    assert "Caucus session" not in member_client.get(url).content.decode()
    CaucusMembershipFactory(member=member, caucus=caucus)
    assert "Caucus session" in member_client.get(url).content.decode()


def test_an_action_keeps_its_session_when_the_session_is_no_longer_offered(member_client, member):
    event = EventFactory(title="Unpublished later")
    action = ActionFactory(member=member, event=event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)

    response = member_client.post(
        reverse("members:action_edit", args=[action.pk]),
        {"what": "Reworded", "level": "team", "event": event.pk},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.what, action.event) == ("Reworded", event)
    new_form = member_client.get(reverse("members:action_new")).content.decode()
    assert "Unpublished later" not in new_form


def test_a_due_date_in_the_past_is_refused_for_a_new_action(member_client):
    response = member_client.post(
        reverse("members:action_new"),
        {
            "what": "Read the race equality report",
            "due_on": (today() - timedelta(days=1)).isoformat(),
            "level": "personal",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"due_on": ["Choose today or a later date."]}
    assert "Choose today or a later date." in response.content.decode()
    assert Action.objects.count() == 0


def test_a_member_edits_an_action_and_may_keep_a_past_date(member_client, member):
    action = ActionFactory(member=member, due_on=today() - timedelta(days=10))
    past = today() - timedelta(days=3)

    response = member_client.post(
        reverse("members:action_edit", args=[action.pk]),
        {
            "what": "Ask for ethnicity data in the next audit",
            "due_on": past.isoformat(),
            "level": "organisation",
        },
    )

    assert response["Location"] == reverse("members:action_detail", args=[action.pk])
    action.refresh_from_db()
    assert action.what == "Ask for ethnicity data in the next audit"
    assert action.due_on == past
    assert action.level == Action.Level.ORGANISATION
    assert action.shared is False


def test_marking_an_action_done_records_the_day_the_value_and_an_update(member_client, member):
    action = ActionFactory(member=member, status=Action.Status.IN_PROGRESS)
    url = reverse("members:action_detail", args=[action.pk])

    form_page = member_client.get(url).content.decode()
    assert "What difference did it make?" in form_page
    assert "Practice changed (applied value)" in form_page

    response = member_client.post(
        url, {"status": "done", "note": "The audit now asks.", "value_cycle": "applied"}
    )

    assert response["Location"] == url
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.completed_on == today()
    assert action.value_cycle == "applied"
    update = ActionUpdate.objects.get()
    assert (update.action, update.status, update.note) == (action, "done", "The audit now asks.")
    page = member_client.get(url).content.decode()
    assert "Your action is now “Done”." in page
    assert "The audit now asks." in page
    assert "Practice changed (applied value)</dd>" in page


def test_updates_are_listed_newest_first_and_a_long_note_is_refused(member_client, member):
    action = ActionFactory(member=member)
    url = reverse("members:action_detail", args=[action.pk])
    member_client.post(url, {"status": "in_progress", "note": "First step taken"})
    member_client.post(url, {"status": "dropped", "note": "Team restructured"})

    response = member_client.post(url, {"status": "done", "note": "x" * 501})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "note": ["Ensure this value has at most 500 characters (it has 501)."]
    }
    assert [u.note for u in response.context["updates"]] == [
        "Team restructured",
        "First step taken",
    ]
    action.refresh_from_db()
    assert action.status == Action.Status.DROPPED


def test_a_later_note_on_a_done_action_keeps_the_day_it_was_done(member):
    action = ActionFactory(member=member)
    action_status_update(action=action, status="done")
    Action.objects.filter(pk=action.pk).update(completed_on=today() - timedelta(days=20))
    action.refresh_from_db()

    action_status_update(action=action, status="done", note="Still going well")

    action.refresh_from_db()
    assert action.completed_on == today() - timedelta(days=20)


def test_a_member_deletes_an_action_after_confirming(member_client, member):
    action = ActionFactory(member=member, what="Start a reading group")
    url = reverse("members:action_delete", args=[action.pk])

    confirm = member_client.get(url)
    assert "<h1>Delete this action?</h1>" in confirm.content.decode()
    assert "“Start a reading group”" in confirm.content.decode()
    assert Action.objects.filter(pk=action.pk).exists()

    response = member_client.post(url)

    assert response["Location"] == reverse("members:actions")
    assert not Action.objects.filter(pk=action.pk).exists()


def test_the_actions_page_groups_actions_and_says_overdue_in_words(member_client, member):
    ActionFactory(member=member, what="Late one", due_on=today() - timedelta(days=2))
    ActionFactory(
        member=member, what="Soon one", due_on=today() + timedelta(days=2), status="in_progress"
    )
    ActionFactory(member=member, what="Done one", due_on=today() - timedelta(days=9), status="done")
    ActionFactory(member=member, what="Dropped one", status="dropped")

    response = member_client.get(reverse("members:actions"))

    to_do, finished = section(response, "to-do-heading"), section(response, "finished-heading")
    assert re.findall(r'<a href="/actions/\d+/">([^<]+)</a>', to_do) == ["Late one", "Soon one"]
    assert to_do.count("Overdue") == 1
    assert re.search(r"Late one</a></th>\s*<td>[^<]*</td>\s*<td>[^<]*<strong[^>]*>Overdue", to_do)
    assert sorted(re.findall(r'<a href="/actions/\d+/">([^<]+)</a>', finished)) == [
        "Done one",
        "Dropped one",
    ]
    assert "Overdue" not in finished
    assert '<a class="btn btn-primary" href="/actions/new/">Record an action</a>' in (
        response.content.decode()
    )


# Privacy --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("members:action_detail", "get"),
        ("members:action_detail", "post"),
        ("members:action_edit", "get"),
        ("members:action_edit", "post"),
        ("members:action_delete", "get"),
        ("members:action_delete", "post"),
    ],
)
def test_another_members_action_answers_404(client, member, other, name, method):
    action = ActionFactory(member=member, what="My private plan", shared=True)
    client.force_login(other)

    response = getattr(client, method)(
        reverse(name, args=[action.pk]), {"what": "Hijacked", "level": "team", "status": "done"}
    )

    assert response.status_code == 404
    action.refresh_from_db()
    assert (action.what, action.status) == ("My private plan", Action.Status.PLANNED)
    assert ActionUpdate.objects.count() == 0


def test_a_private_action_never_appears_on_another_members_pages(client, member, other):
    ActionFactory(member=member, what="My private plan about the rota", why="A private reason")
    CheckInFactory(member=member, stage=JourneyStage.ACTING, note="My private note")
    client.force_login(other)

    for name in ["members:home", "members:actions", "members:actions_shared", "members:journey"]:
        content = client.get(reverse(name)).content.decode()
        assert "My private plan about the rota" not in content, name
        assert "A private reason" not in content, name
        assert "My private note" not in content, name


def test_shared_examples_show_only_shared_actions_with_the_members_name(member_client, member):
    sharer = UserFactory(name="Ama Mensah")
    ActionFactory(
        member=sharer,
        what="Changed our interpreter booking",
        why="Families waited hours.",
        level=Action.Level.ORGANISATION,
        status=Action.Status.DONE,
        shared=True,
    )
    ActionFactory(member=sharer, what="A private plan of Ama's", shared=False)
    ActionFactory(member=UserFactory(is_active=False), what="From a closed account", shared=True)

    response = member_client.get(reverse("members:actions_shared"))

    content = response.content.decode()
    assert [a.what for a in response.context["page"].object_list] == [
        "Changed our interpreter booking"
    ]
    assert '<h2 class="h5 card-title">Changed our interpreter booking</h2>' in content
    assert "Families waited hours." in content
    assert "My organisation · Done · shared by Ama Mensah" in content
    assert "A private plan of Ama's" not in content
    assert "From a closed account" not in content
    assert sharer.email not in content


def test_shared_examples_are_paginated_by_20(member_client):
    sharer = UserFactory()
    for n in range(21):
        ActionFactory(member=sharer, what=f"Shared example {n}", shared=True)

    first = member_client.get(reverse("members:actions_shared"))
    second = member_client.get(reverse("members:actions_shared"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_the_actions_page_query_count_does_not_grow_with_actions(
    member_client, member, same_queries_at_two_sizes
):
    """The list must not run a query per action for its session."""

    def make(n):
        for _ in range(n):
            ActionFactory(member=member, event=EventFactory(), due_on=today())
            ActionFactory(member=member, status=Action.Status.DONE, event=EventFactory())

    pages = same_queries_at_two_sizes(
        member_client, reverse("members:actions"), grow=make, sizes=(2, 15)
    )
    assert len(pages.small.context["actions"].to_do) == 2
    assert len(pages.large.context["actions"].finished) == 17


def test_the_shared_examples_query_count_does_not_grow_with_actions(
    member_client, same_queries_at_two_sizes
):
    """The examples must not run a query per action for the member's name."""

    def make(n):
        ActionFactory.create_batch(n, shared=True)

    pages = same_queries_at_two_sizes(
        member_client, reverse("members:actions_shared"), grow=make, sizes=(2, 15)
    )
    assert pages.small.context["page"].paginator.count == 2
    assert pages.large.context["page"].paginator.count == 17


# Journey check-ins ----------------------------------------------------------------------------


def test_the_journey_page_explains_the_stages(member_client):
    response = member_client.get(reverse("members:journey"))

    content = response.content.decode()
    assert re.findall(r"<dt>([^<]+)</dt>", content) == [
        "Noticing",
        "Understanding",
        "Looking inward",
        "Acting",
        "Advocating and leading",
    ]
    assert "moving back is part of learning too" in content
    assert "You have not checked in yet. We suggest checking in about every three months" in content
    assert "Looking inward – I am examining my own position, assumptions and habits" in content
    assert len(re.findall(r'<input type="radio"[^>]* name="stage"', content)) == 5
    assert "<svg" not in content


def test_a_member_checks_in_and_sees_their_path(member_client, member):
    earlier = CheckInFactory(member=member, stage=JourneyStage.NOTICING, note="")
    CheckIn.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=120))

    response = member_client.post(
        reverse("members:journey"), {"stage": "3", "note": "Thinking about my own referrals."}
    )

    assert response["Location"] == reverse("members:journey")
    check_in = CheckIn.objects.filter(member=member).first()
    assert (check_in.stage, check_in.note) == (3, "Thinking about my own referrals.")
    page = member_client.get(reverse("members:journey"))
    content = page.content.decode()
    assert "Your check-in is saved. Only you can see it." in content
    assert f"Your last check-in was on {dateformat.format(today(), 'j F Y')}." in content
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>', content
    )
    assert rows == [
        (dateformat.format(today(), "j F Y"), "Looking inward", "Thinking about my own referrals."),
        (
            dateformat.format(timezone.localdate(timezone.now() - timedelta(days=120)), "j F Y"),
            "Noticing",
            "None",
        ),
    ]
    svg = re.search(r"<svg.*?</svg>", content, re.S).group(0)
    assert 'role="img"' in svg
    assert (
        '<title id="journey-chart-title">Your stage on the learning journey over time</title>'
        in svg
    )
    assert svg.count("<circle") == 2
    assert "style" not in svg
    assert "<script" not in svg
    assert page.context["form"].initial == {"stage": 3}


def test_the_journey_page_suggests_checking_in_again_after_three_months(member_client, member):
    old = CheckInFactory(member=member, stage=JourneyStage.ACTING)
    CheckIn.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))

    content = member_client.get(reverse("members:journey")).content.decode()

    assert "It has been three months or more: a good time to check in again." in content


def test_a_check_in_needs_a_stage(member_client):
    response = member_client.post(reverse("members:journey"), {"stage": "9", "note": "Hm"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "stage": ["Select a valid choice. 9 is not one of the available choices."]
    }
    assert CheckIn.objects.count() == 0


def test_another_member_never_sees_my_check_ins(client, member, other):
    CheckInFactory(member=member, stage=JourneyStage.ADVOCATING, note="Mine alone")
    CheckInFactory(member=other, stage=JourneyStage.NOTICING, note="Bea's own")
    client.force_login(other)

    response = client.get(reverse("members:journey"))

    content = response.content.decode()
    assert [c.note for c in response.context["path"].check_ins] == ["Bea's own"]
    assert "Mine alone" not in content
    assert "<td>Advocating and leading</td>" not in content


def test_the_journey_chart_steps_from_check_in_to_check_in_until_today():
    # Noon, UK time: at any hour of the day, and across a clock change, each check-in falls on
    # the day intended.
    noon = datetime.time(12, tzinfo=ZoneInfo("Europe/London"))
    start = datetime.datetime.combine(timezone.localdate() - timedelta(days=100), noon)
    check_ins = [
        CheckIn(pk=2, stage=JourneyStage.ACTING, created_at=start + timedelta(days=50)),
        CheckIn(pk=1, stage=JourneyStage.NOTICING, created_at=start),
    ]

    chart = journey_chart(check_ins, today=timezone.localdate(start + timedelta(days=100)))

    # 440 wide from x=180; stage 5 at y=20 down to stage 1 at y=200.
    assert chart.points == [(180.0, 200.0), (400.0, 65.0)]
    assert chart.path == "M 180.0 200.0 H 400.0 V 65.0 H 620.0"
    assert chart.last_label == "Today"
    assert journey_chart([]) is None


# Home page ------------------------------------------------------------------------------------


def test_the_home_page_links_to_actions_and_the_journey(member_client):
    content = member_client.get(reverse("members:home")).content.decode()

    assert '<h2 id="actions-heading">Your actions</h2>' in content
    assert '<a href="/actions/">See and record your actions</a>' in content
    assert '<a href="/journey/">Check in on your learning journey</a>' in content


def test_the_home_section_gives_the_open_count_and_the_next_action_due(member):
    """Rendered with the selector's summary, as the home view passes it to the page's kept
    part."""
    ActionFactory(member=member, what="Later", due_on=today() + timedelta(days=9))
    soon = ActionFactory(member=member, what="Soonest", due_on=today() + timedelta(days=1))
    ActionFactory(member=member, what="Finished", due_on=today(), status=Action.Status.DONE)

    html = render_to_string(
        "members/home.html#content",
        {"member": member, "action_summary": member_action_summary(member=member)},
    )

    due = dateformat.format(soon.due_on, "l j F")
    assert (
        f'You have 2 open actions. Next due: <a href="/actions/{soon.pk}/">Soonest</a>, by {due}.'
        in html
    )


# Reminders ------------------------------------------------------------------------------------


def test_an_action_due_tomorrow_is_reminded_once(member):
    action = ActionFactory(
        member=member, what="Raise the rota at the team meeting", due_on=today() + timedelta(days=1)
    )

    assert action_reminders_send() == 1
    assert action_reminders_send() == 0

    (message,) = mail_sent()
    assert message.to == [member.email]
    assert message.subject == "[CoP Portal] An action you planned is due"
    assert "\nRaise the rota at the team meeting\n" in message.body
    due = dateformat.format(action.due_on, "l j F Y")
    assert f"You set yourself {due} as the date for it." in message.body
    assert f"http://127.0.0.1:8000/actions/{action.pk}/\n" in message.body
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body.splitlines()[-2:] == [
        f"Stop reminders (of sessions and of actions): {header[1:-1]}",
        "Choose which emails you get: http://127.0.0.1:8000/profile/emails/",
    ]
    action.refresh_from_db()
    assert action.reminder_sent_on == today()


def test_no_reminder_for_finished_or_far_off_actions_or_members_who_turned_reminders_off(
    member, ground_rules
):
    tomorrow = today() + timedelta(days=1)
    ActionFactory(member=member, due_on=tomorrow, status=Action.Status.DONE)
    ActionFactory(member=member, due_on=tomorrow, status=Action.Status.DROPPED)
    ActionFactory(member=member, due_on=today() + timedelta(days=5))
    ActionFactory(member=member, due_on=None)
    quiet = UserFactory(agreed_to=ground_rules, email_reminders=False)
    ActionFactory(member=quiet, due_on=tomorrow)

    assert action_reminders_send() == 0
    assert mail_sent() == []


def test_the_reminder_command_says_how_many_it_sent(member, other):
    ActionFactory(member=member, due_on=today() + timedelta(days=1))
    ActionFactory(member=other, due_on=today(), status=Action.Status.IN_PROGRESS)
    out = StringIO()

    call_command("send_action_reminders", stdout=out)
    call_command("send_action_reminders", stdout=out)

    assert out.getvalue() == "Sent 2 action reminders.\nSent 0 action reminders.\n"
    assert len(mail_sent()) == 2


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "needs_pk"),
    [
        ("members:actions", False),
        ("members:action_new", False),
        ("members:actions_shared", False),
        ("members:journey", False),
        ("members:action_detail", True),
        ("members:action_edit", True),
        ("members:action_delete", True),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, member, name, needs_pk):
    url = reverse(name, args=[ActionFactory(member=member).pk] if needs_pk else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


# Record one action from today (the link in the email after a session) --------------------------


def test_the_link_opens_the_form_tied_to_the_session_and_saves_the_action(member_client, member):
    session = EventFactory(past=True, title="Naming racism", slug="naming-racism")
    AttendanceFactory(event=session, member=member)
    url = reverse("members:action_from_session", args=["naming-racism"])

    page = member_client.get(url).content.decode()
    assert "<h1>Record one action from today</h1>" in page
    assert 'From the session <a href="/events/naming-racism/">Naming racism</a>' in page
    assert 'name="event"' not in page

    other_session = EventFactory(past=True)
    response = member_client.post(
        url, {"what": "Ask for ethnicity data", "level": "team", "event": other_session.pk}
    )

    action = Action.objects.get(member=member)
    assert response.url == reverse("members:action_detail", args=[action.pk])
    assert (action.what, action.level, action.event) == ("Ask for ethnicity data", "team", session)


def test_the_link_answers_404_for_a_session_the_member_did_not_come_to(member_client, member):
    booked_only = EventFactory(past=True, slug="booked-only")
    RegistrationFactory(event=booked_only, member=member)
    url = reverse("members:action_from_session", args=["booked-only"])

    assert member_client.get(url).status_code == 404
    assert member_client.post(url, {"what": "Sneak it in", "level": "team"}).status_code == 404
    assert not Action.objects.exists()


def test_the_link_answers_404_for_a_caucus_session_once_the_member_has_left_the_caucus(
    member_client, member
):
    caucus = CaucusFactory()
    membership = CaucusMembershipFactory(member=member, caucus=caucus)
    session = EventFactory(past=True, caucus=caucus, slug="caucus-session")
    AttendanceFactory(event=session, member=member)
    url = reverse("members:action_from_session", args=["caucus-session"])
    assert member_client.get(url).status_code == 200

    membership.delete()

    assert member_client.get(url).status_code == 404
    assert member_client.post(url, {"what": "Sneak it in", "level": "team"}).status_code == 404
    assert not Action.objects.exists()


def test_the_link_asks_a_visitor_to_sign_in_and_comes_back(client):
    session = EventFactory(past=True, slug="naming-racism")
    AttendanceFactory(event=session)
    url = reverse("members:action_from_session", args=["naming-racism"])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_the_service_refuses_a_session_the_member_did_not_come_to(member):
    with pytest.raises(PermissionDenied):
        action_from_session_save(
            member=member, event=EventFactory(past=True), what="Sneak it in", level="team"
        )
    assert not Action.objects.exists()
