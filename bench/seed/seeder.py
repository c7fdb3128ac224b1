"""A synthetic Community of Practice of a chosen size, for the benchmark:

    python -m bench.seed --tier M [--seed N] [--force]

The same seed gives the same data: every kind of row draws from its own random stream, so the
members are the same whatever else changes. Dates are laid out around the day it runs (four
years of history, a six-month programme ahead), so two runs on the same day match exactly.

Rows go in with PostgreSQL's COPY, which is what makes the large tiers take minutes rather than
hours; the resources' search vectors are then filled with one UPDATE. Text is made from word
lists and sentence templates about health equity, so that search has real work to do: a common
word ("racism") is in most resources and a rare one ("windrush") in one in four hundred."""

import argparse
import datetime
import functools
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from events import services as event_services
from events.models import (
    Attendance,
    Caucus,
    CaucusMembership,
    Event,
    EventKind,
    Goal,
    Programme,
    Registration,
    Speaker,
)
from members.models import (
    Action,
    CheckIn,
    GroundRulesAgreement,
    Organisation,
    Sector,
    Seniority,
    User,
    ValueCycle,
)
from members.roles import ORGANISERS, STEERING_GROUP
from members.selectors import ground_rules_current
from members.services import roles_sync
from members.services.starter import starter_content_load
from resources.models import Audience, CaseStudy, Resource, Topic
from resources.services import search_vectors_update
from surveys.models import (
    SHORT_CODE_LETTERS,
    Answer,
    Choice,
    Invitation,
    Question,
    Response,
    Survey,
)

SEED = 20_240_601
EMAIL_DOMAIN = "scale.example.org"
COMMON_TERM = "racism"
RARE_TERM = "windrush"
# The rare word misspelt: a search that finds nothing as typed, so it also looks for a
# spelling to suggest (from titles; the rare word is only in descriptions).
TYPO_TERM = "windrsh"
RARE_EVERY = 400  # one resource in this many mentions the rare term
HISTORY_DAYS = 4 * 365
UPCOMING_DAYS = 180
UPCOMING_EVENTS = 30  # a six-month programme, whatever the size of the CoP's history


@dataclass(frozen=True)
class Tier:
    members: int
    organisations: int
    events: int
    registrations: int
    resources: int
    responses: int
    # Regular check-in surveys, one a month, sent to every member who had joined by then.
    check_in_surveys: int = 48


TIERS = {
    # A few dozen rows of each kind, for the tests.
    "T": Tier(40, 5, 12, 120, 40, 60, check_in_surveys=3),
    "S": Tier(1_000, 50, 100, 10_000, 2_000, 10_000),
    "M": Tier(10_000, 300, 1_000, 100_000, 20_000, 100_000),
    "L": Tier(100_000, 2_000, 10_000, 1_000_000, 200_000, 1_000_000),
}


class SeedError(Exception):
    """The database is not one the seeder may fill."""


# Word lists ------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aaliyah", "Abdul", "Ade", "Adaeze", "Aisha", "Akosua", "Alan", "Alice", "Amaka", "Amara",
    "Amir", "Ana", "Andrew", "Anil", "Anjali", "Ayesha", "Bashir", "Bea", "Ben", "Bilal", "Bola",
    "Callum", "Catherine", "Chen", "Chidi", "Chloe", "Chukwuma", "Claire", "Daniel", "David",
    "Deborah", "Delroy", "Denise", "Dev", "Dimitri", "Ebony", "Efua", "Elif", "Ella", "Emeka",
    "Emma", "Fatima", "Femi", "Fiona", "Funmi", "Gareth", "Grace", "Hamza", "Hannah", "Hassan",
    "Hui", "Ibrahim", "Ifeoma", "Imran", "Isaac", "Jamal", "James", "Jasmine", "Jaswinder",
    "Joanne", "Jonah", "Joseph", "Kamala", "Karen", "Kemi", "Kwame", "Laila", "Lakshmi", "Leon",
    "Lucy", "Maria", "Marcus", "Mariam", "Maya", "Mei", "Michael", "Mohammed", "Naledi", "Nadia",
    "Neil", "Nia", "Nikhil", "Noor", "Olu", "Omar", "Patience", "Paul", "Priya", "Rachel", "Rahul",
    "Ravi", "Rebecca", "Rosa", "Ruth", "Samira", "Sandeep", "Sarah", "Segun", "Shanice", "Simon",
    "Sofia", "Sunita", "Tariq", "Tendai", "Thomas", "Tola", "Tunde", "Usha", "Victoria", "Wei",
    "Winston", "Yasmin", "Yusuf", "Zainab", "Zara",
]  # fmt: skip
LAST_NAMES = [
    "Abdi", "Adebayo", "Adeyemi", "Afolabi", "Ahmed", "Akhtar", "Ali", "Anderson", "Asante",
    "Bailey", "Baker", "Banerjee", "Begum", "Bell", "Bennett", "Boateng", "Brown", "Campbell",
    "Chan", "Chaudhry", "Chen", "Clarke", "Cole", "Davies", "Edwards", "Ekwueme", "Evans",
    "Francis", "Gill", "Gordon", "Grant", "Green", "Gupta", "Hall", "Hamid", "Harris", "Hassan",
    "Hughes", "Hussain", "Ibrahim", "Iqbal", "Jackson", "James", "Johnson", "Jones", "Joseph",
    "Kaur", "Khan", "Kumar", "Lee", "Lewis", "Li", "Mahmood", "Malik", "Mensah", "Miller",
    "Mohamed", "Morgan", "Murphy", "Nguyen", "Nwosu", "Obi", "Okafor", "Okoye", "Oluwole", "Osei",
    "Owusu", "Patel", "Phillips", "Price", "Rahman", "Reid", "Richards", "Roberts", "Robinson",
    "Santos", "Scott", "Shah", "Sharma", "Singh", "Smith", "Stewart", "Taylor", "Thomas",
    "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wong",
    "Wright", "Yusuf",
]  # fmt: skip
JOB_ROLES = [
    "Community nurse", "Midwife", "Health visitor", "GP", "Practice manager", "Ward manager",
    "Consultant psychiatrist", "Clinical psychologist", "Mental health nurse", "Pharmacist",
    "Public health registrar", "Public health officer", "Social worker", "Housing officer",
    "Commissioning manager", "Equality and diversity lead", "Freedom to speak up guardian",
    "Health researcher", "Lecturer in nursing", "Community organiser", "Peer support worker",
    "Patient engagement lead", "HR business partner", "Director of nursing", "Chief executive",
    "Operations manager", "Data analyst", "Healthcare assistant", "Paramedic", "Physiotherapist",
]  # fmt: skip
PLACES = [
    "Northbank", "Riverside", "Eastgate", "Westmoor", "Southvale", "Kingsmead", "Harbourside",
    "Ashford", "Millbrook", "Fairfield", "Greenhill", "Oakwood", "Brookside", "Highcross",
    "Lowfield", "Stonebridge", "Elmstead", "Redhill", "Claybury", "Marshgate", "Thornton",
    "Bankside", "Cedarwood", "Hollins", "Larkfield", "Meadowbank", "Norcross", "Parkside",
    "Queensway", "Rosebury", "Silverdale", "Tanfield", "Upperton", "Victoria", "Waterside",
    "Woodlands",
]  # fmt: skip
ORGANISATION_KINDS = [
    ("NHS Foundation Trust", Sector.NHS), ("Community Health Trust", Sector.NHS),
    ("Mental Health Trust", Sector.NHS), ("Primary Care Network", Sector.NHS),
    ("Integrated Care Board", Sector.NHS), ("Borough Council", Sector.LOCAL_AUTHORITY),
    ("Council Public Health", Sector.LOCAL_AUTHORITY),
    ("Adult Social Care", Sector.LOCAL_AUTHORITY),
    ("Community Voices Network", Sector.VOLUNTARY), ("Refugee and Migrant Forum", Sector.VOLUNTARY),
    ("Carers Centre", Sector.VOLUNTARY), ("Black Health Collective", Sector.VOLUNTARY),
    ("Health Research Unit", Sector.ACADEMIC), ("School of Nursing", Sector.ACADEMIC),
    ("Institute of Population Health", Sector.ACADEMIC), ("Healthwatch", Sector.OTHER),
]  # fmt: skip
VENUES = [
    "Town hall, committee room 2",
    "Community centre, main hall",
    "Trust education centre",
    "Central library, meeting room",
    "Mosque community room",
    "Faith and community hub",
]
SUBJECTS = [
    "racism in maternity care",
    "pain assessment in the emergency department",
    "ethnicity data in primary care",
    "culturally safe mental health services",
    "race-based stress among nurses",
    "the disciplinary gap for global majority staff",
    "pulse oximetry on darker skin",
    "access to talking therapies",
    "interpreting services for migrant families",
    "housing and respiratory health",
    "recruitment to senior posts",
    "complaints from Black and Asian patients",
    "detentions under the Mental Health Act",
    "sickle cell care on the wards",
    "health checks for Gypsy, Roma and Traveller communities",
    "anti-racist supervision",
    "co-producing services with local communities",
    "race equality in commissioning",
    "bias in clinical decision tools",
    "allyship for managers",
    "speaking up about racism",
    "the workforce race equality standard",
    "cancer screening uptake",
    "diabetes prevention",
    "children's mental health in schools",
    "the cost of living and health inequalities",
]
ANGLES = [
    "what the data tell us",
    "lessons from the first year",
    "a practical toolkit",
    "listening to lived experience",
    "from learning to action",
    "a case for change",
    "what worked and what did not",
    "questions to ask your team",
    "a guide for managers",
    "a briefing for board members",
    "stories from the front line",
    "measuring progress",
]
ACTORS = [
    "Community health workers",
    "Ward managers",
    "Our equality leads",
    "Midwives in the trust",
    "GP practice staff",
    "Public health officers",
    "Peer researchers",
    "Board members",
    "Freedom to speak up guardians",
    "Housing officers",
    "Commissioners",
    "Mental health nurses",
    "Members of the caucus",
    "Health visitors",
    "Patient representatives",
    "Trainee doctors",
]
VERBS = [
    "reviewed",
    "challenged",
    "mapped",
    "co-designed",
    "measured",
    "listened to",
    "questioned",
    "rewrote",
    "audited",
    "funded",
    "redesigned",
    "talked openly about",
    "took ownership of",
]
OBJECTS = [
    "the way ethnicity is recorded",
    "waiting times for talking therapies",
    "complaints from global majority patients",
    "shortlisting for senior posts",
    "the interpreting service",
    "pain scores in the emergency department",
    "the maternity early warning score",
    "referrals to community mental health teams",
    "the disciplinary process",
    "pulse oximetry readings",
    "structural racism in our pathways",
    "the language in our patient letters",
    "how racism shows up in team meetings",
    "the impact of institutional racism on outcomes",
    "who sits on our interview panels",
    "health checks for people with learning disabilities",
    "the induction programme",
]
CONTEXTS = [
    "across the integrated care system",
    "after listening events with local communities",
    "with support from the race equality network",
    "over eighteen months",
    "using the workforce race equality standard",
    "in partnership with faith groups",
    "with people who use our services",
    "alongside the council's public health team",
    "as part of the CoP's action-planning sessions",
    "before the new strategy was written",
]
LESSONS = [
    "racism is a public health issue, not a personal failing to hide",
    "data without community voices tells half the story",
    "people need permission to name racism in meetings",
    "small changes to forms can change who gets seen",
    "leaders have to go first and stay the course",
    "trust takes years to build and moments to lose",
    "anti-racist practice is a skill that can be learned and taught",
    "the burden of change must not fall on global majority staff",
    "naming structural racism made the conversation easier, not harder",
    "measuring outcomes by ethnicity showed gaps we had missed",
]
SPEAKERS = ["Facilitator", "Speaker", "Participant", "Panel member"]
TAKEAWAYS = [
    "Record ethnicity accurately, and explain why it is asked.",
    "Name racism plainly when it is the cause.",
    "Involve people with lived experience from the start.",
    "Check your data by ethnicity before deciding what works.",
    "Give staff a safe route to report racism.",
    "Review interview panels for diversity.",
    "Set one action for your team and review it in three months.",
    "Use interpreters, not family members.",
    "Share what did not work as well as what did.",
    "Ask who is missing from the room.",
    "Budget for community partners' time.",
    "Build anti-racist supervision into appraisals.",
]
ACTIONS = [
    "Add ethnicity monitoring to our clinic's audit",
    "Run a listening session with my team",
    "Review our job adverts for biased language",
    "Raise interpreter access at the next board",
    "Share the toolkit with new starters",
    "Set up reverse mentoring with a colleague",
    "Change our complaint form to ask about discrimination",
    "Start a reading group",
    "Check pain scores by ethnicity in our department",
    "Invite a community partner to co-design",
]
ANSWER_TEXTS = [
    "More practical examples from other trusts, please.",
    "Sessions at lunchtime would help frontline staff join.",
    "The caucus space has been the most valuable part for me.",
    "I would like more on how to talk about racism with my manager.",
    "Recordings with transcripts make it possible to catch up.",
    "Please keep the focus on action, not only on learning.",
    "Smaller groups would make it easier to speak.",
    "More on data and how to measure change.",
]


class _Text:
    """Sentences from templates, drawn from a pool made once per run, so long transcripts are
    quick to make and still read as prose."""

    POOL_SIZE = 3_000

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.pool = [self._make() for _ in range(self.POOL_SIZE)]

    def _make(self) -> str:
        r = self.rng
        shape = r.randrange(5)
        if shape == 0:
            return f"{r.choice(ACTORS)} {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(CONTEXTS)}."
        if shape == 1:
            return f"We learned that {r.choice(LESSONS)}."
        if shape == 2:
            return (
                f"When we looked at {r.choice(SUBJECTS)}, {r.choice(ACTORS).lower()} "
                f"{r.choice(VERBS)} {r.choice(OBJECTS)}."
            )
        if shape == 3:
            return f"The session on {r.choice(SUBJECTS)} asked what {r.choice(LESSONS)} means."
        return (
            f"{r.choice(ACTORS)} said that {r.choice(LESSONS)}, and "
            f"{r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(CONTEXTS)}."
        )

    def sentences(self, n: int) -> str:
        return " ".join(self.rng.choices(self.pool, k=n))

    def transcript(self, words: int) -> str:
        paragraphs, count = [], 0
        while count < words:
            paragraph = self.sentences(self.rng.randint(3, 7))
            paragraphs.append(f"{self.rng.choice(SPEAKERS)}: {paragraph}")
            count += len(paragraph.split())
        return "\n\n".join(paragraphs)

    def title(self) -> str:
        r = self.rng
        subject = r.choice(SUBJECTS)
        shape = r.randrange(4)
        if shape == 0:
            return f"{subject[0].upper()}{subject[1:]}: {r.choice(ANGLES)}"
        if shape == 1:
            return f"{r.choice(ANGLES).capitalize()}: {subject}"
        if shape == 2:
            return f"Tackling {subject} in {r.choice(PLACES)}"
        return f"{r.choice(ACTORS)} on {subject}"


# Writing rows ----------------------------------------------------------------------------------


def _short_code(pk: int) -> str:
    """A survey's short-link code, the same for the same survey in every run (the generator's
    draws are left as they were, so the rest of the data does not move)."""
    digest = hashlib.sha256(f"survey-{pk}".encode()).digest()
    return "".join(SHORT_CODE_LETTERS[b % len(SHORT_CODE_LETTERS)] for b in digest[:8])


def _copy(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into the model's table; `columns` are field names (attnames for keys).

    Every NOT NULL column must be given unless the table has a default for it (db_default):
    COPY applies no Django defaults, so a missing one is an error here rather than in
    PostgreSQL's terms."""
    meta = model._meta
    given = set(columns)
    for field in meta.concrete_fields:
        in_table = field.db_default is not NOT_PROVIDED
        if field.primary_key or field.null or field.attname in given or in_table:
            continue
        raise ValueError(f"{meta.label}.{field.attname} is NOT NULL and was not given")
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in columns)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - model's table
        return cursor.fetchone()[0]


def _sequence_reset(model) -> None:
    """After rows were copied in with their own ids, move the id sequence past them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}))",
            [table],
        )


def _unique_sample(rng: random.Random, weighted: list[int], pool: list[int], k: int) -> list[int]:
    """k distinct ids, favouring those that appear more often in `weighted` (regulars)."""
    if k >= len(pool):
        return list(pool)
    picked = list(dict.fromkeys(rng.sample(weighted, min(len(weighted), k * 2))))[:k]
    if len(picked) < k:
        chosen = set(picked)
        picked += [i for i in rng.sample(pool, min(len(pool), 3 * k)) if i not in chosen][
            : k - len(picked)
        ]
    return picked


# The seeder ------------------------------------------------------------------------------------


class ScaleSeeder:
    """Fill an empty portal with one tier of synthetic data. `run()` returns the rows made of
    each kind."""

    def __init__(self, tier: Tier, *, seed: int = SEED, log: Callable[[str], None] = print):
        self.tier = tier
        self.seed = seed
        self.log = log
        today = timezone.now().date()
        self.anchor = datetime.datetime.combine(today, datetime.time.min, tzinfo=datetime.UTC)
        self.start = self.anchor - datetime.timedelta(days=HISTORY_DAYS)
        self.counts: dict[str, int] = {}

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")  # noqa: S311 - made-up data, not secrets

    @transaction.atomic
    def run(self) -> dict[str, int]:
        if connection.vendor != "postgresql":
            raise SeedError("The seeder runs on PostgreSQL only (it uses COPY and search vectors).")
        if User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists():
            raise SeedError("This database already holds seeded data: drop and recreate it.")
        starter_content_load()
        event_services.starter_content_load()
        if not Group.objects.filter(name=ORGANISERS).exists():
            roles_sync()
        self.topics = list(Topic.objects.order_by("pk").values_list("pk", "name"))
        for step in (
            self.organisations,
            self.members,
            self.events,
            self.registrations,
            self.resources,
            self.case_studies,
            self.actions,
            self.surveys,
        ):
            began = time.monotonic()
            step()
            self.log(f"  {step.__name__}: {time.monotonic() - began:.1f}s")
        began = time.monotonic()
        search_vectors_update(Resource)
        search_vectors_update(CaseStudy)
        self.log(f"  search vectors: {time.monotonic() - began:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return self.counts

    def _count(self, model, n: int) -> None:
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + n

    def _at(self, days: float) -> datetime.datetime:
        return self.start + datetime.timedelta(days=days)

    # Organisations and members -----------------------------------------------------------------

    def organisations(self):
        rng = self.rng("organisations")
        taken = {name.lower() for name in Organisation.objects.values_list("name", flat=True)}
        rows, first = [], _next_id(Organisation)
        combos = [(p, k) for p in PLACES for k in ORGANISATION_KINDS]
        rng.shuffle(combos)
        n = 0
        while len(rows) < self.tier.organisations:
            place, (kind, sector) = combos[n % len(combos)]
            name = f"{place} {kind}" + (f" {n // len(combos) + 1}" if n >= len(combos) else "")
            n += 1
            if name.lower() in taken:
                continue
            taken.add(name.lower())
            rows.append((first + len(rows), name, sector, self._at(rng.uniform(0, 30))))
        self.org_ids = [row[0] for row in rows]
        self.org_sector = {row[0]: row[2] for row in rows}
        self.org_names = [row[1] for row in rows]
        self._count(Organisation, _copy(Organisation, ["id", "name", "sector", "created_at"], rows))
        _sequence_reset(Organisation)

    def members(self):
        rng = self.rng("members")
        n = self.tier.members
        password = make_password(get_random_string(32))
        first = _next_id(User)
        # Larger organisations have more members: weights fall off with rank.
        org_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.org_ids))]
        seniority = [s for s, _ in Seniority.choices]
        columns = [
            "id", "password", "is_superuser", "email", "is_staff", "is_active", "date_joined",
            "name", "organisation_id", "job_role", "sector", "seniority", "listed_in_directory",
            "directory_shows_email", "email_programme", "email_reminders", "email_catch_up",
            "email_surveys", "profile_completed_at", "introduction_read_at",
        ]  # fmt: skip
        rows = []
        self.member_ids, self.active_ids = [], []
        self.member_joined, self.member_profile = {}, {}
        for i in range(n):
            pk = first + i
            given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            # Members joined steadily over the four years, the first ones (organisers) first.
            joined = self._at(HISTORY_DAYS * i / n + rng.uniform(0, 0.9))
            org = rng.choices(self.org_ids, weights=org_weights)[0] if rng.random() < 0.9 else None
            sector = self.org_sector[org] if org else rng.choice(["", "other", "voluntary"])
            active = i < 10 or rng.random() < 0.98
            listed = rng.random() < 0.6
            completed = joined + datetime.timedelta(days=1) if rng.random() < 0.9 else None
            job, level = rng.choice(JOB_ROLES), rng.choices(seniority, weights=[45, 35, 15, 5])[0]
            rows.append((
                pk, password, False, f"{given}.{family}.{i + 1}@{EMAIL_DOMAIN}".lower(), False,
                active, joined, f"{given} {family}", org, job, sector, level, listed,
                listed and rng.random() < 0.3, rng.random() < 0.85, rng.random() < 0.85,
                rng.random() < 0.85, rng.random() < 0.9, completed,
                joined + datetime.timedelta(days=2) if rng.random() < 0.85 else None,
            ))  # fmt: skip
            self.member_ids.append(pk)
            self.member_joined[pk] = joined
            self.member_profile[pk] = (sector, level, org)
            if active:
                self.active_ids.append(pk)
        self._count(User, _copy(User, columns, rows))
        _sequence_reset(User)
        # Regulars come often, most members now and then, some once: a skewed draw.
        self.weighted = []
        for pk in self.active_ids:
            self.weighted += [pk] * rng.choices([6, 2, 1], weights=[15, 45, 40])[0]

        topic_ids = [pk for pk, _ in self.topics]
        interests = [
            (pk, topic)
            for pk in self.member_ids
            for topic in rng.sample(topic_ids, rng.randint(0, min(3, len(topic_ids))))
        ]
        self._count(
            User.interests.through,
            _copy(User.interests.through, ["user_id", "topic_id"], interests),
        )
        rules = ground_rules_current()
        self._count(
            GroundRulesAgreement,
            _copy(
                GroundRulesAgreement,
                ["member_id", "ground_rules_id", "agreed_at"],
                ((pk, rules.pk, self.member_joined[pk]) for pk in self.member_ids),
            ),
        )
        organisers = self.member_ids[: max(2, n // 1000)]
        steering = self.member_ids[len(organisers) : len(organisers) + max(1, n // 2000)]
        groups = dict(Group.objects.values_list("name", "pk"))
        self.organiser_ids = organisers
        self._count(
            User.groups.through,
            _copy(
                User.groups.through,
                ["user_id", "group_id"],
                [(pk, groups[ORGANISERS]) for pk in organisers]
                + [(pk, groups[STEERING_GROUP]) for pk in steering],
            ),
        )
        # Organisers must use MFA (members.middleware.MFARequiredMiddleware): each has an
        # authenticator app with a random secret, as after setting one up.
        Authenticator.objects.bulk_create(
            Authenticator(
                user_id=pk, type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()}
            )
            for pk in organisers
        )
        caucuses = list(Caucus.objects.order_by("pk").values_list("pk", flat=True))
        self.caucus_of = {}
        for pk in self.member_ids[len(organisers) :]:
            if rng.random() < 0.25:
                self.caucus_of[pk] = caucuses[0] if rng.random() < 0.6 else caucuses[-1]
        self._count(
            CaucusMembership,
            _copy(
                CaucusMembership,
                ["member_id", "caucus_id", "consent_version", "consent_text", "consented_at"],
                (
                    (
                        pk,
                        caucus,
                        event_services.CAUCUS_CONSENT_VERSION,
                        event_services.CAUCUS_CONSENT_TEXT,
                        self.member_joined[pk],
                    )
                    for pk, caucus in self.caucus_of.items()
                ),
            ),
        )
        self.caucus_members = {c: [] for c in caucuses}
        for pk, caucus in self.caucus_of.items():
            self.caucus_members[caucus].append(pk)
        self.caucus_weighted = {c: [] for c in caucuses}
        for pk in self.weighted:
            if pk in self.caucus_of:
                self.caucus_weighted[self.caucus_of[pk]].append(pk)

    # Programme and events ----------------------------------------------------------------------

    def events(self):
        rng = self.rng("events")
        text = _Text(self.rng("events-text"))
        total = self.tier.events
        upcoming = min(UPCOMING_EVENTS, total // 3)
        past = total - upcoming
        kinds = dict(EventKind.objects.values_list("slug", "pk"))
        caucus_kind = kinds.get("racial-identity-caucus")
        kind_weights = {slug: 12 if pk == caucus_kind else 20 for slug, pk in kinds.items()}
        if "webinar" in kind_weights:
            kind_weights["webinar"] = 40  # the commonest kind of session
        caucuses = list(Caucus.objects.order_by("pk").values_list("pk", flat=True))
        goals = list(Goal.objects.values_list("pk", flat=True))

        programmes, first_programme = [], _next_id(Programme)
        day = self.start.date().replace(day=1)
        end = (self.anchor + datetime.timedelta(days=UPCOMING_DAYS + 31)).date()
        while day < end:
            # Six months: the day before the same day six months on.
            month = day.month + 6
            ends = day.replace(year=day.year + (month - 1) // 12, month=(month - 1) % 12 + 1)
            ends -= datetime.timedelta(days=1)
            title = f"{day:%B %Y} to {ends:%B %Y}"
            programmes.append((
                first_programme + len(programmes), title,
                f"{slugify(title)}-{first_programme + len(programmes)}", day, ends,
                rng.choice(SUBJECTS).capitalize(), text.sentences(3),
                datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
                - datetime.timedelta(days=60),
            ))  # fmt: skip
            day = ends + datetime.timedelta(days=1)
        self._count(
            Programme,
            _copy(
                Programme,
                ["id", "title", "slug", "starts_on", "ends_on", "theme", "description",
                 "published_at"],
                programmes,
            ),
        )  # fmt: skip
        _sequence_reset(Programme)

        def programme_of(when):
            for row in programmes:
                if row[3] <= when.date() <= row[4]:
                    return row[0]
            return None

        first = _next_id(Event)
        rows, goal_rows, speaker_rows = [], [], []
        self.events_info = []  # (id, starts_at, is_past, status, caucus_id, capacity)
        slugs, weights = list(kind_weights), list(kind_weights.values())
        for i in range(total):
            pk = first + i
            if i < past:
                starts = self._at(HISTORY_DAYS * (i + 0.5) / past)
            else:
                starts = self.anchor + datetime.timedelta(
                    days=2 + (UPCOMING_DAYS - 3) * (i - past) / max(1, upcoming)
                )
            starts = starts.replace(hour=rng.choice([9, 11, 12, 13, 17]), minute=0)
            ends = starts + datetime.timedelta(minutes=rng.choice([60, 90, 120]))
            is_past = i < past
            kind_slug = rng.choices(slugs, weights=weights)[0]
            caucus = None
            if kinds[kind_slug] == caucus_kind and caucuses:
                caucus = caucuses[i % len(caucuses)]
            fmt = {"webinar": "online", "in-person-session": "in_person"}.get(
                kind_slug, rng.choice(["online", "in_person", "hybrid"])
            )
            capacity = None
            if fmt != "online" or caucus:
                capacity = rng.choice([30, 40, 60, 80, 120])
            elif rng.random() < 0.5:
                capacity = 300
            roll = rng.random()
            status = "cancelled" if roll < 0.03 else "published"
            title = text.title()
            summarised = is_past and status == "published"
            recording = (
                f"https://www.youtube.com/watch?v={''.join(rng.choices(_YOUTUBE_CHARS, k=11))}"
                if summarised and fmt == "online"
                else ""
            )
            created = starts - datetime.timedelta(days=60)
            rows.append((
                pk, programme_of(starts), title, f"{slugify(title)[:200]}-{pk}",
                text.sentences(rng.randint(2, 4)), fmt, kinds[kind_slug], caucus, starts, ends,
                rng.choice(VENUES) if fmt != "online" else "",
                f"https://teams.example.org/meet/{uuid.UUID(int=rng.getrandbits(128)).hex}"
                if fmt != "in_person" else "",
                capacity, status, uuid.UUID(int=rng.getrandbits(128), version=4), 0,
                text.sentences(4) if summarised else "",
                "\n".join(rng.sample(TAKEAWAYS, 3)) if summarised else "",
                recording, "https://example.org/slides.pdf" if summarised else "",
                ends + datetime.timedelta(days=2) if summarised else None,
                ends + datetime.timedelta(days=2) if summarised else None, created, created,
            ))  # fmt: skip
            self.events_info.append((pk, starts, is_past, status, caucus, capacity))
            for goal in rng.sample(goals, min(len(goals), rng.randint(1, 2))):
                goal_rows.append((pk, goal))
            for order in range(rng.randint(1, 3)):
                speaker_rows.append((
                    pk, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    rng.choice(self.org_names), rng.choice(["speaker", "facilitator"]),
                    rng.random() < 0.4, order,
                ))  # fmt: skip
        columns = [
            "id", "programme_id", "title", "slug", "summary", "format", "kind_id", "caucus_id",
            "starts_at", "ends_at", "venue", "joining_link", "capacity", "status", "uid",
            "sequence", "outcome_summary", "key_takeaways", "recording_url", "slides_url",
            "summary_published_at", "catch_up_sent_at", "created_at", "updated_at",
        ]  # fmt: skip
        self._count(Event, _copy(Event, columns, rows))
        _sequence_reset(Event)
        self._count(
            Event.goals.through, _copy(Event.goals.through, ["event_id", "goal_id"], goal_rows)
        )
        self._count(
            Speaker,
            _copy(
                Speaker,
                ["event_id", "name", "organisation", "role", "lived_experience", "order"],
                speaker_rows,
            ),
        )

    def registrations(self):
        rng = self.rng("registrations")
        events, total = self.events_info, self.tier.registrations
        base, extra = divmod(total, len(events))
        wanted = [base + (1 if i < extra else 0) for i in range(len(events))]
        # Some events are popular and some are not; pairs keep the total exact.
        for i in range(0, len(events) - 1, 2):
            shift = rng.randint(0, base // 2)
            wanted[i] += shift
            wanted[i + 1] -= shift

        def pool(caucus):
            return self.caucus_members[caucus] if caucus else self.active_ids

        # Caucus sessions are open to their caucus only: what a small caucus cannot fill moves
        # to other sessions, so the total stays exact.
        short = 0
        for i, (_, _, _, _, caucus, _) in enumerate(events):
            room = len(pool(caucus))
            if wanted[i] > room:
                short += wanted[i] - room
                wanted[i] = room
        for i, (_, _, _, _, caucus, _) in enumerate(events):
            if not short:
                break
            room = len(pool(caucus)) - wanted[i]
            if room > 0:
                moved = min(room, short)
                wanted[i] += moved
                short -= moved
        if short:
            raise SeedError("Not enough members for that many registrations.")

        registrations, attendances = [], []
        self.attendees = {}
        for (pk, starts, is_past, status, caucus, capacity), k in zip(events, wanted, strict=True):
            weighted = self.caucus_weighted[caucus] if caucus else self.weighted
            members = _unique_sample(rng, weighted, pool(caucus), k)
            asked = sorted(
                starts - datetime.timedelta(minutes=rng.randint(60, 60 * 24 * 40)) for _ in members
            )
            confirmed = 0
            came = []
            for member, requested in zip(members, asked, strict=True):
                if rng.random() < (0.08 if is_past else 0.05):
                    state = "cancelled"
                elif capacity is not None and confirmed >= capacity:
                    state = "waitlisted"
                else:
                    state = "confirmed"
                    confirmed += 1
                reminded = (
                    starts - datetime.timedelta(days=1)
                    if is_past and state == "confirmed"
                    else None
                )
                registrations.append((pk, member, state, requested, requested, reminded))
                attended = is_past and status == "published" and state == "confirmed"
                if attended and rng.random() < 0.72:
                    came.append((member, False))
            if is_past and status == "published":
                registered = set(members)
                walk_ins = [
                    m for m in rng.sample(pool(caucus), min(len(pool(caucus)), max(1, k // 20)))
                    if m not in registered
                ]  # fmt: skip
                came += [(m, True) for m in walk_ins[: max(0, k // 25)]]
                recorded = starts + datetime.timedelta(minutes=30)
                attendances += [(pk, m, walk_in, recorded) for m, walk_in in came]
                self.attendees[pk] = [m for m, _ in came]
        self._count(
            Registration,
            _copy(
                Registration,
                ["event_id", "member_id", "status", "requested_at", "updated_at",
                 "reminder_sent_at"],
                registrations,
            ),
        )  # fmt: skip
        self._count(
            Attendance,
            _copy(Attendance, ["event_id", "member_id", "walk_in", "recorded_at"], attendances),
        )

    # The resource hub --------------------------------------------------------------------------

    def resources(self):
        rng = self.rng("resources")
        text = _Text(self.rng("resources-text"))
        kinds = [k for k, _ in Resource.Kind.choices]
        kind_weights = {"recording": 15, "slides": 15, "toolkit": 10, "article": 20,
                        "report": 10, "guide": 10, "reading": 12, "link": 8}  # fmt: skip
        topic_ids = [pk for pk, _ in self.topics]
        past_events = [
            (pk, starts)
            for pk, starts, is_past, status, caucus, _ in self.events_info
            if is_past and status == "published"
        ]
        first = _next_id(Resource)
        rows, topic_rows = [], []
        self.resource_titles = []
        for i in range(self.tier.resources):
            pk = first + i
            kind = rng.choices(kinds, weights=[kind_weights[k] for k in kinds])[0]
            title = text.title()
            event, published = (
                None,
                self.start.date() + datetime.timedelta(days=rng.randint(0, HISTORY_DAYS - 1)),
            )
            if past_events and rng.random() < (0.8 if kind in ("recording", "slides") else 0.1):
                event, starts = rng.choice(past_events)
                published = (starts + datetime.timedelta(days=3)).date()
                published = min(published, self.anchor.date())
            description = [text.sentences(rng.randint(3, 8))]
            if i % RARE_EVERY == 7:
                description.append(
                    f"We drew on testimony from the {RARE_TERM.capitalize()} generation and "
                    "their families about how they were treated by health services."
                )
            description.append(text.sentences(rng.randint(2, 5)))
            transcript = ""
            if kind == "recording" and rng.random() < 0.7:
                transcript = text.transcript(rng.randint(1_500, 4_000))
            video = external = ""
            if kind == "recording":
                video = (
                    f"https://www.youtube.com/watch?v={''.join(rng.choices(_YOUTUBE_CHARS, k=11))}"
                    if rng.random() < 0.7
                    else f"https://vimeo.com/{rng.randint(10**7, 10**9)}"
                )
            else:
                external = f"https://example.org/resources/{pk}"
            created = datetime.datetime.combine(published, datetime.time(10), tzinfo=datetime.UTC)
            rows.append((
                pk, title, f"{slugify(title)[:200]}-{pk}", kind, "\n\n".join(description),
                "\n".join(rng.sample(TAKEAWAYS, rng.randint(3, 5))), event,
                rng.choice([*self.org_names, "CoP organising team"]), published,
                Audience.PUBLIC if rng.random() < 0.3 else Audience.MEMBERS,
                "published" if rng.random() < 0.97 else "draft", "", "", external, video,
                transcript, created, created,
            ))  # fmt: skip
            self.resource_titles.append(title)
            for topic in rng.sample(topic_ids, min(len(topic_ids), rng.randint(1, 3))):
                topic_rows.append((pk, topic))
        columns = [
            "id", "title", "slug", "kind", "description", "key_takeaways", "event_id", "author",
            "published_on", "audience", "status", "file", "file_type", "external_url",
            "video_url", "transcript", "created_at", "updated_at",
        ]  # fmt: skip
        self._count(Resource, _copy(Resource, columns, rows))
        _sequence_reset(Resource)
        self._count(
            Resource.topics.through,
            _copy(Resource.topics.through, ["resource_id", "topic_id"], topic_rows),
        )

    def case_studies(self):
        rng = self.rng("case-studies")
        text = _Text(self.rng("case-studies-text"))
        first = _next_id(CaseStudy)
        rows, topic_rows = [], []
        topic_ids = [pk for pk, _ in self.topics]
        for i in range(max(3, self.tier.members // 250)):
            pk = first + i
            title = text.title()
            roll = rng.random()
            status = "published" if roll < 0.8 else "submitted" if roll < 0.9 else "draft"
            created = self._at(rng.uniform(30, HISTORY_DAYS - 10))
            rows.append((
                pk, rng.choice(self.active_ids), title, f"{slugify(title)[:200]}-{pk}",
                text.sentences(4), text.sentences(5), text.sentences(3), text.sentences(2),
                rng.random() < 0.7, status, "",
                created + datetime.timedelta(days=5) if status != "draft" else None,
                created + datetime.timedelta(days=9) if status == "published" else None,
                created, created,
            ))  # fmt: skip
            for topic in rng.sample(topic_ids, min(len(topic_ids), 2)):
                topic_rows.append((pk, topic))
        columns = [
            "id", "author_id", "title", "slug", "context", "what_we_did", "what_changed",
            "to_share", "credit_author", "status", "moderator_comment", "submitted_at",
            "published_at", "created_at", "updated_at",
        ]  # fmt: skip
        self._count(CaseStudy, _copy(CaseStudy, columns, rows))
        _sequence_reset(CaseStudy)
        self._count(
            CaseStudy.topics.through,
            _copy(CaseStudy.topics.through, ["casestudy_id", "topic_id"], topic_rows),
        )

    # Learning to action ------------------------------------------------------------------------

    def actions(self):
        rng = self.rng("actions")
        past = [pk for pk, _, is_past, status, caucus, _ in self.events_info
                if is_past and status == "published" and caucus is None]  # fmt: skip
        levels = [level for level, _ in Action.Level.choices]
        cycles = [cycle for cycle, _ in ValueCycle.choices]
        rows = []
        for _ in range(self.tier.members // 2):
            member = rng.choice(self.weighted)
            created = max(self.member_joined[member], self._at(rng.uniform(0, HISTORY_DAYS)))
            status = rng.choices(["planned", "in_progress", "done", "dropped"], [3, 3, 3, 1])[0]
            done = status == "done"
            rows.append((
                member, rng.choice(ACTIONS), rng.choice(LESSONS).capitalize() + ".",
                (created + datetime.timedelta(days=rng.randint(14, 180))).date(),
                rng.choice(levels), rng.choice(past) if past and rng.random() < 0.4 else None,
                status, rng.choice(cycles) if done and rng.random() < 0.7 else "",
                rng.random() < 0.1, created, created,
                (created + datetime.timedelta(days=rng.randint(7, 120))).date() if done else None,
            ))  # fmt: skip
        self._count(
            Action,
            _copy(
                Action,
                ["member_id", "what", "why", "due_on", "level", "event_id", "status",
                 "value_cycle", "shared", "created_at", "updated_at", "completed_on"],
                rows,
            ),
        )  # fmt: skip
        check_ins = []
        for member in self.active_ids:
            if rng.random() >= 0.4:
                continue
            stage = rng.randint(1, 3)
            when = self.member_joined[member] + datetime.timedelta(days=rng.randint(1, 60))
            for _ in range(rng.randint(1, 4)):
                if when >= self.anchor:
                    break
                check_ins.append((member, stage, "", when))
                stage = max(1, min(5, stage + rng.choice([-1, 0, 1, 1])))
                when += datetime.timedelta(days=rng.randint(60, 200))
        self._count(
            CheckIn, _copy(CheckIn, ["member_id", "stage", "note", "created_at"], check_ins)
        )

    # Surveys -----------------------------------------------------------------------------------

    def surveys(self):
        rng = self.rng("surveys")
        total = self.tier.responses
        surveys = []  # [kind, title, event, opens, closes, invitees, weight]
        for j in range(self.tier.check_in_surveys):
            months_ago = self.tier.check_in_surveys - 1 - j
            opens = self.anchor - datetime.timedelta(days=7 + round(30.4 * months_ago))
            closes = opens + datetime.timedelta(days=28 if months_ago == 0 else 14)
            # Members joined in id order, so those who had joined by then are a prefix.
            invitees = [pk for pk in self.active_ids if self.member_joined[pk] < opens]
            weight = 0.5 if months_ago == 0 else 1.0  # the open one is half answered so far
            surveys.append(
                ["check_in", f"Monthly check-in, {opens:%B %Y}", None, opens, closes, invitees,
                 weight]
            )  # fmt: skip
        post_events = []
        for n, (pk, starts, _, _, caucus, _) in enumerate(self.events_info):
            attendees = self.attendees.get(pk, [])
            if n % 3 == 0 and caucus is None and len(attendees) >= 5:
                opens = starts + datetime.timedelta(hours=3)
                post_events.append(
                    ["post_event", f"After the session, {opens:%-d %B %Y}", pk, opens,
                     opens + datetime.timedelta(days=14), attendees, 0.0]
                )  # fmt: skip
        # Post-event surveys get about a third of those who came, up to a fifth of all answers.
        planned = [round(0.35 * len(s[5])) for s in post_events]
        scale = min(1.0, 0.2 * total / max(1, sum(planned)))
        wanted = [int(p * scale) for p in planned]
        rest = total - sum(wanted)
        capacity = sum(len(s[5]) * s[6] for s in surveys)
        rate = rest / capacity if capacity else 1.0
        if rate > 0.9:
            raise SeedError("Too many survey responses for the members of this tier.")
        wide = [int(len(s[5]) * s[6] * rate) for s in surveys]
        # The rounding goes to the check-ins with the most members invited.
        largest = sorted(range(len(wide)), key=lambda i: -len(surveys[i][5]))
        for i in range(rest - sum(wide)):
            wide[largest[i % len(largest)]] += 1
        surveys += post_events
        wanted = wide + wanted

        first_survey = _next_id(Survey)
        survey_rows, question_rows, choice_rows = [], [], []
        questions_of = {}
        first_question, first_choice = _next_id(Question), _next_id(Choice)
        for n, (kind, title, event, opens, closes, _, _) in enumerate(surveys):
            pk = first_survey + n
            anonymous = rng.random() < 0.9
            survey_rows.append((
                pk, title, f"{slugify(title)}-{pk}", kind,
                "A few questions: your answers shape the programme.", event, None,
                anonymous, opens, closes, "published",
                opens - datetime.timedelta(hours=1), opens,
                closes - datetime.timedelta(days=2) if closes < self.anchor else None, None,
                opens - datetime.timedelta(days=1), _short_code(pk),
                # A closed survey's anonymous answers had their final release from the
                # schedule within the quarter hour, as in a live portal: without it the first
                # page to show its results would do that release itself.
                min(closes + datetime.timedelta(minutes=15), self.anchor)
                if anonymous and closes < self.anchor
                else None,
            ))  # fmt: skip
            questions_of[pk] = []
            for order, (text, qkind, cycle, options) in enumerate(
                CHECK_IN_QUESTIONS if kind == "check_in" else POST_EVENT_QUESTIONS
            ):
                qpk = first_question + len(question_rows)
                question_rows.append((qpk, pk, order, text, "", qkind, qkind != "text", cycle))
                choices = []
                for corder, option in enumerate(options):
                    cpk = first_choice + len(choice_rows)
                    choice_rows.append((cpk, qpk, option, corder))
                    choices.append(cpk)
                questions_of[pk].append((qpk, qkind, choices))
        self._count(
            Survey,
            _copy(
                Survey,
                ["id", "title", "slug", "kind", "intro", "event_id", "caucus_id",
                 "is_anonymous", "opens_at", "closes_at", "status", "published_at",
                 "invitations_sent_at", "reminders_sent_at", "created_by_id", "created_at",
                 "short_code", "answers_sealed_at"],
                survey_rows,
            ),
        )  # fmt: skip
        self._count(
            Question,
            _copy(
                Question,
                ["id", "survey_id", "order", "text", "help_text", "kind", "required",
                 "value_cycle"],
                question_rows,
            ),
        )  # fmt: skip
        self._count(Choice, _copy(Choice, ["id", "question_id", "text", "order"], choice_rows))
        for model in (Survey, Question, Choice):
            _sequence_reset(model)

        invitations, responses, answers = [], [], []
        for n, ((_, _, _, opens, closes, invitees, _), k) in enumerate(
            zip(surveys, wanted, strict=True)
        ):
            pk = first_survey + n
            named = not survey_rows[n][7]
            answered = set(rng.sample(invitees, k))
            last_day = min(closes, self.anchor).date()
            span = max(0, (last_day - opens.date()).days)
            reminded = (
                (closes - datetime.timedelta(days=2)).date() if closes < self.anchor else None
            )
            for member in invitees:
                done = member in answered
                invitations.append((pk, member, opens.date(), None if done else reminded, done))
            for member in sorted(answered):
                response = uuid.UUID(int=rng.getrandbits(128), version=4)
                sector, level, org = self.member_profile[member]
                responses.append((
                    response, pk, member if named else None,
                    opens.date() + datetime.timedelta(days=rng.randint(0, span)), sector, level,
                    org,
                ))  # fmt: skip
                for qpk, qkind, choices in questions_of[pk]:
                    if qkind == "agreement":
                        value = rng.choices(range(1, 6), weights=[5, 10, 20, 40, 25])[0]
                        answers.append((response, qpk, value, None, ""))
                    elif qkind == "nps":
                        value = rng.choices(range(11), weights=NPS_WEIGHTS)[0]
                        answers.append((response, qpk, value, None, ""))
                    elif qkind == "single":
                        answers.append((response, qpk, None, rng.choice(choices), ""))
                    elif qkind == "multiple":
                        for choice in rng.sample(choices, rng.randint(1, 3)):
                            answers.append((response, qpk, None, choice, ""))
                    elif rng.random() < 0.35:
                        answers.append((response, qpk, None, None, rng.choice(ANSWER_TEXTS)))
        self._count(
            Invitation,
            _copy(
                Invitation,
                ["survey_id", "member_id", "invited_on", "reminded_on", "responded"],
                invitations,
            ),
        )
        self._count(
            Response,
            _copy(
                Response,
                ["id", "survey_id", "member_id", "submitted_on", "sector", "seniority",
                 "organisation_id"],
                responses,
            ),
        )  # fmt: skip
        self._count(
            Answer,
            _copy(Answer, ["response_id", "question_id", "value", "choice_id", "text"], answers),
        )


_YOUTUBE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
NPS_WEIGHTS = [1, 1, 1, 2, 2, 4, 6, 12, 20, 25, 26]
CHECK_IN_QUESTIONS = [
    ("The CoP helped me think differently about racism in my work.", "agreement",
     ValueCycle.POTENTIAL, []),
    ("I used something from the CoP in my practice this month.", "agreement",
     ValueCycle.APPLIED, []),
    ("I felt safe to speak openly in CoP spaces.", "agreement", ValueCycle.IMMEDIATE, []),
    ("How did you mostly take part this month?", "single", "",
     ["Sessions", "The resource hub", "My caucus", "I did not take part"]),
    ("Which topics would you like more on?", "multiple", "",
     ["Data and evidence", "Workforce and recruitment", "Mental health", "Maternity",
      "Leadership and allyship"]),
    ("How likely are you to recommend the CoP to a colleague?", "nps", "", []),
    ("What one thing would make the CoP more useful to you?", "text", "", []),
]  # fmt: skip
POST_EVENT_QUESTIONS = [
    ("The session was a good use of my time.", "agreement", ValueCycle.IMMEDIATE, []),
    ("I will do something differently because of it.", "agreement", ValueCycle.POTENTIAL, []),
    ("How likely are you to recommend this session to a colleague?", "nps", "", []),
    ("Anything else you would like to tell the organisers?", "text", "", []),
]


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.seed`: seed the database Django is set up on, if it is PostgreSQL and
    has no members (or --force), and print how many rows of each kind went in."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed",
        description="Fill the database with a reproducible synthetic CoP for benchmarking: tier S "
        "(1,000 members), M (10,000) or L (100,000); T is a few dozen rows of each kind, for "
        "tests. PostgreSQL only, and only into a database with no members unless --force. "
        "Members share one password nobody knows: sign in as one with a session made in the "
        "shell.",
    )
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument(
        "--force", action="store_true", help="add to a database that already has members"
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("python -m bench.seed runs on PostgreSQL only.")
    if User.objects.exists() and not args.force:
        raise SystemExit(
            "The database already has members: use an empty one, or --force to add to it."
        )
    say = functools.partial(print, flush=True)
    began = time.monotonic()
    say(f"Seeding tier {args.tier} (seed {args.seed})…")
    try:
        counts = ScaleSeeder(TIERS[args.tier], seed=args.seed, log=say).run()
    except SeedError as error:
        raise SystemExit(str(error)) from error
    for label, n in counts.items():
        say(f"  {n:>10,}  {label}")
    say(f"Tier {args.tier} seeded in {time.monotonic() - began:.0f}s.")
