"""The organisers' survey builder: the list of surveys, a survey's settings and questions,
preview, publishing, inviting, and the admin."""

import datetime
import html as html_lib
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from surveys.models import Answer, Choice, Invitation, Question, Response, SealedResponse, Survey
from surveys.services.organise import invitation_link_for
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    caucus_member,
    permission_give,
    survey_answer,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NEXT_YEAR = timezone.now().year + 1
NOT_EDITABLE = "People have already answered, so the questions cannot change."


# Helpers ---------------------------------------------------------------------------------------


def _published(**fields):
    """A published survey, open now, with one agreement question."""
    survey = SurveyFactory(**fields)
    QuestionFactory(survey=survey, text="The session was useful.")
    return survey


def _h1_count(response):
    return len(re.findall(rb"<h1[\s>]", response.content))


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _text(fragment):
    """The text of an HTML fragment, tags dropped and spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(html):
    """The body rows of the page's first table, as lists of cell texts."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _survey_data(**overrides):
    data = {
        "title": "After the maternity care session",
        "kind": Survey.Kind.COP_WIDE,
        "intro": "Tell us how it went.",
        "event": "",
        "caucus": "",
        "is_anonymous": "on",
        "opens_at": f"{NEXT_YEAR}-07-01T10:00",
        "closes_at": f"{NEXT_YEAR}-07-15T17:00",
    }
    data.update(overrides)
    return data


def _question_data(**overrides):
    data = {
        "text": "Which part helped most?",
        "help_text": "",
        "kind": Question.Kind.SINGLE,
        "required": "on",
        "choices": "The talk\nThe small groups\nThe resources",
    }
    data.update(overrides)
    return data


# Who may see the builder -----------------------------------------------------------------------


def _page_kwargs(name):
    if name in {"surveys:organise", "surveys:survey_new"}:
        return {}
    survey = SurveyFactory(draft=True)
    if name.startswith("surveys:question_") and name != "surveys:question_new":
        return {
            "pk": survey.pk,
            "question_id": QuestionFactory(survey=survey, text="The session was useful.").pk,
        }
    return {"pk": survey.pk}


STEERING_MAY_SEE = ["surveys:organise", "surveys:survey_detail", "surveys:preview"]
ORGANISERS_ONLY = [
    "surveys:survey_new",
    "surveys:survey_edit",
    "surveys:question_new",
    "surveys:question_edit",
    "surveys:question_delete",
]


@pytest.mark.parametrize("name", STEERING_MAY_SEE + ORGANISERS_ONLY)
def test_builder_pages_by_role(client, member, organiser, steering_member, name):
    url = reverse(name, kwargs=_page_kwargs(name))
    assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(steering_member)
    assert client.get(url).status_code == (200 if name in STEERING_MAY_SEE else 403)
    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200
    assert _h1_count(response) == 1


@pytest.mark.parametrize("name", ["surveys:publish", "surveys:invite", "surveys:question_move"])
def test_builder_actions_are_post_only_and_for_organisers(
    client, member, organiser, steering_member, name
):
    kwargs = _page_kwargs(name)
    url = reverse(name, kwargs=kwargs)
    assert client.post(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.post(url).status_code == 403
    client.force_login(steering_member)
    assert client.post(url).status_code == 403
    client.force_login(organiser)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_detail", args=[kwargs["pk"]])


def test_organise_hub_links_to_surveys_for_organisers_only(client, organiser, steering_member):
    client.force_login(organiser)
    html = client.get(reverse("members:organise")).content.decode()
    assert f'<a href="{reverse("surveys:organise")}">Surveys and response rates</a>' in html
    assert f'<a href="{reverse("surveys:survey_new")}">New survey</a>' in html
    client.force_login(steering_member)
    html = client.get(reverse("members:organise")).content.decode()
    assert reverse("surveys:organise") not in html


# The list of surveys ---------------------------------------------------------------------------


def test_list_shows_each_survey_with_its_status_and_response_rate(organiser_client):
    now = timezone.now()
    draft = SurveyFactory(
        draft=True,
        title="Draft check-in",
        kind=Survey.Kind.CHECK_IN,
        opens_at=datetime.datetime(NEXT_YEAR, 7, 1, 9, tzinfo=UTC),
        closes_at=datetime.datetime(NEXT_YEAR, 7, 15, 16, tzinfo=UTC),
    )
    open_now = _published(title="Open and named", named=True)
    for responded in [True, False, False]:
        InvitationFactory(survey=open_now, responded=responded)
    later = _published(
        title="Opens later",
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=10),
    )
    closed = _published(title="Closed one")
    InvitationFactory(survey=closed, responded=True)
    Survey.objects.filter(pk=closed.pk).update(closes_at=now - datetime.timedelta(minutes=1))

    response = organiser_client.get(reverse("surveys:organise"))
    html = response.content.decode()
    caption = "4 surveys, newest first. Times are UK time."
    assert f'<caption id="surveys-caption">{caption}</caption>' in html
    rows = _rows(html)
    assert [row[0] for row in rows] == [
        "Closed one",
        "Opens later",
        "Open and named",
        "Draft check-in",
    ]
    assert rows[3] == [
        "Draft check-in",
        "Regular check-in",
        "Anonymous",
        f"1 Jul {NEXT_YEAR}, 10:00",
        f"15 Jul {NEXT_YEAR}, 17:00",
        "Draft",
        "0",
        "0",
        "–",
    ]
    assert rows[2][1:3] == ["Whole CoP", "Named"]
    assert rows[2][5:] == ["Open now", "3", "1", "33%"]
    assert rows[1][5:] == ["Published", "0", "0", "–"]
    assert rows[0][5:] == ["Closed", "1", "1", "100%"]
    detail = reverse("surveys:survey_detail", args=[draft.pk])
    assert f'<a href="{detail}">Draft check-in</a>' in html
    assert f'href="{reverse("surveys:survey_detail", args=[later.pk])}"' in html
    assert (
        f'<a class="btn btn-primary" href="{reverse("surveys:survey_new")}">New survey</a>' in html
    )


def test_list_offers_no_new_survey_button_to_the_steering_group(client, steering_member):
    SurveyFactory(draft=True, title="Visible to the steering group")
    client.force_login(steering_member)
    html = client.get(reverse("surveys:organise")).content.decode()
    assert "Visible to the steering group" in html
    assert reverse("surveys:survey_new") not in html


def test_list_shows_fifty_surveys_a_page(organiser_client):
    for i in range(51):
        SurveyFactory(draft=True, title=f"Survey {i}")
    response = organiser_client.get(reverse("surveys:organise"))
    assert len(response.context["page"]) == 50
    assert response.context["page"][0].title == "Survey 50"
    assert "Page 1 of 2" in response.content.decode()


def test_list_query_count_does_not_grow_with_surveys(organiser_client, same_queries_at_two_sizes):
    """The list must not run a query per row (event, caucus, invitation counts)."""
    caucus = CaucusFactory()

    def make(n):
        for i in range(n):
            if i % 3 == 0:
                survey = SurveyFactory(draft=True, after_event=True)
            elif i % 3 == 1:
                survey = SurveyFactory(draft=True, kind=Survey.Kind.CAUCUS, caucus=caucus)
            else:
                survey = SurveyFactory(draft=True)
            InvitationFactory(survey=survey, responded=i % 2 == 0)

    pages = same_queries_at_two_sizes(
        organiser_client, reverse("surveys:organise"), grow=make, sizes=(3, 20)
    )
    assert pages.small.context["page"].paginator.count == 3
    assert pages.large.context["page"].paginator.count == 23
    assert pages.queries <= 8


# Creating and editing a survey -----------------------------------------------------------------


def test_survey_form_uses_uk_time_datetime_inputs(organiser_client):
    html = organiser_client.get(reverse("surveys:survey_new")).content.decode()
    for name in ["opens_at", "closes_at"]:
        assert re.search(rf'<input type="datetime-local" name="{name}"', html)
    assert "Opens (UK time)" in html
    assert "Closes (UK time)" in html
    assert f'<a href="{reverse("surveys:organise")}">Back to surveys</a>' in html


@pytest.mark.parametrize(
    ("month", "day", "utc_hour"),
    [(7, 1, 9), (1, 15, 10)],
    ids=["summer-bst", "winter-gmt"],
)
def test_survey_created_in_uk_time_is_stored_in_utc(
    organiser_client, organiser, month, day, utc_hour
):
    opens = f"{NEXT_YEAR}-{month:02}-{day:02}T10:00"
    response = organiser_client.post(
        reverse("surveys:survey_new"),
        _survey_data(opens_at=opens, closes_at=opens.replace("T10", "T12")),
        follow=True,
    )
    survey = Survey.objects.get()
    assert response.redirect_chain == [(reverse("surveys:survey_detail", args=[survey.pk]), 302)]
    assert _messages(response) == [
        "“After the maternity care session” is saved as a draft: add its questions, then "
        "publish it."
    ]
    assert survey.opens_at == datetime.datetime(NEXT_YEAR, month, day, utc_hour, tzinfo=UTC)
    assert survey.closes_at == datetime.datetime(NEXT_YEAR, month, day, utc_hour + 2, tzinfo=UTC)
    assert survey.slug == "after-the-maternity-care-session"
    assert survey.status == Survey.Status.DRAFT
    assert survey.is_anonymous is True
    assert survey.created_by == organiser
    assert survey.intro == "Tell us how it went."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": Survey.Kind.POST_EVENT}, "Choose the session this survey follows."),
        ({"kind": Survey.Kind.CAUCUS}, "Choose the caucus this survey is for."),
        ({"closes_at": f"{NEXT_YEAR}-07-01T09:59"}, "The survey must close after it opens."),
        ({"closes_at": f"{NEXT_YEAR}-07-01T10:00"}, "The survey must close after it opens."),
    ],
    ids=["post-event-no-session", "caucus-no-caucus", "closes-before", "closes-as-opens"],
)
def test_survey_form_explains_what_is_missing(organiser_client, overrides, message):
    response = organiser_client.post(reverse("surveys:survey_new"), _survey_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [message]}
    assert message in html_lib.unescape(response.content.decode())
    assert not Survey.objects.exists()


def test_post_event_survey_offers_published_and_past_sessions_newest_first(organiser_client):
    now = timezone.now()
    soon = EventFactory(
        title="Coming up", starts_at=datetime.datetime(NEXT_YEAR, 3, 4, 10, tzinfo=UTC)
    )
    past = EventFactory(title="Last month", starts_at=now - datetime.timedelta(days=30))
    EventFactory(title="A draft", status=Event.Status.DRAFT)
    EventFactory(title="Called off", status=Event.Status.CANCELLED)
    form = organiser_client.get(reverse("surveys:survey_new")).context["form"]
    labels = [label for value, label in form.fields["event"].choices if value]
    assert labels == [
        f"Coming up (4 Mar {NEXT_YEAR})",
        f"Last month ({timezone.localtime(past.starts_at):%-d %b %Y})",
    ]

    response = organiser_client.post(
        reverse("surveys:survey_new"),
        _survey_data(kind=Survey.Kind.POST_EVENT, event=str(soon.pk)),
    )
    survey = Survey.objects.get()
    assert response["Location"] == reverse("surveys:survey_detail", args=[survey.pk])
    assert survey.event == soon


def test_caucus_survey_is_saved_with_its_caucus(organiser_client):
    caucus = CaucusFactory()
    organiser_client.post(
        reverse("surveys:survey_new"), _survey_data(kind=Survey.Kind.CAUCUS, caucus=caucus.pk)
    )
    assert Survey.objects.get().caucus == caucus


def test_organiser_edits_a_survey(organiser_client):
    survey = SurveyFactory(draft=True, title="Old title", slug="old-title")
    response = organiser_client.post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        _survey_data(title="New title", is_anonymous=""),
        follow=True,
    )
    assert _messages(response) == [
        "“New title” is saved as a draft: add its questions, then publish it."
    ]
    survey.refresh_from_db()
    assert survey.title == "New title"
    assert survey.slug == "old-title"
    assert survey.is_anonymous is False


def test_anonymity_cannot_change_once_people_have_answered(organiser_client, member):
    survey = _published(title="Answered already")
    survey_answer(survey, dict.fromkeys(survey.questions.all(), 4), member=member)
    local = timezone.localtime
    response = organiser_client.post(
        reverse("surveys:survey_edit", args=[survey.pk]),
        _survey_data(
            title="Answered already",
            is_anonymous="",
            opens_at=f"{local(survey.opens_at):%Y-%m-%dT%H:%M}",
            closes_at=f"{local(survey.closes_at):%Y-%m-%dT%H:%M}",
        ),
    )
    assert response.status_code == 200
    assert _messages(response) == [
        "People have already answered, so whether it is anonymous and who it is for cannot "
        "change now."
    ]
    survey.refresh_from_db()
    assert survey.is_anonymous is True


# Questions -------------------------------------------------------------------------------------


def test_organiser_adds_a_single_choice_question_with_its_options(organiser_client):
    survey = SurveyFactory(draft=True)
    response = organiser_client.post(
        reverse("surveys:question_new", args=[survey.pk]), _question_data(), follow=True
    )
    assert response.redirect_chain == [(reverse("surveys:survey_detail", args=[survey.pk]), 302)]
    assert _messages(response) == ["The question is saved."]
    question = Question.objects.get()
    assert (question.survey, question.text, question.kind, question.required, question.order) == (
        survey,
        "Which part helped most?",
        Question.Kind.SINGLE,
        True,
        1,
    )
    assert list(question.choices.values_list("text", "order")) == [
        ("The talk", 1),
        ("The small groups", 2),
        ("The resources", 3),
    ]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("Only one option", "A choice question needs at least two options."),
        ("", "A choice question needs at least two options."),
        ("Yes\nyes ", "Each option must be different."),
    ],
    ids=["one-option", "no-options", "duplicates"],
)
def test_choice_question_problems_show_on_the_form_with_what_was_typed(
    organiser_client, choices, message
):
    survey = SurveyFactory(draft=True)
    response = organiser_client.post(
        reverse("surveys:question_new", args=[survey.pk]),
        _question_data(text="Did it help?", choices=choices),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"__all__": [message]}
    assert form["text"].value() == "Did it help?"
    assert form["choices"].value() == choices
    assert message in html_lib.unescape(response.content.decode())
    assert not Question.objects.exists()


def test_options_are_dropped_for_a_question_that_is_not_a_choice(organiser_client):
    survey = SurveyFactory(draft=True)
    organiser_client.post(
        reverse("surveys:question_new", args=[survey.pk]),
        _question_data(kind=Question.Kind.TEXT, choices="Same\nSame", required=""),
    )
    question = Question.objects.get()
    assert (question.kind, question.required) == (Question.Kind.TEXT, False)
    assert not Choice.objects.exists()


def test_editing_a_question_shows_and_replaces_its_options(organiser_client):
    survey = SurveyFactory(draft=True)
    question = QuestionFactory(
        survey=survey, text="Pick one", kind=Question.Kind.SINGLE, choices=["Tea", "Coffee"]
    )
    url = reverse("surveys:question_edit", args=[survey.pk, question.pk])
    form = organiser_client.get(url).context["form"]
    assert form["choices"].value() == "Tea\nCoffee"
    assert form["text"].value() == "Pick one"

    organiser_client.post(
        url,
        _question_data(text="Pick any", kind=Question.Kind.MULTIPLE, choices="Water\nTea\nJuice"),
    )
    question.refresh_from_db()
    assert (question.text, question.kind) == ("Pick any", Question.Kind.MULTIPLE)
    assert list(question.choices.values_list("text", flat=True)) == ["Water", "Tea", "Juice"]


def test_questions_move_up_and_down(organiser_client):
    survey = SurveyFactory(draft=True)
    first, second, third = (
        QuestionFactory(survey=survey, text=t) for t in ["First", "Second", "Third"]
    )

    def move(question, direction):
        return organiser_client.post(
            reverse("surveys:question_move", args=[survey.pk, question.pk]),
            {"direction": direction},
            follow=True,
        )

    def order():
        return list(survey.questions.order_by("order").values_list("text", flat=True))

    response = move(third, "-1")
    assert _messages(response) == ["“Third” moved up."]
    assert order() == ["First", "Third", "Second"]
    move(first, "1")
    assert order() == ["Third", "First", "Second"]
    move(third, "-1")  # Already first: nothing changes.
    assert order() == ["Third", "First", "Second"]
    response = move(second, "2")
    assert _messages(response) == ["A question can only move up or down one place."]
    response = move(second, "down")
    assert _messages(response) == ["A question can only move up or down one place."]
    assert order() == ["Third", "First", "Second"]


def test_detail_page_offers_move_buttons_named_for_each_question(organiser_client):
    survey = SurveyFactory(draft=True)
    for text in ["First", "Second", "Third"]:
        QuestionFactory(survey=survey, text=text)
    html = organiser_client.get(reverse("surveys:survey_detail", args=[survey.pk])).content
    html = html.decode()
    assert 'Move up<span class="visually-hidden"> question 1</span>' not in html
    assert 'Move up<span class="visually-hidden"> question 2</span>' in html
    assert 'Move up<span class="visually-hidden"> question 3</span>' in html
    assert 'Move down<span class="visually-hidden"> question 1</span>' in html
    assert 'Move down<span class="visually-hidden"> question 3</span>' not in html
    assert html.count('name="direction" value="-1"') == 2
    assert html.count('name="direction" value="1"') == 2


def test_organiser_deletes_a_question_after_confirming(organiser_client):
    survey = SurveyFactory(draft=True, title="How was it?")
    keep = QuestionFactory(survey=survey, text="Keep me")
    question = QuestionFactory(survey=survey, text="Delete me")
    url = reverse("surveys:question_delete", args=[survey.pk, question.pk])
    response = organiser_client.get(url)
    assert "“Delete me”, from “How was it?”." in html_lib.unescape(response.content.decode())
    assert Question.objects.count() == 2
    response = organiser_client.post(url, follow=True)
    assert _messages(response) == ["The question “Delete me” is deleted."]
    assert list(Question.objects.all()) == [keep]


def test_questions_cannot_change_once_people_have_answered(organiser_client, member):
    survey = _published()
    question = survey.questions.get()
    survey_answer(survey, dict.fromkeys(survey.questions.all(), 4), member=member)

    response = organiser_client.post(
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
        _question_data(text="Reworded", kind=Question.Kind.AGREEMENT, choices=""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [NOT_EDITABLE]}
    assert response.context["form"]["text"].value() == "Reworded"
    question.refresh_from_db()
    assert question.text == "The session was useful."

    response = organiser_client.post(
        reverse("surveys:question_new", args=[survey.pk]), _question_data()
    )
    assert response.context["form"].errors == {"__all__": [NOT_EDITABLE]}

    response = organiser_client.post(
        reverse("surveys:question_delete", args=[survey.pk, question.pk]), follow=True
    )
    assert _messages(response) == [NOT_EDITABLE]
    assert Question.objects.count() == 1
    # The answer is still sealed, not yet released: the questions are locked all the same.
    assert SealedResponse.objects.count() == 1
    assert NOT_EDITABLE in html_lib.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("surveys:question_edit", "get"),
        ("surveys:question_delete", "get"),
        ("surveys:question_delete", "post"),
        ("surveys:question_move", "post"),
    ],
)
def test_a_question_of_another_survey_is_not_found(organiser_client, name, method):
    survey = SurveyFactory(draft=True, title="This one")
    other = QuestionFactory(survey=SurveyFactory(draft=True, title="Another"))
    url = reverse(name, args=[survey.pk, other.pk])
    response = getattr(organiser_client, method)(
        url, {"direction": "1"} if method == "post" else {}
    )
    assert response.status_code == 404
    assert Question.objects.count() == 1


# The survey page and preview -------------------------------------------------------------------


def test_detail_page_shows_settings_questions_and_time_to_answer(organiser_client):
    event = EventFactory(title="Race and maternity care")
    survey = SurveyFactory(
        draft=True,
        title="After the session",
        kind=Survey.Kind.POST_EVENT,
        event=event,
        is_anonymous=False,
        opens_at=datetime.datetime(NEXT_YEAR, 7, 1, 9, tzinfo=UTC),
        closes_at=datetime.datetime(NEXT_YEAR, 7, 15, 16, tzinfo=UTC),
    )
    QuestionFactory(survey=survey, text="It was useful.", help_text="Think about your work.")
    QuestionFactory(
        survey=survey, text="Which part?", kind=Question.Kind.MULTIPLE, choices=["Talk", "Groups"]
    )
    QuestionFactory(survey=survey, text="Anything else?", kind=Question.Kind.TEXT, required=False)
    html = organiser_client.get(reverse("surveys:survey_detail", args=[survey.pk])).content
    html = html_lib.unescape(html.decode())
    text = _text(html)
    assert "Who it is for Members recorded as attending Race and maternity care" in text
    assert "Named: answers are stored with the member’s name" in text
    day = datetime.date(NEXT_YEAR, 7, 1)
    assert f"Opens {day:%A} 1 July {NEXT_YEAR}, 10:00 (UK time)" in text
    assert "Status Draft: members cannot see it" in text
    # 10 + 18 + 60 seconds.
    assert "It takes about 2 minutes to answer." in text
    assert _rows(html) == [
        [
            "1",
            "It was useful. Think about your work.",
            "Agreement scale (1–5)",
            "Yes",
            "–",
            "Edit question 1 Delete question 1 Move down question 1",
        ],
        [
            "2",
            "Which part?",
            "Several choices",
            "Yes",
            "Talk Groups",
            "Edit question 2 Delete question 2 Move up question 2 Move down question 2",
        ],
        [
            "3",
            "Anything else?",
            "Free text",
            "No",
            "–",
            "Edit question 3 Delete question 3 Move up question 3",
        ],
    ]
    for name in ["survey_edit", "question_new", "preview", "results", "publish"]:
        assert f'"{reverse(f"surveys:{name}", args=[survey.pk])}"' in html
    assert reverse("surveys:invite", args=[survey.pk]) not in html


def test_detail_page_is_read_only_for_the_steering_group(client, steering_member):
    survey = SurveyFactory(draft=True)
    question = QuestionFactory(survey=survey, text="The session was useful.")
    client.force_login(steering_member)
    html = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert "The session was useful." in html
    assert reverse("surveys:preview", args=[survey.pk]) in html
    assert reverse("surveys:results", args=[survey.pk]) in html
    for url in [
        reverse("surveys:survey_edit", args=[survey.pk]),
        reverse("surveys:question_new", args=[survey.pk]),
        reverse("surveys:question_edit", args=[survey.pk, question.pk]),
        reverse("surveys:publish", args=[survey.pk]),
        reverse("surveys:invite", args=[survey.pk]),
    ]:
        assert url not in html


def test_detail_page_says_who_is_invited_and_that_inviting_again_adds_newcomers_only(
    organiser_client,
):
    survey = _published()
    for responded in [True, False]:
        InvitationFactory(survey=survey, responded=responded)
    html = organiser_client.get(reverse("surveys:survey_detail", args=[survey.pk])).content
    text = _text(html.decode())
    assert "2 people invited so far, and 1 has answered." in text
    assert "Running it again only adds people not yet invited" in text
    assert f'action="{reverse("surveys:invite", args=[survey.pk])}"' in html.decode()
    assert reverse("surveys:publish", args=[survey.pk]) not in html.decode()


def test_its_page_says_nobody_is_invited_until_the_email_after_the_session(organiser_client):
    survey = SurveyFactory(after_event=True, closes_at=timezone.now() + datetime.timedelta(days=5))
    QuestionFactory(survey=survey)

    page = organiser_client.get(reverse("surveys:survey_detail", args=[survey.pk]))

    counts = re.search(r'<p id="invitation-counts">(.*?)</p>', page.content.decode(), re.S)
    assert _text(counts.group(1)) == (
        "Nobody has been invited yet. Those who came to the session are invited by the email "
        "after it, sent once its summary is published; or invite them now."
    )


def test_its_page_counts_those_the_email_after_the_session_invited(organiser_client):
    """That email is their invitation: the page must not say nobody has been invited."""
    survey = SurveyFactory(after_event=True, closes_at=timezone.now() + datetime.timedelta(days=5))
    QuestionFactory(survey=survey)
    for _ in range(5):
        invitation_link_for(survey=survey, member=UserFactory())
    survey.refresh_from_db()
    first = timezone.localtime(survey.invitations_sent_at)

    page = organiser_client.get(reverse("surveys:survey_detail", args=[survey.pk]))

    counts = re.search(r'<p id="invitation-counts">(.*?)</p>', page.content.decode(), re.S)
    assert _text(counts.group(1)) == (
        "5 people invited so far (by invitation or in the email after the session), and 0 have "
        f"answered. The first invitations went on {first:%-d %B %Y}."
    )


def test_preview_shows_the_questions_as_members_see_them_without_a_way_to_send(
    client, steering_member
):
    survey = SurveyFactory(draft=True, title="Check-in", intro="Why we ask.")
    QuestionFactory(
        survey=survey, text="Pick one", kind=Question.Kind.SINGLE, choices=["Tea", "Coffee"]
    )
    QuestionFactory(survey=survey, text="Say more", kind=Question.Kind.TEXT, required=False)
    client.force_login(steering_member)
    response = client.get(reverse("surveys:preview", args=[survey.pk]))
    html = html_lib.unescape(response.content.decode())
    box = re.search(r'<section class="survey-preview.*?</section>', html, re.S).group(0)
    assert "<form" not in box
    assert '<button type="submit" class="btn btn-primary" disabled>Send my answers</button>' in box
    assert "This survey is anonymous." in box
    assert "Why we ask." in box
    assert "It takes about 2 minutes." in box
    assert "Pick one" in box
    assert "Tea" in box
    assert "Coffee" in box
    assert "Say more" in box
    assert list(response.context["form"].fields) == [
        f"q{pk}" for pk in survey.questions.values_list("pk", flat=True)
    ]
    assert f'<a href="{reverse("surveys:organise")}">Back to surveys</a>' in html


# Publishing and inviting -----------------------------------------------------------------------


def test_a_survey_without_questions_cannot_be_published(organiser_client):
    survey = SurveyFactory(draft=True)
    response = organiser_client.post(reverse("surveys:publish", args=[survey.pk]), follow=True)
    assert _messages(response) == ["Add at least one question before publishing."]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_organiser_publishes_a_survey(organiser_client):
    survey = SurveyFactory(draft=True, title="Ready")
    QuestionFactory(survey=survey, text="The session was useful.")
    response = organiser_client.post(reverse("surveys:publish", args=[survey.pk]), follow=True)
    assert _messages(response) == ["“Ready” is published. Invite people when you are ready."]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.PUBLISHED
    assert survey.published_at is not None
    response = organiser_client.post(reverse("surveys:publish", args=[survey.pk]), follow=True)
    assert _messages(response) == ["This survey is already published."]


def test_a_draft_survey_cannot_be_sent(organiser_client):
    survey = SurveyFactory(draft=True)
    QuestionFactory(survey=survey, text="The session was useful.")
    response = organiser_client.post(reverse("surveys:invite", args=[survey.pk]), follow=True)
    assert _messages(response) == ["Publish the survey before inviting people."]
    assert not Invitation.objects.exists()


def _invite(client, survey):
    """Invite through the page; returns what it says and to whom the workers then sent an
    invitation (the page only queues them)."""
    mail_sent().clear()
    response = client.post(reverse("surveys:invite", args=[survey.pk]), follow=True)
    return _messages(response), sorted(m.to[0] for m in mail_sent())


def test_post_event_survey_invites_the_attendees_only(organiser_client, member):
    event = EventFactory(starts_at=timezone.now() - datetime.timedelta(days=1))
    came = [member, UserFactory()]
    for person in came:
        AttendanceFactory(event=event, member=person)
    AttendanceFactory()  # another session
    survey = _published(kind=Survey.Kind.POST_EVENT, event=event)

    assert _invite(organiser_client, survey) == (
        ["2 people invited."],
        sorted(p.email for p in came),
    )
    assert set(Invitation.objects.values_list("member", flat=True)) == {p.pk for p in came}

    late = UserFactory()
    AttendanceFactory(event=event, member=late)
    assert _invite(organiser_client, survey)[0] == ["1 person invited."]
    assert _invite(organiser_client, survey)[0] == ["0 people invited."]
    assert set(Invitation.objects.values_list("member", flat=True)) == {p.pk for p in [*came, late]}


def test_caucus_survey_invites_the_caucus_members_only(organiser_client, member):
    caucus = CaucusFactory()
    other = CaucusFactory(name="Another caucus", slug="another")
    in_caucus = [caucus_member(caucus), caucus_member(caucus)]
    caucus_member(other)
    survey = _published(kind=Survey.Kind.CAUCUS, caucus=caucus)

    # Two people from a caucus: the number would say how many chose it, so it is not shown to
    # an organiser who may not see caucus choices (cop_portal/web/disclosure.py, rule 5).
    assert _invite(organiser_client, survey)[0] == ["Invitations sent."]
    assert set(Invitation.objects.values_list("member", flat=True)) == {m.pk for m in in_caucus}
    assert _invite(organiser_client, survey)[0] == ["0 people invited."]
    assert Invitation.objects.count() == 2


def test_cop_wide_survey_invites_every_active_member(
    organiser_client, organiser, member, steering_member
):
    UserFactory(is_active=False)
    survey = _published(kind=Survey.Kind.COP_WIDE)
    assert _invite(organiser_client, survey)[0] == ["3 people invited."]
    assert set(Invitation.objects.values_list("member", flat=True)) == {
        organiser.pk,
        member.pk,
        steering_member.pk,
    }
    assert _invite(organiser_client, survey)[0] == ["0 people invited."]
    assert Invitation.objects.count() == 3


def test_a_closed_survey_cannot_be_sent(organiser_client):
    survey = _published()
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now())
    response = organiser_client.post(reverse("surveys:invite", args=[survey.pk]), follow=True)
    assert _messages(response) == ["This survey has closed."]
    assert not Invitation.objects.exists()


# Admin -----------------------------------------------------------------------------------------


def test_responses_and_answers_are_not_in_the_admin():
    assert admin.site.is_registered(Survey)
    assert admin.site.is_registered(Invitation)
    assert not admin.site.is_registered(Response)
    assert not admin.site.is_registered(Answer)


def test_survey_admin_locks_questions_and_audience_once_answered(admin_client, member):
    survey = _published(title="Locked")
    url = reverse("admin:surveys_survey_change", args=[survey.pk])
    assert 'name="questions-0-text"' in admin_client.get(url).content.decode()
    assert 'name="is_anonymous"' in admin_client.get(url).content.decode()
    survey_answer(survey, dict.fromkeys(survey.questions.all(), 4), member=member)
    html = admin_client.get(url).content.decode()
    assert "The session was useful." in html
    assert 'name="questions-0-text"' not in html
    assert 'name="is_anonymous"' not in html
    assert 'name="kind"' not in html
    assert 'name="title"' in html


def test_invitations_in_the_admin_are_read_only(admin_client, member):
    survey = _published(title="Asked")
    invitation = InvitationFactory(survey=survey, member=member)
    response = admin_client.get(reverse("admin:surveys_invitation_changelist"))
    assert response.status_code == 200
    assert str(member) in response.content.decode()
    assert admin_client.get(reverse("admin:surveys_invitation_add")).status_code == 403
    delete = reverse("admin:surveys_invitation_delete", args=[invitation.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Invitation.objects.count() == 1


def test_caucus_survey_invitations_are_hidden_in_the_admin_without_caucus_permission(
    client, ground_rules
):
    staff = UserFactory(
        is_staff=True, agreed_to=ground_rules, permissions=["surveys.view_invitation"]
    )
    caucus = CaucusFactory()
    in_caucus = caucus_member(caucus, name="Caucus Person")
    survey = _published(title="Caucus only", kind=Survey.Kind.CAUCUS, caucus=caucus)
    InvitationFactory(survey=survey, member=in_caucus)
    InvitationFactory(survey=_published(title="Everyone"), member=UserFactory(name="Open Person"))
    client.force_login(staff)
    changelist = reverse("admin:surveys_invitation_changelist")
    html = client.get(changelist).content.decode()
    assert "Open Person" in html
    assert "Caucus Person" not in html
    permission_give(staff, "events.view_caucus_choice")
    html = client.get(changelist).content.decode()
    assert "Caucus Person" in html
