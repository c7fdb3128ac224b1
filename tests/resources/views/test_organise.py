"""The organisers' pages of the resource hub: resources and their uploaded files, learning
pathways and their steps, moderating case studies, initiatives and topics, and the admin."""

import datetime
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from resources import services
from resources.models import (
    CaseStudy,
    Initiative,
    LearningPathway,
    PathwayStep,
    Reflection,
    Resource,
    StepProgress,
    Topic,
)
from tests.factories import (
    CaseStudyFactory,
    EventFactory,
    InitiativeFactory,
    LearningPathwayFactory,
    OrganisationFactory,
    PathwayStepFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
    permission_give,
)

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
# The start of a real PDF: what the content check looks for.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"0" * 200
NOT_A_PDF = (
    "The file's content does not match its name (.pdf). Check it is the file you meant, "
    "saved in that format."
)
NO_CONTENT = "Add a file, a link or a video link."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# Helpers ---------------------------------------------------------------------------------------


def _pdf(name="guide.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _fake_pdf():
    return SimpleUploadedFile(
        "guide.pdf", b"Just some notes, typed in a text editor.\n", content_type="application/pdf"
    )


def _resource_with_file(title="Race equality guide", **fields):
    """A resource whose PDF is really stored, saved as the organisers' page saves it."""
    return services.resource_save(
        resource=Resource(),
        upload=_pdf(),
        title=title,
        kind=Resource.Kind.GUIDE,
        description="A guide.",
        **fields,
    )


def _resource_data(**overrides):
    data = {
        "title": "Race equality guide",
        "kind": Resource.Kind.GUIDE,
        "description": "A practical guide for managers.",
        "key_takeaways": "Listen first.\nAct on what you hear.",
        "event": "",
        "author": "NHS Race and Health Observatory",
        "published_on": "2026-03-02",
        "audience": "members",
        "status": Resource.Status.PUBLISHED,
        "external_url": "",
        "video_url": "",
        "transcript": "",
    }
    data.update(overrides)
    return data


def _case_study(title="Changing how we recruit", *, status=CaseStudy.Status.SUBMITTED, **fields):
    """Ama Mensah's case study, waiting for review unless given another status."""
    return CaseStudyFactory(
        title=title,
        status=status,
        author__name="Ama Mensah",
        context="A community trust with few Black managers.",
        what_we_did="We changed the shortlisting panel.",
        what_changed="More Black nurses were promoted.",
        to_share="Start with the data.",
        **fields,
    )


def _h1_count(response):
    return len(re.findall(rb"<h1[\s>]", response.content))


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _cells(html, row_heading):
    """The text of each <td> in the table row whose heading starts with `row_heading`."""
    row = re.search(rf"<tr>\s*<th scope=\"row\">(<a [^>]*>)?{row_heading}.*?</tr>", html, re.S)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]


# Who may see the organisers' pages -------------------------------------------------------------


def _page_kwargs(name):
    """URL kwargs for each page, with the objects it needs."""
    if name in {"resources:resource_edit", "resources:resource_delete"}:
        return {"pk": ResourceFactory().pk}
    if name == "resources:pathway_edit":
        return {"pk": LearningPathwayFactory(is_published=False).pk}
    if name == "resources:case_study_review":
        return {"pk": _case_study().pk}
    if name == "resources:initiative_edit":
        return {"pk": InitiativeFactory().pk}
    if name == "resources:topic_edit":
        return {"pk": TopicFactory().pk}
    return {}


PAGES = [
    "resources:organise_resources",
    "resources:resource_new",
    "resources:resource_edit",
    "resources:resource_delete",
    "resources:organise_pathways",
    "resources:pathway_new",
    "resources:pathway_edit",
    "resources:moderation",
    "resources:case_study_review",
    "resources:organise_initiatives",
    "resources:initiative_new",
    "resources:initiative_edit",
    "resources:topics",
    "resources:topic_new",
    "resources:topic_edit",
]
POST_PAGES = [name for name in PAGES if name.endswith(("_new", "_edit", "_delete", "_review"))]


@pytest.mark.parametrize("name", PAGES)
def test_organiser_pages_by_role(client, member, organiser, steering_member, name):
    url = reverse(name, kwargs=_page_kwargs(name))
    assert client.get(url)["Location"] == f"{reverse('account_login')}?next={url}"
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(steering_member)
    assert client.get(url).status_code == 403
    client.force_login(organiser)
    response = client.get(url)
    assert response.status_code == 200
    assert _h1_count(response) == 1


@pytest.mark.parametrize("name", POST_PAGES)
def test_members_cannot_post_to_organiser_pages(client, member, name):
    url = reverse(name, kwargs=_page_kwargs(name))
    before = [m.objects.count() for m in (Resource, LearningPathway, Initiative, Topic)]
    assert client.post(url, _resource_data())["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    assert client.post(url, _resource_data()).status_code == 403
    assert [m.objects.count() for m in (Resource, LearningPathway, Initiative, Topic)] == before


@pytest.mark.parametrize("name", ["resources:organise_resources", "resources:topics"])
def test_list_pages_only_answer_get(organiser_client, name):
    assert organiser_client.post(reverse(name)).status_code == 405


def test_organise_hub_links_to_the_resource_hub_for_organisers_only(
    client, organiser, steering_member
):
    names = [
        "resources:organise_resources",
        "resources:organise_pathways",
        "resources:moderation",
        "resources:organise_initiatives",
        "resources:topics",
    ]
    client.force_login(organiser)
    html = client.get(reverse("members:organise")).content.decode()
    assert '<h2 id="resource-hub-heading" class="h4">Resource hub</h2>' in html
    for name in names:
        assert f'href="{reverse(name)}"' in html
    client.force_login(steering_member)
    html = client.get(reverse("members:organise")).content.decode()
    assert "Resource hub" not in html
    for name in names:
        assert reverse(name) not in html


def test_sub_pages_link_back_to_the_resource_hub_admin(organiser_client):
    back = f'<a href="{reverse("resources:organise_resources")}">Back to the resource hub admin</a>'
    for name in PAGES[1:]:
        html = organiser_client.get(reverse(name, kwargs=_page_kwargs(name))).content.decode()
        assert back in html, name


# The list of resources -------------------------------------------------------------------------


def test_resources_list_shows_drafts_and_each_resources_details(organiser_client):
    session = EventFactory(
        title="Race and maternity care",
        starts_at=datetime.datetime(2026, 2, 10, 10, tzinfo=datetime.UTC),
    )
    ResourceFactory(
        title="Maternity slides",
        kind=Resource.Kind.SLIDES,
        event=session,
        audience="public",
        published_on=datetime.date(2026, 2, 11),
        file="resources/2026/02/slides.pdf",
        file_type="application/pdf",
        file_size=2_500_000,
        external_url="https://example.org/slides",
    )
    ResourceFactory(
        title="Unfinished reading list",
        kind=Resource.Kind.READING,
        status=Resource.Status.DRAFT,
        published_on=datetime.date(2026, 3, 1),
        video_url="https://video.example.org/1",
        external_url="",
    )
    response = organiser_client.get(reverse("resources:organise_resources"))
    assert [r.title for r in response.context["page"]] == [
        "Unfinished reading list",
        "Maternity slides",
    ]
    html = response.content.decode()
    assert "2 resources, drafts included, newest added first" in html
    assert _cells(html, "Maternity slides")[:6] == [
        "Slides",
        "Everyone",
        "Published",
        "Race and maternity care 10 Feb 2026",
        "11 Feb 2026",
        "File: PDF, 2.4 MB Link for Maternity slides",
    ]
    assert _cells(html, "Unfinished reading list")[:6] == [
        "Reading",
        "Members only",
        "Draft",
        "None",
        "1 Mar 2026",
        "Video link for Unfinished reading list",
    ]
    draft = Resource.objects.get(title="Unfinished reading list")
    assert f'href="{reverse("resources:resource_edit", args=[draft.pk])}"' in html
    assert f'href="{reverse("resources:resource_delete", args=[draft.pk])}"' in html


def test_resources_list_filters_by_kind_and_status(organiser_client):
    ResourceFactory(title="Published toolkit", kind=Resource.Kind.TOOLKIT)
    ResourceFactory(title="Draft toolkit", kind=Resource.Kind.TOOLKIT, status=Resource.Status.DRAFT)
    ResourceFactory(title="Published report", kind=Resource.Kind.REPORT)
    url = reverse("resources:organise_resources")

    def titles(**query):
        return sorted(r.title for r in organiser_client.get(url, query).context["page"])

    assert titles(kind="toolkit") == ["Draft toolkit", "Published toolkit"]
    assert titles(status="draft") == ["Draft toolkit"]
    assert titles(kind="toolkit", status="published") == ["Published toolkit"]
    assert titles(kind="report", status="draft") == []
    # A value that is not a choice shows everything rather than failing.
    assert titles(kind="<script>") == ["Draft toolkit", "Published report", "Published toolkit"]


def test_resources_list_shows_fifty_a_page(organiser_client):
    for i in range(51):
        ResourceFactory(title=f"Resource {i}")
    url = reverse("resources:organise_resources")
    assert len(organiser_client.get(url).context["page"]) == 50
    assert [r.title for r in organiser_client.get(url, {"page": "2"}).context["page"]] == [
        "Resource 0"
    ]


def _make_resources(n):
    for _ in range(n):
        ResourceFactory(
            title="Slides",
            event=EventFactory(),
            file="resources/2026/02/slides.pdf",
            file_type="application/pdf",
            file_size=1000,
            external_url="",
        )


def _make_pathways(n):
    for _ in range(n):
        LearningPathwayFactory(is_published=False, steps=1)


def _make_case_studies(n):
    for _ in range(n):
        _case_study()


def _make_initiatives(n):
    for _ in range(n):
        InitiativeFactory(
            organisation=OrganisationFactory(), topics=[TopicFactory(), TopicFactory()]
        )


def _make_topics(n):
    for _ in range(n):
        ResourceFactory(topics=[TopicFactory()])


@pytest.mark.parametrize(
    ("name", "make", "rows"),
    [
        ("resources:organise_resources", _make_resources, "page"),
        ("resources:organise_pathways", _make_pathways, "pathways"),
        ("resources:moderation", _make_case_studies, "page"),
        ("resources:organise_initiatives", _make_initiatives, "initiatives"),
        ("resources:topics", _make_topics, "topics"),
    ],
)
def test_list_pages_query_count_does_not_grow_with_rows(
    organiser_client, same_queries_at_two_sizes, name, make, rows
):
    """Each row's session, author, organisation, topics and counts come with the page."""
    pages = same_queries_at_two_sizes(organiser_client, reverse(name), grow=make, sizes=(2, 15))
    assert len(pages.small.context[rows]) == 2
    assert len(pages.large.context[rows]) == 17


# Adding and editing resources ------------------------------------------------------------------


def test_resource_form_uploads_files_and_explains_what_is_allowed(organiser_client, settings):
    settings.RESOURCE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    html = organiser_client.get(reverse("resources:resource_new")).content.decode()
    assert re.search(r'<form[^>]*enctype="multipart/form-data"', html)
    assert (
        "Allowed: CSV, DOCX, JPEG, JPG, M4A, MP3, MP4, ODP, ODS, ODT, PDF, PNG, PPTX, TXT, XLSX. "
        f"Up to 5.0{NBSP}MB." in html
    )
    assert 'type="file" name="upload"' in html
    # Nothing to remove on a new resource.
    assert 'name="remove_file"' not in html


def test_resource_form_offers_sessions_that_are_not_drafts_newest_first(organiser_client):
    EventFactory(title="Older", starts_at=datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC))
    EventFactory(title="Newer", starts_at=datetime.datetime(2026, 3, 9, 10, tzinfo=datetime.UTC))
    EventFactory(title="Secret draft", status=Event.Status.DRAFT)
    form = organiser_client.get(reverse("resources:resource_new")).context["form"]
    assert [label for _, label in form.fields["event"].choices] == [
        "Not from a session",
        "9 Mar 2026: Newer",
        "5 Jan 2026: Older",
    ]


def test_creating_a_resource_with_a_pdf_stores_it_with_its_type(
    organiser_client, organiser, tmp_path
):
    topic = TopicFactory(name="Maternity")
    session = EventFactory(title="Race and maternity care")
    response = organiser_client.post(
        reverse("resources:resource_new"),
        _resource_data(upload=_pdf(), topics=[topic.pk], event=session.pk),
        follow=True,
    )
    assert response.redirect_chain == [(reverse("resources:organise_resources"), 302)]
    assert _messages(response) == ["“Race equality guide” is saved."]
    resource = Resource.objects.get()
    assert (resource.file_type, resource.file_size, resource.created_by) == (
        "application/pdf",
        len(PDF),
        organiser,
    )
    assert (resource.slug, resource.event, list(resource.topics.all())) == (
        "race-equality-guide",
        session,
        [topic],
    )
    assert (resource.author, resource.published_on) == (
        "NHS Race and Health Observatory",
        datetime.date(2026, 3, 2),
    )
    assert re.fullmatch(r"resources/\d{4}/\d{2}/guide\.pdf", resource.file.name)
    assert (tmp_path / resource.file.name).read_bytes() == PDF


def test_a_new_resource_can_be_saved_as_a_draft(organiser_client):
    response = organiser_client.post(
        reverse("resources:resource_new"),
        _resource_data(status="draft", external_url="https://example.org/guide"),
        follow=True,
    )
    assert _messages(response) == [
        "“Race equality guide” is saved as a draft: members see it once it is published."
    ]
    assert Resource.objects.get().status == Resource.Status.DRAFT


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(organiser_client, tmp_path):
    response = organiser_client.post(
        reverse("resources:resource_new"), _resource_data(upload=_fake_pdf())
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"upload": [NOT_A_PDF]}
    assert not Resource.objects.exists()
    assert list(tmp_path.iterdir()) == []
    # What was typed is kept.
    assert 'value="Race equality guide"' in response.content.decode()


def test_a_program_is_refused_even_with_a_link(organiser_client, tmp_path):
    response = organiser_client.post(
        reverse("resources:resource_new"),
        _resource_data(
            external_url="https://example.org/guide",
            upload=SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ),
    )
    assert response.context["form"].errors == {
        "upload": [
            "Files of this type cannot be uploaded. Allowed: CSV, DOCX, JPEG, JPG, M4A, MP3, "
            "MP4, ODP, ODS, ODT, PDF, PNG, PPTX, TXT, XLSX."
        ]
    }
    assert not Resource.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(organiser_client, settings):
    settings.RESOURCE_UPLOAD_MAX_BYTES = 1024
    big = PDF + b"0" * (2048 - len(PDF))
    response = organiser_client.post(
        reverse("resources:resource_new"), _resource_data(upload=_pdf(content=big))
    )
    assert response.context["form"].errors == {
        "upload": [
            f"The file is 2.0{NBSP}KB; the largest allowed is 1.0{NBSP}KB. For a long "
            "recording, add a video link instead."
        ]
    }
    assert f"Up to 1.0{NBSP}KB." in response.content.decode()
    assert not Resource.objects.exists()


def test_a_resource_needs_a_file_a_link_or_a_video_link(organiser_client):
    response = organiser_client.post(reverse("resources:resource_new"), _resource_data())
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [NO_CONTENT]}
    assert NO_CONTENT in response.content.decode()
    assert not Resource.objects.exists()


def test_a_video_link_alone_is_enough(organiser_client):
    response = organiser_client.post(
        reverse("resources:resource_new"),
        _resource_data(kind="recording", video_url="https://video.example.org/42"),
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.video_url, resource.file.name, resource.file_type) == (
        "https://video.example.org/42",
        "",
        "",
    )


def test_editing_with_a_bad_file_keeps_the_stored_file_and_details(organiser_client, tmp_path):
    resource = _resource_with_file()
    stored = resource.file.name
    url = reverse("resources:resource_edit", args=[resource.pk])
    response = organiser_client.post(url, _resource_data(title="Renamed guide", upload=_fake_pdf()))
    assert response.status_code == 200
    assert response.context["form"].errors == {"upload": [NOT_A_PDF]}
    html = response.content.decode()
    assert 'value="Renamed guide"' in html
    assert "Current file: guide.pdf (" in html
    resource.refresh_from_db()
    assert (resource.title, resource.file.name, resource.file_type, resource.file_size) == (
        "Race equality guide",
        stored,
        "application/pdf",
        len(PDF),
    )
    assert (tmp_path / stored).read_bytes() == PDF


def test_replacing_a_file_deletes_the_old_one_once_saved(
    organiser_client, tmp_path, django_capture_on_commit_callbacks
):
    resource = _resource_with_file()
    old = resource.file.name
    text = b"title,link\nGuide,https://example.org\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("resources:resource_edit", args=[resource.pk]),
            _resource_data(upload=SimpleUploadedFile("reading.csv", text)),
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.file_type, resource.file_size) == ("text/csv", len(text))
    assert (tmp_path / resource.file.name).read_bytes() == text
    assert not (tmp_path / old).exists()


def test_the_file_can_be_removed_when_a_link_remains(
    organiser_client, tmp_path, django_capture_on_commit_callbacks
):
    resource = _resource_with_file(external_url="https://example.org/guide")
    old = resource.file.name
    url = reverse("resources:resource_edit", args=[resource.pk])
    assert 'name="remove_file"' in organiser_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            url, _resource_data(external_url="https://example.org/guide", remove_file="on")
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.file.name, resource.file_type, resource.file_size) == ("", "", None)
    assert not (tmp_path / old).exists()
    assert 'name="remove_file"' not in organiser_client.get(url).content.decode()


def test_removing_the_only_content_is_refused_and_keeps_the_file(organiser_client, tmp_path):
    resource = _resource_with_file()
    stored = resource.file.name
    response = organiser_client.post(
        reverse("resources:resource_edit", args=[resource.pk]), _resource_data(remove_file="on")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [NO_CONTENT]}
    assert "Current file: guide.pdf (" in response.content.decode()
    resource.refresh_from_db()
    assert resource.file.name == stored
    assert (tmp_path / stored).exists()


def test_editing_keeps_a_link_to_a_session_since_made_a_draft(organiser_client):
    session = EventFactory(title="Moved back to draft", status=Event.Status.DRAFT)
    resource = ResourceFactory(event=session)
    response = organiser_client.post(
        reverse("resources:resource_edit", args=[resource.pk]),
        _resource_data(event=session.pk, external_url="https://example.org/x"),
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.event) == ("Race equality guide", session)


# Deleting resources ----------------------------------------------------------------------------


def test_deleting_a_resource_asks_first_then_deletes_it_and_its_file(
    organiser_client, tmp_path, django_capture_on_commit_callbacks
):
    resource = _resource_with_file()
    stored = resource.file.name
    url = reverse("resources:resource_delete", args=[resource.pk])
    html = organiser_client.get(url).content.decode()
    assert "<h1>Delete “Race equality guide”?</h1>" in html
    assert "and its file deleted" in html
    assert Resource.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, follow=True)
    assert _messages(response) == ["“Race equality guide” is deleted."]
    assert not Resource.objects.exists()
    assert not (tmp_path / stored).exists()


def test_a_resource_in_a_pathway_cannot_be_deleted(organiser_client):
    resource = ResourceFactory()
    PathwayStepFactory(
        pathway=LearningPathwayFactory(title="Starting out", is_published=False),
        resource=resource,
        order=1,
    )
    url = reverse("resources:resource_delete", args=[resource.pk])
    html = organiser_client.get(url).content.decode()
    assert "This resource is a step in 1 learning pathway:" in html
    assert "Starting out" in html
    assert "Delete the resource</button>" not in html
    response = organiser_client.post(url, follow=True)
    assert _messages(response) == [
        "This resource is a step in a learning pathway: remove it there first."
    ]
    assert Resource.objects.filter(pk=resource.pk).exists()


def test_deleting_needs_its_own_permission(client, organiser):
    organiser.groups.clear()
    permission_give(organiser, "resources.change_resource")
    client.force_login(organiser)
    resource = ResourceFactory()
    assert client.get(reverse("resources:resource_edit", args=[resource.pk])).status_code == 200
    assert client.post(reverse("resources:resource_delete", args=[resource.pk])).status_code == 403
    assert Resource.objects.exists()


# Learning pathways -----------------------------------------------------------------------------


def _pathway_data(steps=(), *, initial=0, **overrides):
    data = {
        "title": "Understanding racism in care",
        "description": "Five steps to begin.",
        "is_published": "on",
        "steps-TOTAL_FORMS": str(max(len(steps), 3)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data |= {f"steps-{i}-{field}": value for field, value in step.items()}
    data.update(overrides)
    return data


def test_organiser_adds_a_pathway_with_its_steps_in_order(organiser_client):
    first, second = (
        ResourceFactory(title="What is racism?"),
        ResourceFactory(title="Racism in maternity care"),
    )
    response = organiser_client.post(
        reverse("resources:pathway_new"),
        _pathway_data(
            [
                {"resource": second.pk, "order": "2", "reflection_prompt": "What surprised you?"},
                {"resource": first.pk, "order": "1", "reflection_prompt": "Where do you see it?"},
                {"resource": "", "order": "", "reflection_prompt": ""},
            ]
        ),
        follow=True,
    )
    assert response.redirect_chain == [(reverse("resources:organise_pathways"), 302)]
    assert _messages(response) == ["“Understanding racism in care” is saved."]
    pathway = LearningPathway.objects.get()
    assert (pathway.slug, pathway.is_published) == ("understanding-racism-in-care", True)
    assert [(s.order, s.resource.title, s.reflection_prompt) for s in pathway.steps.all()] == [
        (1, "What is racism?", "Where do you see it?"),
        (2, "Racism in maternity care", "What surprised you?"),
    ]
    html = response.content.decode()
    assert _cells(html, "Understanding racism in care")[:2] == ["Published", "2"]


def test_a_step_without_its_number_saves_nothing(organiser_client):
    resource = ResourceFactory()
    response = organiser_client.post(
        reverse("resources:pathway_new"),
        _pathway_data([{"resource": resource.pk, "order": "", "reflection_prompt": "Why?"}]),
    )
    assert response.status_code == 200
    assert response.context["formset"].errors[0] == {"order": ["This field is required."]}
    assert not LearningPathway.objects.exists()


def test_a_pathways_steps_offer_published_resources_by_title(organiser_client):
    ResourceFactory(title="Zebra crossing report")
    ResourceFactory(title="Allyship toolkit")
    ResourceFactory(title="Draft notes", status=Resource.Status.DRAFT)
    response = organiser_client.get(reverse("resources:pathway_new"))
    steps = response.context["formset"]
    assert len(steps.forms) == 3
    assert [label for _, label in steps.forms[0].fields["resource"].choices] == [
        "Choose a resource",
        "Allyship toolkit",
        "Zebra crossing report",
    ]
    html = response.content.decode()
    assert re.search(r'<form method="post"[^>]*>', html)
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("<form") == 1


def test_edit_page_shows_steps_in_order_even_with_the_same_number(organiser_client):
    pathway = LearningPathwayFactory(is_published=False)
    late = PathwayStepFactory(pathway=pathway, resource=ResourceFactory(title="Third"), order=2)
    early = PathwayStepFactory(pathway=pathway, resource=ResourceFactory(title="First"), order=1)
    same = PathwayStepFactory(pathway=pathway, resource=ResourceFactory(title="Second"), order=1)
    response = organiser_client.get(reverse("resources:pathway_edit", args=[pathway.pk]))
    forms = response.context["formset"].forms
    assert [f.instance.pk for f in forms[:3]] == [early.pk, same.pk, late.pk]
    assert [f.instance.pk for f in forms[3:]] == [None, None, None]


def test_organiser_edits_and_removes_steps(organiser_client):
    pathway = LearningPathwayFactory()
    keep = PathwayStepFactory(pathway=pathway, resource=ResourceFactory(title="Keep"), order=1)
    drop = PathwayStepFactory(pathway=pathway, resource=ResourceFactory(title="Drop"), order=2)
    added = ResourceFactory(title="Added")
    data = _pathway_data(
        [
            {"id": keep.pk, "resource": keep.resource_id, "order": "3", "reflection_prompt": ""},
            {"id": drop.pk, "resource": drop.resource_id, "order": "2", "DELETE": "on"},
            {"resource": added.pk, "order": "1", "reflection_prompt": "Now what?"},
        ],
        initial=2,
        title="Renamed",
        is_published="",
    )
    del data["is_published"]
    response = organiser_client.post(
        reverse("resources:pathway_edit", args=[pathway.pk]), data, follow=True
    )
    assert _messages(response) == ["“Renamed” is saved as a draft: members see it once published."]
    pathway.refresh_from_db()
    assert (pathway.title, pathway.is_published) == ("Renamed", False)
    assert [(s.resource.title, s.order) for s in pathway.steps.all()] == [
        ("Added", 1),
        ("Keep", 3),
    ]
    # Its resource is kept: only the step is removed.
    assert Resource.objects.filter(title="Drop").exists()


# Moderating case studies -----------------------------------------------------------------------


def test_moderation_queue_shows_what_waits_for_review_by_default(organiser_client):
    waiting = _case_study("Changing how we recruit")
    _case_study("Returned one", status=CaseStudy.Status.RETURNED)
    _case_study("Published one", status=CaseStudy.Status.PUBLISHED)
    _case_study("Private draft", status=CaseStudy.Status.DRAFT)
    url = reverse("resources:moderation")

    response = organiser_client.get(url)
    assert [c.title for c in response.context["page"]] == ["Changing how we recruit"]
    html = response.content.decode()
    assert _cells(html, "Changing how we recruit") == [
        "Ama Mensah",
        f"{timezone.localtime(waiting.submitted_at):%-d %b %Y}",
        "Waiting for review",
        "Review “Changing how we recruit”",
    ]

    def titles(status):
        return sorted(
            c.title for c in organiser_client.get(url, {"status": status}).context["page"]
        )

    # Drafts are still their authors' own, even under "any status".
    assert titles("") == ["Changing how we recruit", "Published one", "Returned one"]
    assert titles("returned") == ["Returned one"]
    assert titles("published") == ["Published one"]
    assert titles("draft") == ["Changing how we recruit"]


def test_review_page_shows_the_whole_case_study(organiser_client):
    case_study = _case_study(credit_author=False)
    case_study.topics.add(TopicFactory(name="Recruitment"), TopicFactory(name="Leadership"))
    html = organiser_client.get(
        reverse("resources:case_study_review", args=[case_study.pk])
    ).content.decode()
    for text in [
        "Ama Mensah",
        "No: credited as anonymous",
        "A community trust with few Black managers.",
        "We changed the shortlisting panel.",
        "More Black nurses were promoted.",
        "Start with the data.",
        "Leadership, Recruitment",
        'value="published"',
        'value="returned"',
    ]:
        assert text in html, text


def test_a_draft_case_study_is_not_for_review(organiser_client):
    draft = _case_study(status=CaseStudy.Status.DRAFT)
    url = reverse("resources:case_study_review", args=[draft.pk])
    assert organiser_client.get(url).status_code == 404
    assert organiser_client.post(url, {"decision": "published"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == CaseStudy.Status.DRAFT


def test_organiser_publishes_a_case_study(organiser_client):
    case_study = _case_study()
    response = organiser_client.post(
        reverse("resources:case_study_review", args=[case_study.pk]),
        {"decision": "published", "comment": ""},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("resources:moderation"), 302)]
    assert _messages(response) == ["“Changing how we recruit” is published."]
    case_study.refresh_from_db()
    assert case_study.status == CaseStudy.Status.PUBLISHED
    assert case_study.published_at is not None


def test_organiser_returns_a_case_study_with_comments(organiser_client):
    case_study = _case_study()
    response = organiser_client.post(
        reverse("resources:case_study_review", args=[case_study.pk]),
        {"decision": "returned", "comment": "  Please add what changed for patients.  "},
        follow=True,
    )
    assert _messages(response) == [
        "“Changing how we recruit” is returned to its author with your comments."
    ]
    case_study.refresh_from_db()
    assert (case_study.status, case_study.moderator_comment, case_study.published_at) == (
        CaseStudy.Status.RETURNED,
        "Please add what changed for patients.",
        None,
    )


def test_returning_a_case_study_needs_a_comment(organiser_client):
    case_study = _case_study()
    response = organiser_client.post(
        reverse("resources:case_study_review", args=[case_study.pk]),
        {"decision": "returned", "comment": "   "},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Say what the author should change when returning it."]
    }
    case_study.refresh_from_db()
    assert (case_study.status, case_study.moderator_comment) == (CaseStudy.Status.SUBMITTED, "")


def test_a_decision_must_be_chosen(organiser_client):
    case_study = _case_study()
    response = organiser_client.post(
        reverse("resources:case_study_review", args=[case_study.pk]), {"decision": "deleted"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["decision"]
    case_study.refresh_from_db()
    assert case_study.status == CaseStudy.Status.SUBMITTED


def test_a_case_study_not_waiting_for_review_cannot_be_decided_again(organiser_client):
    case_study = _case_study(status=CaseStudy.Status.PUBLISHED)
    url = reverse("resources:case_study_review", args=[case_study.pk])
    html = organiser_client.get(url).content.decode()
    assert "This case study is not waiting for review." in html
    assert 'name="decision"' not in html
    response = organiser_client.post(url, {"decision": "returned", "comment": "Withdraw it."})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Only a case study waiting for review can be published or returned."]
    }
    assert "This case study is not waiting for review." in response.content.decode()
    case_study.refresh_from_db()
    assert (case_study.status, case_study.moderator_comment) == (CaseStudy.Status.PUBLISHED, "")


# Initiatives -----------------------------------------------------------------------------------


def test_organiser_adds_an_initiative(organiser_client):
    organisation = OrganisationFactory(name="Leeds Community Trust")
    topic = TopicFactory(name="Recruitment")
    response = organiser_client.post(
        reverse("resources:initiative_new"),
        {
            "name": "Fair shortlisting",
            "organisation": organisation.pk,
            "summary": "Diverse panels for every band 7 post.",
            "topics": [topic.pk],
            "audience": "Managers",
            "contact": "people@example.org",
            "url": "https://example.org/fair",
            "status": Initiative.Status.PLANNED,
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("resources:organise_initiatives"), 302)]
    assert _messages(response) == ["“Fair shortlisting” is saved."]
    initiative = Initiative.objects.get()
    assert (initiative.slug, initiative.organisation, list(initiative.topics.all())) == (
        "fair-shortlisting",
        organisation,
        [topic],
    )
    assert _cells(response.content.decode(), "Fair shortlisting")[:3] == [
        "Leeds Community Trust",
        "Planned",
        "Recruitment",
    ]


def test_organiser_edits_an_initiative_and_clears_its_topics(organiser_client):
    initiative = InitiativeFactory()
    initiative.topics.add(TopicFactory())
    response = organiser_client.post(
        reverse("resources:initiative_edit", args=[initiative.pk]),
        {"name": "Fair recruitment", "summary": "Now ended.", "status": Initiative.Status.ENDED},
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.summary, initiative.status, initiative.topics.count()) == (
        "Now ended.",
        Initiative.Status.ENDED,
        0,
    )


def test_an_initiative_link_must_be_a_web_address(organiser_client):
    response = organiser_client.post(
        reverse("resources:initiative_new"),
        {"name": "X", "summary": "Y", "status": "active", "url": "not a link"},
    )
    assert response.context["form"].errors == {"url": ["Enter a valid URL."]}
    assert not Initiative.objects.exists()


# Topics ----------------------------------------------------------------------------------------


def test_organiser_adds_a_topic_with_a_slug_from_its_name(organiser_client):
    response = organiser_client.post(
        reverse("resources:topic_new"), {"name": "  Maternity   care "}, follow=True
    )
    assert response.redirect_chain == [(reverse("resources:topics"), 302)]
    assert _messages(response) == ["“Maternity care” is saved."]
    topic = Topic.objects.get()
    assert (topic.name, topic.slug) == ("Maternity care", "maternity-care")


@pytest.mark.parametrize("name", ["MATERNITY CARE", "Maternity-care", "maternity care!"])
def test_a_topic_name_like_another_is_refused(organiser_client, name):
    TopicFactory(name="Maternity care", slug="maternity-care")
    response = organiser_client.post(reverse("resources:topic_new"), {"name": name})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A topic with this name already exists."]}
    assert Topic.objects.count() == 1


def test_a_topic_name_needs_letters_or_numbers(organiser_client):
    response = organiser_client.post(reverse("resources:topic_new"), {"name": "!!!"})
    assert response.context["form"].errors == {"name": ["Use letters or numbers in the name."]}
    assert not Topic.objects.exists()


def test_renaming_a_topic_changes_its_slug_and_may_change_its_case(organiser_client):
    topic = TopicFactory(name="Maternity care", slug="maternity-care")
    TopicFactory(name="Housing", slug="housing")
    url = reverse("resources:topic_edit", args=[topic.pk])
    assert organiser_client.post(url, {"name": "Maternity Care"}).status_code == 302
    assert organiser_client.post(url, {"name": "housing"}).context["form"].errors == {
        "name": ["A topic with this name already exists."]
    }
    assert organiser_client.post(url, {"name": "Birth and maternity"}).status_code == 302
    topic.refresh_from_db()
    assert (topic.name, topic.slug) == ("Birth and maternity", "birth-and-maternity")


def test_topics_list_counts_resources(organiser_client):
    busy, quiet = TopicFactory(name="Busy"), TopicFactory(name="Quiet")
    for _ in range(3):
        ResourceFactory(topics=[busy])
    ResourceFactory(status=Resource.Status.DRAFT, topics=[busy])
    html = organiser_client.get(reverse("resources:topics")).content.decode()
    assert _cells(html, "Busy")[0] == "4"
    assert _cells(html, "Quiet")[0] == "0"
    assert f'href="{reverse("resources:topic_edit", args=[quiet.pk])}"' in html


# Admin -----------------------------------------------------------------------------------------


def test_members_private_progress_and_reflections_are_not_in_the_admin():
    for model in (Topic, Resource, LearningPathway, CaseStudy, Initiative):
        assert admin.site.is_registered(model), model
    assert not admin.site.is_registered(StepProgress)
    assert not admin.site.is_registered(Reflection)
    assert not admin.site.is_registered(PathwayStep)


def test_admin_pages_render_and_pathway_steps_are_inline(client, ground_rules):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, agreed_to=ground_rules))
    resource = ResourceFactory()
    pathway = LearningPathwayFactory(is_published=False)
    PathwayStepFactory(pathway=pathway, resource=resource, order=1)
    for url in [
        reverse("admin:resources_resource_changelist"),
        reverse("admin:resources_resource_change", args=[resource.pk]),
        reverse("admin:resources_casestudy_change", args=[_case_study().pk]),
        reverse("admin:resources_initiative_changelist"),
    ]:
        assert client.get(url).status_code == 200, url
    html = client.get(reverse("admin:resources_learningpathway_change", args=[pathway.pk]))
    assert b'name="steps-0-reflection_prompt"' in html.content
    # The file is only ever added through the organisers' page, which checks it.
    assert b'name="file"' not in client.get(reverse("admin:resources_resource_add")).content
