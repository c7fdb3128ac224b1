"""A small CoP with a bit of everything in it, shared by the browser tests that look at pages
full of data (accessibility, phone layouts)."""

import functools
import re
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from events.models import Registration, Speaker
from members.models import JourneyStage, ValueCycle
from members.services.starter import starter_content_load
from resources.models import (
    CaseStudy,
    Resource,
    Topic,
)
from resources.services import resource_save, search_vectors_update
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AttendanceFactory,
    CaseStudyFactory,
    CaucusFactory,
    CheckInFactory,
    EventFactory,
    GoalFactory,
    InitiativeFactory,
    InvitationFactory,
    LearningPathwayFactory,
    OrganisationFactory,
    PathwayStepFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReflectionFactory,
    RegistrationFactory,
    SpeakerFactory,
    StepProgressFactory,
    SurveyFactory,
    UserFactory,
    answers_release,
    survey_answer,
)

# The video player is another site's page: the browser is given a stand-in, so the tests never
# reach the internet and check only our own markup around the frame.
PLAYERS = re.compile(r"^https://(www\.youtube-nocookie\.com|player\.vimeo\.com)/")
PLAYER_STAND_IN = "<!doctype html><html lang='en'><title>Video player</title><p>Video</p></html>"


def stand_in_video_players(page):
    page.route(PLAYERS, lambda route: route.fulfill(content_type="text/html", body=PLAYER_STAND_IN))


def world_build(ground_rules):
    """A small CoP with a bit of everything in it, for the pages that only show their badges,
    charts, tables and forms once there is something in them."""
    starter_content_load()
    now = timezone.now()
    topics = list(Topic.objects.order_by("name")[:3])
    nhs_trust = OrganisationFactory(name="Riverside NHS Foundation Trust")
    council = OrganisationFactory(name="Northfield City Council", sector="local_authority")
    member = UserFactory(
        name="Kemi Adeyemi",
        organisation=nhs_trust,
        agreed_to=ground_rules,
        listed_in_directory=True,
    )
    others = [
        UserFactory(
            organisation=nhs_trust if n % 2 else council,
            sector="nhs" if n % 2 else "local_authority",
            agreed_to=ground_rules,
        )
        for n in range(6)
    ]

    # The programme: an upcoming session with speakers and a capacity, one that is full, one
    # the member waits for, one cancelled, a caucus session and a past session with a summary.
    programme = ProgrammeFactory(theme="Racism is a health issue")
    goal = GoalFactory(name="Share what works in anti-racist practice", order=1)
    upcoming = EventFactory(
        programme=programme,
        title="Understanding ethnic health inequalities in maternity care",
        capacity=40,
        format="hybrid",
        venue="Riverside Education Centre, Room 2",
    )
    upcoming.goals.add(goal)
    SpeakerFactory(
        event=upcoming, name="Dr Amara Okafor", organisation="Riverside NHS", order=1,
        lived_experience=True,
    )  # fmt: skip
    SpeakerFactory(event=upcoming, name="Sam Patel", role=Speaker.Role.FACILITATOR, order=2)
    RegistrationFactory(event=upcoming, member=member)
    full = EventFactory(
        programme=programme,
        title="Interpreting services: a workshop",
        capacity=1,
        starts_at=now + timedelta(days=10),
    )
    RegistrationFactory(event=full, member=others[0])
    RegistrationFactory(event=full, member=member, status=Registration.Status.WAITLISTED)
    RegistrationFactory(
        event=EventFactory(
            programme=programme, title="Full, and not booked", capacity=1,
            starts_at=now + timedelta(days=12),
        ),
        member=others[1],
    )  # fmt: skip
    EventFactory(
        programme=programme, title="Cancelled: data and ethnicity coding",
        starts_at=now + timedelta(days=14), status="cancelled",
    )  # fmt: skip
    caucus = CaucusFactory()
    caucus_session = EventFactory(
        programme=programme,
        title="Caucus: rest and solidarity",
        caucus=caucus,
        starts_at=now + timedelta(days=20),
    )
    past = EventFactory(
        programme=programme,
        title="Racism and mental health services",
        starts_at=now - timedelta(days=14),
        outcome_summary="We heard from service users and clinicians about detention rates.",
        key_takeaways="Ask who is missing from the room.\nRecord ethnicity well.",
        recording_url="https://video.example.org/recording",
        slides_url="https://example.org/slides.pdf",
        summary_published_at=now - timedelta(days=10),
    )
    for person in [member, *others]:
        AttendanceFactory(event=past, member=person)

    # The resource hub: several kinds, one with a transcript, one with a YouTube video.
    def resource(title, kind, **fields):
        fields.setdefault("description", f"{title}: what it covers and who it is for.")
        return resource_save(resource=Resource(), title=title, kind=kind, topics=topics, **fields)

    video = resource(
        "Working with interpreters: the recording",
        Resource.Kind.RECORDING,
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        transcript="Welcome, everyone.\n\nToday we talk about booking an interpreter early.",
        key_takeaways="Book the interpreter when you book the appointment.\nAsk, never assume.",
        event=past,
        author="Riverside NHS",
    )
    slides = resource(
        "Interpreter booking: slides",
        Resource.Kind.SLIDES,
        external_url="https://example.org/slides",
        event=past,
    )
    resource(
        "Anti-racism toolkit for teams",
        Resource.Kind.TOOLKIT,
        external_url="https://example.org/toolkit",
        audience="public",
        author="The CoP",
    )
    resource(
        "Ethnic inequalities in healthcare: a rapid review",
        Resource.Kind.REPORT,
        external_url="https://example.org/review",
        audience="public",
    )
    search_vectors_update(Resource)

    pathway = LearningPathwayFactory(
        title="From noticing to acting",
        slug="from-noticing-to-acting",
        description="Three steps from listening to doing something about it.",
    )
    steps = [
        PathwayStepFactory(
            pathway=pathway, resource=step_resource, order=order,
            reflection_prompt=f"Step {order}: what did you notice in your own team?",
        )
        for order, step_resource in enumerate([video, slides], 1)
    ]  # fmt: skip
    StepProgressFactory(member=member, step=steps[0])
    ReflectionFactory(member=member, step=steps[0], text="We never ask about language.")

    case_study = CaseStudyFactory(
        author=others[2],
        title="Interpreters at every antenatal booking",
        slug="interpreters-at-every-antenatal-booking",
        context="A maternity unit where women who speak little English missed appointments.",
        what_we_did="We booked interpreters with every first appointment.",
        what_changed="Missed appointments halved in six months.",
        to_share="Start with the booking system: it is where the default lives.",
        status=CaseStudy.Status.PUBLISHED,
        published_at=now - timedelta(days=3),
        topics=topics,
    )
    search_vectors_update(CaseStudy)
    initiative = InitiativeFactory(
        name="Race equality in maternity network",
        slug="race-equality-in-maternity-network",
        organisation=nhs_trust,
        summary="Midwives and doulas sharing what reduces inequalities in maternity care.",
        audience="Maternity staff in the region",
        contact="maternity.network@example.org",
        url="https://example.org/network",
        topics=topics,
    )

    # Surveys: one the member is asked to answer, and one with enough answers for results.
    waiting = SurveyFactory(
        title="How are we doing?", intro="Tell us what to keep and what to change.", named=True
    )
    ask = functools.partial(QuestionFactory, survey=waiting)
    ask(kind="agreement", text="I feel I belong in the CoP", help_text="Think of the last month.")
    ask(kind="nps", text="How likely are you to recommend the CoP to a colleague?")
    ask(kind="single", text="How do you prefer to meet?", choices=["Online", "In person"])
    ask(kind="multiple", text="Which topics interest you?",
        choices=["Maternity", "Mental health", "Data"], required=False)  # fmt: skip
    ask(kind="text", text="Anything else?", required=False)
    InvitationFactory(survey=waiting, member=member)

    answered = SurveyFactory(title="After: racism and mental health", event=past)
    ask = functools.partial(QuestionFactory, survey=answered)
    agreement = ask(
        kind="agreement", text="The session was worth my time", value_cycle=ValueCycle.IMMEDIATE
    )
    nps = ask(kind="nps", text="How likely are you to recommend these sessions?")
    single = ask(kind="single", text="What will you do next?", choices=["Read more", "Act"])
    several = ask(kind="multiple", text="What helped?", choices=["Speakers", "Small groups"],
                  required=False)  # fmt: skip
    text = ask(kind="text", text="What should we change?", required=False)
    for n, person in enumerate(others):
        survey_answer(
            answered,
            {
                agreement: 1 + n % 5,
                nps: 4 + n,
                single: single.choices.all()[n % 2],
                several: list(several.choices.all()[: 1 + n % 2]),
                text: f"More time for questions, please ({n}).",
            },
            member=person,
        )
    # Every answer in the results now, with its groups, for the results pages' checks.
    answers_release(answered)
    InvitationFactory(survey=answered, member=member)

    # Actions and check-ins, for the member's pages and the dashboard.
    ActionFactory(
        member=member, what="Ask for ethnicity data in our team's audit", level="team",
        due_on=timezone.localdate() - timedelta(days=2), event=past,
    )  # fmt: skip
    ActionFactory(
        member=member, what="Book interpreters with first appointments", level="organisation",
        status="in_progress", due_on=timezone.localdate() + timedelta(days=20), shared=True,
    )  # fmt: skip
    done = ActionFactory(
        member=member, what="Read the rapid review", level="personal", status="done",
        completed_on=timezone.localdate(), value_cycle=ValueCycle.POTENTIAL,
    )  # fmt: skip
    ActionUpdateFactory(action=done, status="done", note="Shared it with the team too.")
    ActionFactory(member=member, what="Start a reading group", level="team", status="dropped")
    for person in others:
        ActionFactory(member=person, what="Private words", level="system", status="done")
    for stages, person in [((1, 2, 4), member), *[((1, 3), p) for p in others]]:
        for months_ago, stage in zip(range(len(stages) * 4, 0, -4), stages, strict=True):
            CheckInFactory(
                member=person,
                stage=JourneyStage(stage),
                note="Noticing more in meetings." if person is member else "",
                created_at=now - timedelta(days=30 * months_ago),
            )

    return SimpleNamespace(
        member=member,
        upcoming=upcoming,
        past=past,
        caucus_session=caucus_session,
        video=video,
        slides=slides,
        pathway=pathway,
        case_study=case_study,
        initiative=initiative,
        waiting=waiting,
        answered=answered,
        single=single,
        done=done,
    )
