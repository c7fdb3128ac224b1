"""Member pages for learning pathways, case studies and the local initiatives directory."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from resources.models import (
    CaseStudy,
    Initiative,
    Reflection,
    Resource,
    StepProgress,
)
from tests.factories import (
    CaseStudyFactory,
    InitiativeFactory,
    LearningPathwayFactory,
    OrganisationFactory,
    PathwayStepFactory,
    ReflectionFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALREADY_SUBMITTED = "You have already submitted this case study: it is waiting for review."
CANNOT_CHANGE = "This case study is with the organisers, so it cannot be changed now."
SAVED_AS_DRAFT = (
    "Your case study is saved as a draft. Submit it for review when it is ready: "
    "nobody else sees it until the organisers publish it."
)


def _steps(pathway):
    return list(pathway.steps.order_by("order"))


def _html(response):
    assert response.status_code == 200
    return response.content.decode()


def _case_study_data(**overrides):
    return {
        "title": "Interpreters on the ward",
        "context": "A maternity unit where many families speak little English.",
        "what_we_did": "We booked interpreters for every appointment.",
        "what_changed": "Fewer missed scans.",
        "to_share": "Start with the booking system.",
        "credit_author": "on",
        **overrides,
    }


# Sign-in -------------------------------------------------------------------------------------

GET_PAGES = [
    ("resources:pathways", []),
    ("resources:pathway", ["a-pathway"]),
    ("resources:case_studies", []),
    ("resources:my_case_studies", []),
    ("resources:case_study_new", []),
    ("resources:case_study", ["a-case-study"]),
    ("resources:case_study_edit", ["a-case-study"]),
    ("resources:initiatives", []),
    ("resources:initiative", ["an-initiative"]),
]
POST_ACTIONS = [
    ("resources:step_done", ["a-pathway", 1]),
    ("resources:reflection", ["a-pathway", 1]),
    ("resources:case_study_submit", ["a-case-study"]),
    ("resources:case_study_new", []),
]


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, args):
    url = reverse(name, args=args)
    assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize(("name", "args"), POST_ACTIONS)
def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(client, name, args):
    url = reverse(name, args=args)
    assert client.post(url, {"done": "yes", "text": "x"})["Location"] == (
        f"{reverse('account_login')}?next={url}"
    )
    assert not StepProgress.objects.exists()
    assert not Reflection.objects.exists()
    assert not CaseStudy.objects.exists()


def test_every_page_has_exactly_one_h1(member_client, member):
    pathway = LearningPathwayFactory(steps=2)
    study = CaseStudyFactory(
        author=member, status=CaseStudy.Status.RETURNED, moderator_comment="Shorter."
    )
    initiative = InitiativeFactory(name="Equity champions")
    urls = [
        reverse("resources:pathways"),
        pathway.get_absolute_url(),
        reverse("resources:case_studies"),
        reverse("resources:my_case_studies"),
        reverse("resources:case_study_new"),
        study.get_absolute_url(),
        reverse("resources:case_study_edit", args=[study.slug]),
        reverse("resources:initiatives"),
        initiative.get_absolute_url(),
    ]
    for url in urls:
        html = _html(member_client.get(url))
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url


# Learning pathways ---------------------------------------------------------------------------


def test_pathways_lists_published_pathways_with_step_counts(member_client):
    LearningPathwayFactory(
        title="Allyship in practice", steps=3, description="From listening to acting."
    )
    LearningPathwayFactory(title="Hidden draft pathway", steps=2, is_published=False)
    html = _html(member_client.get(reverse("resources:pathways")))
    assert "Allyship in practice" in html
    assert "3 steps" in html
    assert "From listening to acting." in html
    assert "Hidden draft pathway" not in html


def test_pathways_are_listed_by_title(member_client):
    # Eight, made in reverse order, so an unordered result is almost never alphabetical by luck.
    titles = [f"Pathway {letter}" for letter in "ABCDEFGH"]
    for title in reversed(titles):
        LearningPathwayFactory(title=title, steps=1)
    response = member_client.get(reverse("resources:pathways"))
    assert [p.title for p in response.context["pathways"]] == titles


def test_pathway_step_count_matches_the_steps_a_member_can_see(member_client):
    pathway = LearningPathwayFactory(title="Allyship in practice", steps=2)
    PathwayStepFactory(
        pathway=pathway, resource=ResourceFactory(status=Resource.Status.DRAFT), order=3
    )
    assert "0 of 2 steps done" in _html(member_client.get(pathway.get_absolute_url()))
    html = _html(member_client.get(reverse("resources:pathways")))
    assert "2 steps" in html


def test_pathway_shows_steps_in_order_with_private_reflection_forms(member_client):
    pathway = LearningPathwayFactory(title="Allyship in practice")
    second = PathwayStepFactory(
        pathway=pathway,
        resource=ResourceFactory(title="Second reading", kind=Resource.Kind.REPORT),
        order=2,
        reflection_prompt="Where do you see this at work?",
    )
    first = PathwayStepFactory(
        pathway=pathway,
        resource=ResourceFactory(title="First reading", kind=Resource.Kind.RECORDING),
        order=1,
    )
    html = _html(member_client.get(pathway.get_absolute_url()))
    assert "0 of 2 steps done" in html
    assert html.index("First reading") < html.index("Second reading")
    assert f'Step 1: <a href="{first.resource.get_absolute_url()}">First reading</a>' in html
    assert f'Step 2: <a href="{second.resource.get_absolute_url()}">Second reading</a>' in html
    assert "Recording" in html
    assert "Report" in html
    assert "Where do you see this at work?" in html
    assert html.count("Only you can read this.") == 2
    for number, step in [(1, first), (2, second)]:
        assert f'id="step-{step.pk}"' in html
        assert f'for="id_step{step.pk}_text"' in html
        assert f'id="id_step{step.pk}_text"' in html
        assert f'aria-describedby="id_step{step.pk}_text_helptext"' in html
        assert f"Your reflection on step {number}" in html
        assert reverse("resources:step_done", args=[pathway.slug, step.pk]) in html
        assert reverse("resources:reflection", args=[pathway.slug, step.pk]) in html
    assert html.count('value="yes"') == 2


def test_an_unpublished_or_unknown_pathway_is_not_found(member_client):
    hidden = LearningPathwayFactory(steps=2, is_published=False)
    assert member_client.get(hidden.get_absolute_url()).status_code == 404
    assert member_client.get(reverse("resources:pathway", args=["nope"])).status_code == 404


def test_marking_a_step_done_and_not_done(member_client, member):
    pathway = LearningPathwayFactory(steps=2)
    step = _steps(pathway)[1]
    url = reverse("resources:step_done", args=[pathway.slug, step.pk])

    response = member_client.post(url, {"done": "yes"})
    assert response["Location"] == f"{pathway.get_absolute_url()}#step-{step.pk}"
    assert list(StepProgress.objects.values_list("member", "step")) == [(member.pk, step.pk)]
    html = _html(member_client.get(pathway.get_absolute_url()))
    assert "Step 2 is marked as done." in html
    assert "1 of 2 steps done" in html
    assert html.count('value="no"') == 1

    member_client.post(url, {"done": "yes"})  # twice is still once
    assert StepProgress.objects.count() == 1

    member_client.post(url, {"done": "no"})
    assert not StepProgress.objects.exists()
    html = _html(member_client.get(pathway.get_absolute_url()))
    assert "Step 2 is marked as not done." in html
    assert "0 of 2 steps done" in html


def test_a_bad_done_value_changes_nothing(member_client):
    pathway = LearningPathwayFactory(steps=1)
    step = _steps(pathway)[0]
    url = reverse("resources:step_done", args=[pathway.slug, step.pk])
    response = member_client.post(url, {"done": "maybe"}, follow=True)
    assert "Choose whether the step is done or not." in _html(response)
    assert not StepProgress.objects.exists()


def test_a_step_of_another_or_unpublished_pathway_is_not_found(member_client):
    pathway = LearningPathwayFactory(steps=1)
    other_step = _steps(LearningPathwayFactory(steps=1))[0]
    hidden_step = _steps(hidden := LearningPathwayFactory(steps=1, is_published=False))[0]
    for slug, step in [(pathway.slug, other_step), (hidden.slug, hidden_step)]:
        for name in ["resources:step_done", "resources:reflection"]:
            url = reverse(name, args=[slug, step.pk])
            assert member_client.post(url, {"done": "yes", "text": "x"}).status_code == 404
    assert not StepProgress.objects.exists()
    assert not Reflection.objects.exists()


def test_a_step_whose_resource_is_a_draft_cannot_be_marked(member_client):
    pathway = LearningPathwayFactory(steps=1)
    draft_step = PathwayStepFactory(
        pathway=pathway, resource=ResourceFactory(status=Resource.Status.DRAFT), order=2
    )
    url = reverse("resources:step_done", args=[pathway.slug, draft_step.pk])
    assert member_client.post(url, {"done": "yes"}).status_code == 404
    assert not StepProgress.objects.exists()


def test_step_actions_are_post_only(member_client):
    pathway = LearningPathwayFactory(steps=1)
    step = _steps(pathway)[0]
    for name in ["resources:step_done", "resources:reflection"]:
        assert member_client.get(reverse(name, args=[pathway.slug, step.pk])).status_code == 405


def test_saving_a_reflection_shows_it_again_to_its_author(member_client, member):
    pathway = LearningPathwayFactory(steps=2)
    step = _steps(pathway)[0]
    url = reverse("resources:reflection", args=[pathway.slug, step.pk])
    response = member_client.post(url, {"text": "  I had not noticed who speaks first.  "})
    assert response["Location"] == f"{pathway.get_absolute_url()}#step-{step.pk}"
    reflection = Reflection.objects.get()
    assert (reflection.member, reflection.step, reflection.text) == (
        member,
        step,
        "I had not noticed who speaks first.",
    )
    html = _html(member_client.get(pathway.get_absolute_url()))
    assert "Your reflection on step 1 is saved." in html
    assert "I had not noticed who speaks first.</textarea>" in html


def test_saving_an_empty_reflection_clears_it(member_client, member):
    pathway = LearningPathwayFactory(steps=1)
    step = _steps(pathway)[0]
    ReflectionFactory(member=member, step=step, text="An old thought.")
    url = reverse("resources:reflection", args=[pathway.slug, step.pk])
    response = member_client.post(url, {"text": "   "}, follow=True)
    assert "Your reflection on step 1 is cleared." in _html(response)
    assert not Reflection.objects.exists()


def test_members_never_see_or_change_each_others_reflections(client, member, ground_rules):
    pathway = LearningPathwayFactory(steps=1)
    step = _steps(pathway)[0]
    url = reverse("resources:reflection", args=[pathway.slug, step.pk])
    client.force_login(member)
    client.post(url, {"text": "Member A's private thought about my team."})
    client.post(reverse("resources:step_done", args=[pathway.slug, step.pk]), {"done": "yes"})

    other = UserFactory(agreed_to=ground_rules)
    client.force_login(other)
    html = _html(client.get(pathway.get_absolute_url()))
    assert "Member A&#x27;s private thought" not in html
    assert "private thought about my team" not in html
    assert "0 of 1 step done" in html

    client.post(url, {"text": "Member B's own note."})
    client.post(url, {"text": ""})
    client.post(reverse("resources:step_done", args=[pathway.slug, step.pk]), {"done": "no"})
    assert Reflection.objects.get(member=member).text == "Member A's private thought about my team."
    assert not Reflection.objects.filter(member=other).exists()
    assert StepProgress.objects.filter(member=member, step=step).exists()


def test_a_reflection_that_is_too_long_is_kept_on_the_page_with_a_message(member_client, member):
    pathway = LearningPathwayFactory(steps=2)
    step = _steps(pathway)[1]
    ReflectionFactory(member=member, step=step, text="What I wrote before.")
    long_text = "I keep coming back to this. " * 200  # 5,600 characters
    url = reverse("resources:reflection", args=[pathway.slug, step.pk])
    html = _html(member_client.post(url, {"text": long_text}))
    assert "Your reflection on step 2 is not saved yet: see below." in html
    assert (
        "Your reflection is 5,599 characters long: it can be up to 5,000. Shorten it and save "
        "it again (your text is still here)." in html
    )
    assert f">\n{long_text}</textarea>" in html
    assert Reflection.objects.get().text == "What I wrote before."


def test_a_reflection_of_exactly_5000_characters_with_line_breaks_is_saved(member_client):
    pathway = LearningPathwayFactory(steps=1)
    step = _steps(pathway)[0]
    text = ("x" * 99 + "\r\n") * 50  # 5,000 characters as typed, 5,050 as sent
    url = reverse("resources:reflection", args=[pathway.slug, step.pk])
    assert member_client.post(url, {"text": text}).status_code == 302
    assert len(Reflection.objects.get().text) == 4999  # stripped of its last line break


# Case studies --------------------------------------------------------------------------------


def test_creating_a_case_study_saves_a_draft(member_client, member):
    topic = TopicFactory(name="Maternity")
    response = member_client.post(
        reverse("resources:case_study_new"), _case_study_data(topics=[topic.pk])
    )
    assert response["Location"] == reverse("resources:my_case_studies")
    study = CaseStudy.objects.get()
    assert study.author == member
    assert study.status == CaseStudy.Status.DRAFT
    assert study.title == "Interpreters on the ward"
    assert re.fullmatch(r"interpreters-on-the-ward-[0-9a-f]{6}", study.slug)
    assert study.to_share == "Start with the booking system."
    assert study.credit_author is True
    assert list(study.topics.all()) == [topic]
    html = _html(member_client.get(reverse("resources:my_case_studies")))
    assert SAVED_AS_DRAFT in html
    assert "Interpreters on the ward" in html
    assert "Status: <strong>Draft</strong>" in html
    assert reverse("resources:case_study_edit", args=[study.slug]) in html
    assert reverse("resources:case_study_submit", args=[study.slug]) in html


def test_a_case_study_form_with_missing_parts_is_shown_again(member_client):
    response = member_client.post(
        reverse("resources:case_study_new"), _case_study_data(what_changed="")
    )
    html = _html(response)
    assert "This field is required." in html
    assert "Interpreters on the ward" in html
    assert not CaseStudy.objects.exists()


def test_submitting_then_submitting_again(member_client, member):
    study = CaseStudyFactory(author=member)
    url = reverse("resources:case_study_submit", args=[study.slug])
    response = member_client.post(url, follow=True)
    assert "Thank you: your case study is submitted." in _html(response)
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.SUBMITTED
    submitted_at = study.submitted_at
    assert submitted_at is not None

    html = _html(member_client.post(url, follow=True))
    assert ALREADY_SUBMITTED in html
    assert "Status: <strong>Waiting for review</strong>" in html
    study.refresh_from_db()
    assert (study.status, study.submitted_at) == (CaseStudy.Status.SUBMITTED, submitted_at)


def test_editing_a_draft(member_client, member):
    study = CaseStudyFactory(author=member, title="First title")
    url = reverse("resources:case_study_edit", args=[study.slug])
    assert 'value="First title"' in _html(member_client.get(url))
    response = member_client.post(url, _case_study_data(title="Better title", credit_author=""))
    assert response["Location"] == reverse("resources:my_case_studies")
    study.refresh_from_db()
    assert (study.title, study.credit_author, study.status) == (
        "Better title",
        False,
        CaseStudy.Status.DRAFT,
    )


@pytest.mark.parametrize("status", [CaseStudy.Status.SUBMITTED, CaseStudy.Status.PUBLISHED])
def test_editing_after_submitting_is_refused_with_the_services_message(
    member_client, member, status
):
    study = CaseStudyFactory(author=member, title="As submitted", status=status)
    url = reverse("resources:case_study_edit", args=[study.slug])
    html = _html(member_client.post(url, _case_study_data(title="Changed later")))
    assert CANNOT_CHANGE in html
    study.refresh_from_db()
    assert study.title == "As submitted"
    assert study.status == status


def test_another_members_case_study_is_not_found(client, member, ground_rules):
    study = CaseStudyFactory(author=member, title="My unfinished draft")
    returned = CaseStudyFactory(
        author=member, status=CaseStudy.Status.RETURNED, moderator_comment="Fix."
    )
    other = UserFactory(agreed_to=ground_rules)
    client.force_login(other)
    for target in [study, returned]:
        assert client.get(target.get_absolute_url()).status_code == 404
        edit = reverse("resources:case_study_edit", args=[target.slug])
        assert client.get(edit).status_code == 404
        assert client.post(edit, _case_study_data(title="Hijacked")).status_code == 404
        submit = reverse("resources:case_study_submit", args=[target.slug])
        assert client.post(submit).status_code == 404
    assert "My unfinished draft" not in _html(client.get(reverse("resources:my_case_studies")))
    assert set(CaseStudy.objects.values_list("status", flat=True)) == {"draft", "returned"}
    assert not CaseStudy.objects.filter(title="Hijacked").exists()


def test_an_author_sees_their_own_draft_with_its_status(member_client, member):
    study = CaseStudyFactory(author=member, title="Still writing", context="On a stroke ward.")
    html = _html(member_client.get(study.get_absolute_url()))
    assert "Still writing" in html
    assert "Status: Draft" in html
    assert "Only you can see this case study until the organisers publish it." in html
    assert "On a stroke ward." in html


def test_a_returned_case_study_shows_the_moderator_comment_to_its_author(member_client, member):
    study = CaseStudyFactory(
        author=member,
        status=CaseStudy.Status.RETURNED,
        moderator_comment="Please remove the name of the ward manager.",
    )
    for url in [
        study.get_absolute_url(),
        reverse("resources:my_case_studies"),
        reverse("resources:case_study_edit", args=[study.slug]),
    ]:
        html = _html(member_client.get(url))
        assert "Comments from the organisers" in html, url
        assert "Please remove the name of the ward manager." in html, url
    assert "Status: Returned with comments" in _html(member_client.get(study.get_absolute_url()))
    response = member_client.post(
        reverse("resources:case_study_edit", args=[study.slug]),
        _case_study_data(title="Without the name"),
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.title == "Without the name"
    member_client.post(reverse("resources:case_study_submit", args=[study.slug]))
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.SUBMITTED


def test_a_published_case_study_is_open_to_every_member(client, member, ground_rules):
    topic = TopicFactory(name="Workforce")
    study = CaseStudyFactory(
        author=UserFactory(agreed_to=ground_rules, name="Amara Okafor"),
        title="Fairer shortlisting",
        status=CaseStudy.Status.PUBLISHED,
        to_share="Use structured interviews.",
        moderator_comment="Published with thanks.",
    )
    study.topics.add(topic)
    client.force_login(member)
    html = _html(client.get(study.get_absolute_url()))
    assert "<h1>Fairer shortlisting</h1>" in html
    assert "By Amara Okafor" in html
    assert "Topics: Workforce" in html
    assert "Use structured interviews." in html
    assert "Published with thanks." not in html
    assert "Only you can see" not in html


def test_an_author_who_chose_not_to_be_named_is_credited_as_a_member(client, member, ground_rules):
    author = UserFactory(agreed_to=ground_rules, name="Amara Okafor")
    study = CaseStudyFactory(
        author=author, title="Quiet changes", status=CaseStudy.Status.PUBLISHED, credit_author=False
    )
    client.force_login(member)
    for url in [reverse("resources:case_studies"), study.get_absolute_url()]:
        html = _html(client.get(url))
        assert "By A CoP member" in html, url
        assert "Amara Okafor" not in html, url


def test_the_published_list_has_only_published_case_studies(client, member, ground_rules):
    author = UserFactory(agreed_to=ground_rules, name="Kofi Mensah")
    topic = TopicFactory(name="Primary care")
    published = CaseStudyFactory(
        author=author, title="Published one", status=CaseStudy.Status.PUBLISHED
    )
    published.topics.add(topic)
    for status in ["draft", "submitted", "returned"]:
        CaseStudyFactory(author=author, title=f"Hidden {status} one", status=status)
        CaseStudyFactory(author=member, title=f"Own {status} one", status=status)
    client.force_login(member)
    html = _html(client.get(reverse("resources:case_studies")))
    assert "1 published case study" in html
    assert "Published one" in html
    assert "By Kofi Mensah" in html
    assert "Topics: Primary care" in html
    assert timezone.localdate(published.published_at).strftime("%-d %B %Y") in html
    assert "Hidden" not in html
    assert "Own " not in html
    assert reverse("resources:case_study_new") in html
    assert reverse("resources:my_case_studies") in html


def test_case_study_list_is_paginated_by_20(member_client, member):
    for _ in range(21):
        CaseStudyFactory(author=member, status=CaseStudy.Status.PUBLISHED)
    page_one = member_client.get(reverse("resources:case_studies"))
    assert len(page_one.context["page"].object_list) == 20
    assert "Page 1 of 2" in _html(page_one)
    page_two = member_client.get(reverse("resources:case_studies"), {"page": "2"})
    assert len(page_two.context["page"].object_list) == 1
    assert member_client.get(reverse("resources:case_studies"), {"page": "x"}).status_code == 200


def test_a_case_study_titled_new_can_be_read(member_client, member):
    member_client.post(
        reverse("resources:case_study_new"),
        _case_study_data(title="New", context="A distinctive context."),
    )
    study = CaseStudy.objects.get()
    assert "A distinctive context." in _html(member_client.get(study.get_absolute_url()))


def test_case_studies_list_queries_do_not_grow_with_case_studies(
    member_client, ground_rules, same_queries_at_two_sizes
):
    """Each case study's author and topics must come from the page's fixed few queries."""

    def make(n):
        for _ in range(n):
            CaseStudyFactory(
                author=UserFactory(agreed_to=ground_rules),
                status=CaseStudy.Status.PUBLISHED,
                topics=[TopicFactory(), TopicFactory()],
            )

    pages = same_queries_at_two_sizes(
        member_client, reverse("resources:case_studies"), grow=make, sizes=(2, 15)
    )
    assert pages.small.context["page"].paginator.count == 2
    assert pages.large.context["page"].paginator.count == 17
    assert pages.queries <= 10


# Initiatives ---------------------------------------------------------------------------------


def test_initiatives_list_shows_each_initiatives_details(member_client):
    topic = TopicFactory(name="Mental health")
    organisation = OrganisationFactory(name="Northside NHS Trust")
    InitiativeFactory(
        name="Equity champions",
        organisation=organisation,
        status=Initiative.Status.PLANNED,
        topics=[topic],
        audience="Ward managers",
        contact="equity@northside.example.org",
        url="https://northside.example.org/equity",
    )
    InitiativeFactory(name="Community listening", status=Initiative.Status.ENDED)
    html = _html(member_client.get(reverse("resources:initiatives")))
    assert "2 initiatives" in html
    assert "Equity champions" in html
    assert "Northside NHS Trust" in html
    assert "Planned" in html
    assert "Mental health" in html
    assert "Ward managers" in html
    assert "equity@northside.example.org" in html
    assert 'href="https://northside.example.org/equity"' in html
    assert "Community listening" in html
    assert "Not stated" in html
    assert "Ended" in html
    assert html.index("Community listening") < html.index("Equity champions")


def test_initiatives_filter_by_organisation_topic_and_status(member_client):
    north, south = OrganisationFactory(name="North"), OrganisationFactory(name="South")
    housing, maternity = TopicFactory(name="Housing"), TopicFactory(name="Maternity")
    InitiativeFactory(name="Alpha", organisation=north, topics=[housing], status="active")
    InitiativeFactory(
        name="Bravo", organisation=south, topics=[housing, maternity], status="planned"
    )
    InitiativeFactory(name="Charlie", organisation=north, topics=[maternity], status="ended")
    url = reverse("resources:initiatives")

    def names(**params):
        response = member_client.get(url, params)
        assert response.status_code == 200
        return [i.name for i in response.context["page"].object_list]

    assert names() == ["Alpha", "Bravo", "Charlie"]
    assert names(organisation=north.pk) == ["Alpha", "Charlie"]
    assert names(topic=maternity.pk) == ["Bravo", "Charlie"]
    assert names(status="planned") == ["Bravo"]
    assert names(organisation=north.pk, topic=housing.pk) == ["Alpha"]
    assert names(organisation=south.pk, status="ended") == []
    assert "No initiatives match these filters." in _html(
        member_client.get(url, {"organisation": south.pk, "status": "ended"})
    )


@pytest.mark.parametrize(
    "params",
    [
        {"organisation": "abc"},
        {"organisation": "999999"},
        {"topic": "1 OR 1=1"},
        {"status": "<script>"},
        {"page": "x"},
        {"page": "99999"},
    ],
)
def test_bad_initiative_filters_show_the_whole_list(member_client, params):
    InitiativeFactory(name="Alpha", status="active")
    InitiativeFactory(name="Bravo", status="ended")
    response = member_client.get(reverse("resources:initiatives"), params)
    html = _html(response)
    assert [i.name for i in response.context["page"].object_list] == ["Alpha", "Bravo"]
    assert "<script>" not in html


def test_initiative_page(member_client):
    initiative = InitiativeFactory(
        name="Equity champions",
        summary="Training champions on every ward.",
        audience="Ward managers",
    )
    html = _html(member_client.get(initiative.get_absolute_url()))
    assert "<h1>Equity champions</h1>" in html
    assert "Training champions on every ward." in html
    assert "Ward managers" in html
    assert "Not stated" in html
    response = member_client.get(reverse("resources:initiative", args=["no-such-initiative"]))
    assert response.status_code == 404


def test_initiatives_list_queries_do_not_grow_with_initiatives(
    member_client, same_queries_at_two_sizes
):
    """Each initiative's organisation and topics must come from the page's fixed few queries."""

    def make(n):
        for i in range(n):
            InitiativeFactory(
                organisation=OrganisationFactory(),
                topics=[TopicFactory(), TopicFactory()],
                status=["active", "planned", "ended"][i % 3],
            )

    pages = same_queries_at_two_sizes(
        member_client, reverse("resources:initiatives"), grow=make, sizes=(2, 20)
    )
    assert pages.small.context["page"].paginator.count == 2
    assert pages.large.context["page"].paginator.count == 22
    assert pages.queries <= 10
