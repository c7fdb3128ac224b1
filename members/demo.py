"""The demo that `make run` loads (`manage.py load_demo_content`, DEBUG only): organisations,
two sign-in accounts, a six-month programme and a resource hub, from the data in demo/ (JSON
records; Markdown transcripts, whose hard-wrapped lines become paragraphs here, and in which a
paragraph `{{ name }}` stands for the shared transcripts/_name.md). Written through the apps'
services. Loading again only gives the accounts a new password."""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events import selectors as events_selectors
from events import services as events_services
from resources import selectors as resources_selectors
from resources import services as resources_services
from resources.services import conversation as conversation_services

from .selectors.onboarding import ground_rules_current
from .services.accounts import member_account_save, profile_update
from .services.onboarding import ground_rules_agree, introduction_mark_read
from .services.organisations import organisation_get_or_create, organisation_save

DEMO = Path(__file__).resolve().parent / "demo"
SHARED_PARAGRAPHS = re.compile(r"^\{\{ ([\w-]+) \}\}$", re.MULTILINE)


def _text(name: str) -> str:
    return (DEMO / name).read_text(encoding="utf-8")


def _data(name: str):
    return json.loads(_text(name))


def _transcript(name: str) -> str:
    text = SHARED_PARAGRAPHS.sub(
        lambda match: _text(f"transcripts/_{match[1]}.md"), _text(f"transcripts/{name}.md")
    )
    paragraphs = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip()))
    return "\n\n".join(p for p in paragraphs if p)


@transaction.atomic
def demo_load(*, password: str) -> list[tuple[str, str]]:
    """Load the demo, its accounts signing in with `password`. Returns their (role, email)."""
    organisations = {}
    for spec in _data("organisations.json"):
        organisation, made = organisation_get_or_create(name=spec["name"])
        if made:
            organisation_save(organisation=organisation, **spec)
        organisations[spec["name"]] = organisation
    rules = ground_rules_current()
    accounts = []
    for spec in _data("accounts.json"):
        email, organiser = spec.pop("email"), spec.pop("organiser")
        user = member_account_save(email=email, password=password, organiser=organiser)
        spec["organisation"] = organisations[spec["organisation"]]
        profile_update(user=user, **spec)
        introduction_mark_read(user=user)
        if rules:
            ground_rules_agree(user=user, ground_rules=rules)
        accounts.append(("organiser" if organiser else "member", user))
    _programme_load(members=[user for _, user in accounts])
    _hub_load(accounts=dict(accounts), organisations=organisations)
    _conversations_load(accounts=dict(accounts))
    return [(role, user.email) for role, user in accounts]


def _programme_load(*, members) -> None:
    spec = _data("programme.json")
    today = timezone.localdate()
    programme = events_selectors.programme_get(slug=spec["programme"]["slug"])
    if programme is not None and programme.events.all():
        return
    if programme is None:
        ends_on = today + timedelta(days=spec["ends_days_from_today"])
        programme = events_services.programme_save(
            title=f"{today:%B %Y} to {ends_on:%B %Y}", ends_on=ends_on, published_at=timezone.now(),
            starts_on=today + timedelta(days=spec["starts_days_from_today"]), **spec["programme"],
        )  # fmt: skip
    kinds = {kind.slug: kind for kind in events_selectors.event_kinds()}
    caucuses = {caucus.slug: caucus for caucus in events_selectors.caucuses()}
    goals = list(events_selectors.goals())
    portal_time = timezone.get_current_timezone()  # sessions start on the hour, UK time
    for session in spec["sessions"]:
        days, hour, minutes = (session.pop(key) for key in ("days_from_today", "hour", "minutes"))
        day = today + timedelta(days=days)
        while day.weekday() >= 5:  # sessions run on weekdays
            day += timedelta(days=1)
        starts = datetime(day.year, day.month, day.day, hour, tzinfo=portal_time)
        slug = f"demo-{day:%Y-%m-%d}-{session['kind']}"
        session["kind"] = kinds[session["kind"]]
        session["caucus"] = caucuses.get(session["caucus"])
        session |= spec["formats"][session["format"]]
        if days < 0:
            session |= spec["after_the_session"] | {"summary_published_at": timezone.now()}
        event = events_services.event_save(
            goals=goals[days % len(goals) :][:2] or goals[:2], programme=programme, slug=slug,
            starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
            status="published", **session,
        )  # fmt: skip
        speaker = spec["speaker"] | {"lived_experience": days % 2 == 0}
        events_services.speaker_create(event=event, **speaker)
        if days < 0 and event.caucus_id is None:
            for member in members:
                events_services.registration_record(event=event, member=member)
            present = [member.pk for member in members]
            events_services.attendance_record(event=event, present_ids=present, recorded_by=None)


def _hub_load(*, accounts, organisations) -> None:
    if resources_selectors.resources_exist(slug_prefix="demo-"):
        return
    today = timezone.localdate()
    known = {topic.name: topic for topic in resources_selectors.topics()}

    def topics(names):
        return [known[name] for name in names if name in known]

    sessions = {
        event.title: event
        for event in events_selectors.past_events()
        if event.slug.startswith("demo-") and event.caucus_id is None
    }
    resources = {}
    for spec in _data("resources.json"):
        key, days_ago = spec.pop("key"), spec.pop("days_ago")
        event = sessions.get(spec.pop("event_title", None))
        published_on = today - timedelta(days=days_ago)
        if event is not None:
            published_on = min(timezone.localdate(event.ends_at) + timedelta(days=3), today)
        spec["topics"] = topics(spec["topics"])
        spec["key_takeaways"] = "\n".join(spec["key_takeaways"])
        if "transcript" in spec:
            spec["transcript"] = _transcript(spec["transcript"])
        resources[key] = resources_services.resource_save(
            slug=f"demo-{slugify(spec['title'])}"[:220], user=accounts["organiser"], event=event,
            published_on=published_on, status="published", **spec,
        )  # fmt: skip
    for spec in _data("pathways.json"):
        steps = spec.pop("steps")
        pathway = resources_services.pathway_save(is_published=True, **spec)
        for order, step in enumerate(steps, start=1):
            step["resource"] = resources[step["resource"]]
            resources_services.pathway_step_create(pathway=pathway, order=order, **step)
    for spec in _data("case_studies.json"):
        status = spec.pop("status")
        spec["topics"] = topics(spec["topics"])
        case_study = resources_services.case_study_save(author=accounts["member"], **spec)
        if status == "published":
            case_study = resources_services.case_study_submit(case_study=case_study)
            resources_services.case_study_moderate(case_study=case_study, decision=status)
    for spec in _data("initiatives.json"):
        spec["organisation"] = organisations.get(spec["organisation"])
        spec["topics"] = topics(spec["topics"])
        resources_services.initiative_save(**spec)


def _conversations_load(*, accounts) -> None:
    """A few posts in the starter topic spaces (the spaces come with the starter content)."""
    spaces = {space.title: space for space in resources_selectors.conversation_spaces()}
    if not spaces or resources_selectors.posts_exist():
        return
    for spec in _data("conversations.json"):
        space = spaces.get(spec["space"])
        if space is None:
            continue
        thread = conversation_services.thread_get_or_create(space=space)
        conversation_services.post_write(
            author=accounts[spec["author"]], thread=thread, body=spec["body"]
        )
