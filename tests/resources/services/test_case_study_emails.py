"""The author of a case study hears what the organisers decided about it: once per round of
review, with the organisers' comments when it comes back, and never once their account is
erased or closed."""

import pytest
from django.core import mail
from django.urls import reverse

from members.services.data_rights import member_erase
from resources import services
from resources.models import CaseStudy

from ...factories import CaseStudyFactory, UserFactory
from ...mail import mail_sent
from ...tasks import tasks_run

pytestmark = pytest.mark.django_db

PORTAL = "http://127.0.0.1:8000"


def _waiting(**fields):
    author = UserFactory(name="Ama Mensah", email="ama@example.org")
    return CaseStudyFactory(
        author=author, title="Changing how we recruit", status=CaseStudy.Status.SUBMITTED, **fields
    )


def test_the_author_is_told_once_that_it_is_returned_with_the_comments():
    case_study = _waiting()

    services.case_study_moderate(
        case_study=case_study, decision="returned", comment="Please add what changed for patients."
    )

    sent = mail_sent()
    assert [(m.to, m.subject) for m in sent] == [
        (
            ["ama@example.org"],
            "[CoP Portal] Your case study is returned with comments: Changing how we recruit",
        )
    ]
    body = sent[0].body
    assert "returned it to you with these comments:\n\nPlease add what changed for patients.\n" in (
        body
    )
    edit = reverse("resources:case_study_edit", kwargs={"slug": case_study.slug})
    assert f"submit it again when it is ready: {PORTAL}{edit}\n" in body
    assert "List-Unsubscribe" not in sent[0].extra_headers  # essential: about their own work


def test_the_author_is_told_once_that_it_is_published_with_a_link():
    case_study = _waiting()

    services.case_study_moderate(case_study=case_study, decision="published")

    sent = mail_sent()
    assert [(m.to, m.subject) for m in sent] == [
        (["ama@example.org"], "[CoP Portal] Your case study is published: Changing how we recruit")
    ]
    assert f"Read it: {PORTAL}/case-studies/{case_study.slug}/\n" in sent[0].body
    assert "with your name." in sent[0].body


def test_an_edit_after_the_decision_sends_nothing_more():
    case_study = _waiting()
    services.case_study_moderate(case_study=case_study, decision="returned", comment="Add data.")
    assert len(mail_sent()) == 1

    case_study.refresh_from_db()
    services.case_study_save(case_study=case_study, author=case_study.author, title="New title")
    services.case_study_save(case_study=case_study, author=case_study.author, title="Newer title")

    assert len(mail_sent()) == 1


def test_running_the_task_again_sends_nothing_more():
    case_study = _waiting()
    services.case_study_moderate(case_study=case_study, decision="published")
    assert len(mail_sent()) == 1
    case_study.refresh_from_db()

    services.case_study_decision_email_send.enqueue(
        case_study.pk, case_study.submitted_at.isoformat()
    )
    assert tasks_run() >= 1

    assert len(mail_sent()) == 1


def test_each_round_of_review_is_told_once():
    case_study = _waiting()
    services.case_study_moderate(case_study=case_study, decision="returned", comment="Add data.")
    assert len(mail_sent()) == 1
    services.case_study_submit(case_study=case_study)

    services.case_study_moderate(case_study=case_study, decision="published")

    assert [m.subject for m in mail_sent()] == [
        "[CoP Portal] Your case study is returned with comments: Changing how we recruit",
        "[CoP Portal] Your case study is published: Changing how we recruit",
    ]


def test_a_return_the_author_has_already_acted_on_is_not_sent_late():
    """The workers were stopped; by the time they run, the author has resubmitted it."""
    case_study = _waiting()
    services.case_study_moderate(case_study=case_study, decision="returned", comment="Add data.")
    services.case_study_submit(case_study=case_study)

    assert mail_sent() == []


def test_an_author_erased_before_the_workers_run_gets_nothing_about_a_publication():
    """Erasing keeps a published case study, detached from its author."""
    case_study = _waiting()
    services.case_study_moderate(case_study=case_study, decision="published")
    member_erase(member=case_study.author)

    assert mail_sent() == []


def test_an_author_erased_before_the_workers_run_gets_nothing_about_a_return():
    """Erasing deletes an unpublished case study."""
    case_study = _waiting()
    services.case_study_moderate(case_study=case_study, decision="returned", comment="Add data.")
    member_erase(member=case_study.author)

    assert mail_sent() == []


def test_an_inactive_author_gets_nothing():
    case_study = _waiting()
    type(case_study.author).objects.filter(pk=case_study.author.pk).update(is_active=False)

    services.case_study_moderate(case_study=case_study, decision="published")

    assert mail_sent() == []


def test_the_organisers_decision_on_the_page_is_emailed_by_the_workers(organiser_client):
    case_study = _waiting()

    organiser_client.post(
        reverse("resources:case_study_review", args=[case_study.pk]),
        {"decision": "returned", "comment": "Please add what changed for patients."},
    )
    assert mail.outbox == []  # not inside the request

    assert [m.to for m in mail_sent()] == [["ama@example.org"]]
