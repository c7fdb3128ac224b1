"""The demo that `make run` loads (`manage.py load_demo_content`): every record in the data files
under members/demo/ loads, and loading again adds nothing."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.utils import timezone

from events.models import Attendance, Event, Programme, Registration, Speaker
from members.models import GroundRulesAgreement, Organisation, User
from members.roles import ORGANISERS
from resources.models import CaseStudy, Initiative, LearningPathway, PathwayStep, Resource

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "members" / "demo"


def records(name: str):
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


@pytest.fixture
def demo(settings):
    """Load the demo as `make run` does, after the starter content; returns what it printed."""
    call_command("load_starter_content", stdout=io.StringIO())
    settings.DEBUG = True

    def load() -> str:
        out = io.StringIO()
        call_command("load_demo_content", stdout=out)
        return out.getvalue()

    return load


def counts() -> dict:
    models = (Organisation, User, Programme, Event, Speaker, Registration, Attendance, Resource,
              LearningPathway, PathwayStep, CaseStudy, Initiative)  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_every_record_in_the_data_files_loads_and_a_second_run_adds_nothing(demo):
    accounts, sessions = records("accounts.json"), records("programme.json")["sessions"]
    attended = [s for s in sessions if s["days_from_today"] < 0 and s["caucus"] is None]
    pathways = records("pathways.json")
    demo()
    assert counts() == {
        "Organisation": len(records("organisations.json")),
        "User": len(accounts),
        "Programme": 1,
        "Event": len(sessions),
        "Speaker": len(sessions),
        "Registration": len(attended) * len(accounts),
        "Attendance": len(attended) * len(accounts),
        "Resource": len(records("resources.json")),
        "LearningPathway": len(pathways),
        "PathwayStep": sum(len(pathway["steps"]) for pathway in pathways),
        "CaseStudy": len(records("case_studies.json")),
        "Initiative": len(records("initiatives.json")),
    }
    first = counts()
    demo()
    assert counts() == first


def test_each_run_prints_a_new_password_that_signs_the_accounts_in(demo):
    passwords = []
    for _ in range(2):
        output = demo()
        printed = re.findall(r"^  (organiser|member) +(\S+)  password: (\S+)$", output, re.M)
        assert [(role, email) for role, email, _ in printed] == [
            ("organiser" if a["organiser"] else "member", a["email"])
            for a in records("accounts.json")
        ]
        assert len({password for *_, password in printed}) == 1
        passwords.append(printed[0][2])
        for _, email, password in printed:
            user = User.objects.get(email=email)
            assert user.check_password(password)
            assert EmailAddress.objects.get(user=user).verified
            assert user.profile_completed_at is not None
            assert user.introduction_read_at is not None
            assert GroundRulesAgreement.objects.filter(member=user).exists()
    assert passwords[0] != passwords[1]
    assert list(User.objects.filter(groups__name=ORGANISERS).values_list("email", flat=True)) == [
        a["email"] for a in records("accounts.json") if a["organiser"]
    ]


def test_a_transcript_is_its_paragraphs_with_the_shared_ones_put_in(demo):
    demo()
    shared = (DEMO / "transcripts" / "_close-online.md").read_text(encoding="utf-8")
    transcripts = list(Resource.objects.exclude(transcript="").values_list("transcript", flat=True))
    assert len(transcripts) == len([r for r in records("resources.json") if "transcript" in r])
    for transcript in transcripts:
        assert "{{" not in transcript
        assert all(p and "\n" not in p for p in transcript.split("\n\n"))
    sharing = [
        f for f in (DEMO / "transcripts").glob("*.md") if "{{ close-online }}" in f.read_text()
    ]
    assert sum(" ".join(shared.split()) in transcript for transcript in transcripts) == len(sharing)


def test_a_session_recording_is_dated_just_after_its_session(demo):
    demo()
    recording = Resource.objects.get(
        title="Race-based stress and trauma at work: session recording"
    )
    assert recording.event.title == "Race-based stress and trauma at work"
    assert recording.published_on == min(
        timezone.localdate(recording.event.ends_at) + datetime.timedelta(days=3),
        timezone.localdate(),
    )
    past = [s for s in records("programme.json")["sessions"] if s["days_from_today"] < 0]
    assert Event.objects.filter(summary_published_at__isnull=False).count() == len(past)


def test_the_demo_refuses_to_load_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="needs DEBUG on"):
        call_command("load_demo_content", stdout=io.StringIO())
    assert not User.objects.exists()
