"""A sample six-month programme for `make run`: a few past sessions with summaries and some to
come, one of them a caucus session. Used by the load_demo_content command only."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import Attendance, Caucus, Event, EventKind, Goal, Programme, Registration, Speaker

LONDON = ZoneInfo("Europe/London")

# (days from today, hour, minutes long, title, kind slug, format, caucus slug, summary)
SESSIONS = [
    (-75, 12, 60, "Race-based stress and trauma at work", "webinar", "online", None,
     "How racism affects the wellbeing of staff and the people they care for, and what teams "
     "can do to respond with care."),
    (-40, 10, 120, "Bias in clinical decisions", "in-person-session", "in_person", None,
     "Looking honestly at where bias enters assessment and treatment, with examples from "
     "primary care and maternity."),
    (-12, 13, 90, "Caucus: sharing experience", "racial-identity-caucus", "online",
     "global-majority",
     "A space for global majority members to share experience and support one another."),
    (16, 12, 60, "Housing, migration and health", "webinar", "online", None,
     "How housing insecurity and immigration rules shape health, and where services can act."),
    (45, 10, 150, "From learning to action: planning session", "action-planning-session",
     "hybrid", None,
     "Bring one thing you want to change in your team. Leave with a plan and a peer to check in "
     "with."),
    (72, 13, 90, "Caucus: accountability without defensiveness", "racial-identity-caucus",
     "online", "non-global-majority",
     "For non-global majority members: doing our own learning so colleagues do not carry it."),
    (110, 12, 60, "Case studies from partners", "case-study-session", "online", None,
     "Members share what they tried, what changed and what they would do differently."),
    (160, 10, 120, "Working with senior leaders on equity", "in-person-session", "in_person",
     None, "Directors and executives join members to discuss how learning reaches decisions."),
]  # fmt: skip


def demo_programme_load(*, members) -> Programme:
    today = timezone.localdate()
    programme, _ = Programme.objects.get_or_create(
        slug="demo-programme",
        defaults={
            "title": f"{today:%B %Y} to {(today + datetime.timedelta(days=180)):%B %Y}",
            "starts_on": today - datetime.timedelta(days=90),
            "ends_on": today + datetime.timedelta(days=180),
            "theme": "From learning to action",
            "description": "Six months of sessions that move from understanding to change.",
            "published_at": timezone.now(),
        },
    )
    if programme.events.exists():
        return programme
    kinds = {kind.slug: kind for kind in EventKind.objects.all()}
    caucuses = {caucus.slug: caucus for caucus in Caucus.objects.all()}
    goals = list(Goal.objects.all())
    for days, hour, minutes, title, kind, fmt, caucus, summary in SESSIONS:
        day = today + datetime.timedelta(days=days)
        while day.weekday() >= 5:  # sessions run on weekdays
            day += datetime.timedelta(days=1)
        starts = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
        event = Event.objects.create(
            programme=programme,
            title=title,
            slug=f"demo-{day:%Y-%m-%d}-{kind}",
            summary=summary,
            kind=kinds[kind],
            format=fmt,
            caucus=caucuses.get(caucus),
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=minutes),
            venue="Town hall, Committee Room 2" if fmt != "online" else "",
            joining_link="https://meet.example.org/demo-session" if fmt != "in_person" else "",
            capacity=40 if fmt == "in_person" else None,
            status=Event.Status.PUBLISHED,
        )
        event.goals.set(goals[days % len(goals) :][:2] or goals[:2])
        Speaker.objects.create(
            event=event, name="Dr A. Speaker", organisation="Partner organisation",
            lived_experience=days % 2 == 0,
        )  # fmt: skip
        if days < 0:
            event.outcome_summary = (
                "Members discussed the ideas in small groups and agreed a few things to try."
            )
            event.key_takeaways = "- Name what you see\n- Ask who is missing\n- Follow up"
            event.recording_url = "https://video.example.org/demo-recording"
            event.summary_published_at = timezone.now()
            event.save()
            if caucus is None:
                for member in members:
                    Registration.objects.create(event=event, member=member, status="confirmed")
                    Attendance.objects.create(event=event, member=member)
    return programme
