"""Hostile input (issue 9, item 7): random and malicious text in every public form, query
parameter and address. Whatever arrives, the portal answers with a page, a form error, a 400
or a 404 (never a 500), stores nothing from a refused form, and shows stored markup escaped.

The client re-raises any exception a view lets escape, so a would-be 500 fails the test with
its traceback; the number of examples is bounded by the profile in tests/conftest.py."""

import csv
import io
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_portal.web.downloads import FORMULA_STARTS
from events.models import Event, Programme, Suggestion
from members.models import Action, CheckIn, GlossaryTerm, GroundRules, Organisation, User
from members.roles import ORGANISERS
from resources.models import CaseStudy, Initiative, Resource, Topic
from surveys.caching import results_changed
from surveys.models import Question, Response, Survey
from tests.e2e.world import world_build
from tests.factories import (
    GlossaryTermFactory,
    InvitationFactory,
    SurveyFactory,
    UserFactory,
    permission_give,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never reach a page unescaped, whatever was typed.
RAW_MARKUP = [SCRIPT.encode(), b"<img src=x onerror=alert(1)>"]

NASTY = [
    "\x00",
    "a\x00b",
    "\ud800",
    "lone \udfff surrogate",
    "\u202eevil\u202c",
    "\u200f\u202d",
    "\x01\x08\x0b\x1b\x7f",
    "\r\n\t",
    "' OR 1=1 --",
    "'; DROP TABLE members_user; --",
    '" OR ""="',
    SCRIPT,
    IMG,
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1)",
    "-1",
    "0",
    "99999999999999999999",
    "9223372036854775808",
    "1e400",
    "NaN",
    "abc",
    "2026-13-45",
    "0000-00-00",
    "31/02/2026",
    "%",
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "{{ 7*7 }}",
    "{% debug %}",
    "",
    " ",
]

fragments = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
# Random text with the nasty pieces mixed in, now and then repeated past 10,000 characters.
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.lists(fragments, min_size=1, max_size=5).map("".join),
    st.builds(lambda piece, n: piece * n, st.sampled_from([*NASTY[:20], "x"]), st.just(12_000)),
)

# Every query parameter any list, filter or search page reads.
PARAMETERS = [
    "q",
    "kind",
    "topic",
    "event",
    "date_from",
    "date_to",
    "sort",
    "page",
    "status",
    "sector",
    "organisation",
    "interest",
    "start",
    "end",
    "by",
    "question",
    "next",
    "email",
]
# Examples per test, from the profile loaded in tests/conftest.py: cheap GETs get more, the
# per-form tests fewer each (there are twenty-one of them).
MANY = settings.default.max_examples * 4
FEW = max(8, settings.default.max_examples // 4)

query = st.lists(st.tuples(st.sampled_from(PARAMETERS), hostile_text), min_size=1, max_size=6)


def _encode(pairs) -> str:
    """A query string or form body as a browser might send it; lone surrogates become the
    invalid UTF-8 bytes a hostile client would send, since no Python string can carry them."""
    return "&".join(
        f"{quote(name, safe='')}={quote(value, safe='', errors='surrogatepass')}"
        for name, value in pairs
    )


def _assert_no_raw_markup(response):
    content = b"".join(response) if response.streaming else response.content
    for raw in RAW_MARKUP:
        assert raw not in content


@pytest.fixture
def world(ground_rules):
    return world_build(ground_rules)


@pytest.fixture
def organiser_in_world(world, ground_rules):
    """An organiser who may also manage roles, so that every organiser's address gets as far
    as looking up what it names."""
    return permission_give(
        UserFactory(agreed_to=ground_rules, groups=[ORGANISERS]), "members.manage_roles"
    )


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Query parameters -----------------------------------------------------------------------------

LIST_PAGES = [
    "members:home",
    "members:glossary",
    "members:directory",
    "members:actions",
    "members:actions_shared",
    "members:journey",
    "members:dashboard",
    "members:dashboard_csv",
    "members:organisations",
    "members:glossary_manage",
    "events:programme",
    "events:past",
    "events:mine",
    "events:suggestions",
    "events:organise_programme",
    "events:suggestions_triage",
    "resources:browse",
    "resources:search",
    "resources:catch_up",
    "resources:pathways",
    "resources:case_studies",
    "resources:my_case_studies",
    "resources:initiatives",
    "resources:organise_resources",
    "resources:moderation",
    "resources:organise_initiatives",
    "surveys:waiting",
    "surveys:organise",
    "members:action_new",
    "members:member_data",
    "members:your_data",
]


@pytest.mark.django_db
@settings(max_examples=MANY)
@given(name=st.sampled_from(LIST_PAGES), pairs=query)
def test_hostile_query_parameters_never_break_a_page(world, organiser_in_world, name, pairs):
    response = _client(organiser_in_world).get(f"{reverse(name)}?{_encode(pairs)}")
    assert response.status_code == 200
    _assert_no_raw_markup(response)


PUBLIC_LIST_PAGES = [
    "members:home",
    "members:glossary",
    "events:programme",
    "events:past",
    "resources:browse",
    "resources:search",
]


@pytest.mark.django_db
@given(name=st.sampled_from(PUBLIC_LIST_PAGES), pairs=query)
def test_hostile_query_parameters_from_visitors(world, name, pairs):
    response = _client().get(f"{reverse(name)}?{_encode(pairs)}")
    assert response.status_code == 200
    _assert_no_raw_markup(response)


@pytest.mark.django_db
@given(
    pages=st.lists(
        st.sampled_from(
            ["-1", "0", "abc", "99999999999999999999", "1.5", "\x00", "\ud800", "1e9", "", "2"]
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_page_number_shows_a_page_of_the_list(world, organiser_in_world, pages):
    """Paginator.get_page falls back to the first or last page for any page number."""
    response = _client(organiser_in_world).get(
        f"{reverse('resources:browse')}?{_encode([('page', p) for p in pages])}"
    )
    assert response.status_code == 200
    assert response.context["page"].number == 1


@pytest.mark.django_db
def test_an_impossible_date_range_is_explained_and_ignored(world, organiser_in_world):
    client = _client(organiser_in_world)
    response = client.get(reverse("resources:browse"), {"date_from": "2026-13-45", "sort": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_from": ["Enter a valid date."],
        "sort": ["Select a valid choice. x is not one of the available choices."],
    }
    assert b"Enter a valid date." in response.content
    assert len(response.context["page"].object_list) == 4

    response = client.get(reverse("members:dashboard"), {"start": "0000-00-00", "end": "2026"})
    assert response.status_code == 200
    assert response.context["form"].errors["start"] == ["Enter a valid date."]


# Ids, slugs and tokens in addresses -----------------------------------------------------------


def _patterns(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("members", "events", "resources", "surveys"):
                yield from _patterns(pattern, f"{pattern.namespace}:")
        elif isinstance(pattern, URLPattern) and namespace and pattern.pattern.converters:
            yield f"{namespace}{pattern.name}", pattern.pattern.converters


ADDRESSES_WITH_IDS = sorted(_patterns(), key=lambda item: item[0])
HUGE_IDS = st.sampled_from([0, 999_999, 2**31, 2**63 - 1, 2**63, 10**20, 10**40])
SLUGS = st.one_of(
    st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z"),
    st.sampled_from(["x" * 12_000, "-", "_", "drop-table", "1-or-1-1"]),
)


def _argument(converter, draw):
    kind = type(converter).__name__
    if kind == "IntConverter":
        return draw(HUGE_IDS)
    if kind == "SlugConverter":
        return draw(SLUGS)
    # <str:…>: anything but a slash, as it would arrive percent-encoded.
    return quote(draw(hostile_text.filter(lambda s: s and "/" not in s)), errors="surrogatepass")


@st.composite
def unknown_addresses(draw):
    name, converters = draw(st.sampled_from(ADDRESSES_WITH_IDS))
    kwargs = {arg: _argument(conv, draw) for arg, conv in converters.items()}
    # Reverse with stand-ins every converter accepts, then put the hostile values in their place.
    stand_ins = {k: f"{7_654_321_000 + n}" for n, k in enumerate(kwargs)}
    path = reverse(name, kwargs=stand_ins)
    for k, v in kwargs.items():
        path = path.replace(stand_ins[k], str(v))
    return name, path


def test_every_address_with_an_id_is_fuzzed():
    names = {name for name, _ in ADDRESSES_WITH_IDS}
    assert {"events:personal_feed", "members:unsubscribe", "resources:download"} <= names
    assert len(names) >= 40


@pytest.mark.django_db
@settings(max_examples=MANY)
@given(address=unknown_addresses(), method=st.sampled_from(["get", "post"]))
def test_unknown_ids_slugs_and_tokens_answer_404(world, organiser_in_world, address, method):
    name, path = address
    response = getattr(_client(organiser_in_world), method)(path)
    if name == "members:unsubscribe":
        # Reached from an email: a page that says the link is not valid, rather than a 404.
        assert response.status_code == 200
        assert response.context["state"] == "invalid"
    else:
        # 405: a GET-only or POST-only address refuses the other method before any lookup.
        assert response.status_code in {404, 405}, (name, path[:200])
    _assert_no_raw_markup(response)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["%00", "a%00b", "%ED%A0%80", "x" * 64, "x" * 10_000])
def test_a_hostile_calendar_feed_token_is_404_not_500(client, token):
    """Regression: a NUL byte in the calendar address reached PostgreSQL, which refused it."""
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404


@pytest.mark.django_db
@given(
    token=hostile_text.filter(lambda s: s and "/" not in s), method=st.sampled_from(["get", "post"])
)
def test_a_hostile_unsubscribe_token_is_refused_politely(world, token, method):
    path = reverse("members:unsubscribe", kwargs={"token": "T"})[:-2]
    response = getattr(_client(), method)(f"{path}{quote(token, safe='', errors='surrogatepass')}/")
    assert response.status_code == 200
    assert response.context["state"] == "invalid"
    _assert_no_raw_markup(response)


@pytest.mark.django_db
def test_a_nul_in_the_glossary_search_is_dropped(client, ground_rules):
    """Regression: a NUL byte in the glossary search reached PostgreSQL, which refused it."""
    GlossaryTermFactory(term="Allyship", definition="Acting in support.")
    response = client.get(reverse("members:glossary"), {"q": "Ally\x00ship"})
    assert response.status_code == 200
    assert response.context["query"] == "Allyship"
    assert [t.term for _, terms in response.context["letters"] for t in terms] == ["Allyship"]


# Forms -----------------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The POST forms on a page, each with its action, the (name, value) pairs a browser would
    send untouched (defaults, checked boxes, selected options) and its text and choice fields."""

    TEXT_TYPES = {"text", "email", "url", "date", "datetime-local", "number", "search", "tel",
                  "password", "time"}  # fmt: skip

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.forms.append(
                    {"action": a.get("action") or "", "pairs": [], "text": set(), "choice": set()}
                )
            else:
                self.forms.append(None)
            return
        if not self.forms or self.forms[-1] is None or not a.get("name"):
            if tag == "option" and self._select:
                self._option(a)
            return
        form, name = self.forms[-1], a["name"]
        kind = (a.get("type") or "text").lower()
        if tag == "input" and kind in self.TEXT_TYPES:
            form["pairs"].append((name, a.get("value") or ""))
            form["text"].add(name)
        elif tag == "input" and kind in {"radio", "checkbox"}:
            form["choice"].add(name)
            if "checked" in a or (kind == "radio" and name not in dict(form["pairs"])):
                if kind == "radio":
                    form["pairs"] = [p for p in form["pairs"] if p[0] != name]
                form["pairs"].append((name, a.get("value", "on")))
        elif tag == "input" and kind == "hidden":
            form["pairs"].append((name, a.get("value") or ""))
        elif tag == "textarea":
            form["pairs"].append((name, ""))
            form["text"].add(name)
        elif tag == "select":
            form["choice"].add(name)
            self._select = {"name": name, "first": None, "chosen": None}

    def _option(self, a):
        value = a.get("value", "")
        if self._select["first"] is None and value:
            self._select["first"] = value
        if "selected" in a:
            self._select["chosen"] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self.forms and self.forms[-1] is not None:
            value = self._select["chosen"] or self._select["first"] or ""
            self.forms[-1]["pairs"].append((self._select["name"], value))
        if tag == "select":
            self._select = None


def _form_on(response, path):
    reader = _FormReader()
    reader.feed(response.content.decode())
    forms = [f for f in reader.forms if f and f["action"] in ("", path) and f["text"]]
    assert forms, f"no form with text fields on {path}"
    return max(forms, key=lambda f: len(f["pairs"]))


def _submit(client, path, overrides: dict[str, str]):
    """Fill the form on `path` as a browser would, with `overrides` typed into its fields."""
    form = _form_on(client.get(path), path)
    pairs = [(n, overrides.get(n, v)) for n, v in form["pairs"]]
    return client.post(path, _encode(pairs), content_type="application/x-www-form-urlencoded"), form


def _count_of(model):
    return model.objects.count()


# name: (who, address, the model a saved form adds to, plain valid text for its text fields)
FORMS = {
    "sign up": ("visitor", lambda w: reverse("account_signup"), User),
    "sign in": ("visitor", lambda w: reverse("account_login"), User),
    "profile": ("member", lambda w: reverse("members:profile_edit"), User),
    "action": ("member", lambda w: reverse("members:action_new"), Action),
    "action edit": ("member", lambda w: reverse("members:action_edit", args=[w.action.pk]), Action),
    "check-in": ("member", lambda w: reverse("members:journey"), CheckIn),
    "suggestion": ("member", lambda w: reverse("events:suggestions"), Suggestion),
    "case study": ("member", lambda w: reverse("resources:case_study_new"), CaseStudy),
    "survey answer": (
        "member",
        lambda w: reverse("surveys:respond", args=[w.waiting.slug]),
        Response,
    ),
    "event": ("organiser", lambda w: reverse("events:event_new"), Event),
    "event edit": (
        "organiser",
        lambda w: reverse("events:event_edit", args=[w.upcoming.pk]),
        Event,
    ),
    "resource": ("organiser", lambda w: reverse("resources:resource_new"), Resource),
    "survey": ("organiser", lambda w: reverse("surveys:survey_new"), Survey),
    "question": (
        "organiser",
        lambda w: reverse("surveys:question_new", args=[w.draft.pk]),
        Question,
    ),
    "glossary term": ("organiser", lambda w: reverse("members:glossary_term_new"), GlossaryTerm),
    "account delete": ("member", lambda w: reverse("members:account_delete"), User),
    "initiative": ("organiser", lambda w: reverse("resources:initiative_new"), Initiative),
    "topic": ("organiser", lambda w: reverse("resources:topic_new"), Topic),
    "programme": ("organiser", lambda w: reverse("events:programme_new"), Programme),
    "ground rules": ("organiser", lambda w: reverse("members:ground_rules_new"), GroundRules),
    "organisation": ("organiser", lambda w: reverse("members:organisation_new"), Organisation),
}


@pytest.fixture
def form_world(world, organiser_in_world):
    world.organiser = organiser_in_world
    world.action = Action.objects.filter(member=world.member).order_by("pk").first()
    world.draft = SurveyFactory(draft=True, title="Draft")
    return world


def _user_for(world, who):
    return {"visitor": None, "member": world.member, "organiser": world.organiser}[who]


def _snapshot(world, name):
    """What a refused edit must leave exactly as it was."""
    if name == "profile":
        return User.objects.filter(pk=world.member.pk).values().get()
    if name == "action edit":
        return Action.objects.filter(pk=world.action.pk).values().get()
    if name == "event edit":
        return Event.objects.filter(pk=world.upcoming.pk).values().get()
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
@settings(max_examples=FEW)
@given(typed=st.lists(hostile_text, min_size=1, max_size=8), everywhere=st.booleans())
def test_hostile_text_in_any_form_gets_a_clear_answer(form_world, name, typed, everywhere):
    who, address, model = FORMS[name]
    user = _user_for(form_world, who)
    if name == "survey answer":
        # A survey is answered once: each example answers as a newly invited member.
        user = UserFactory(agreed_to=GroundRules.objects.get())
        InvitationFactory(survey=form_world.waiting, member=user)
    client = _client(user)
    path = address(form_world)
    form = _form_on(client.get(path), path)
    # Now and then into every field, choices and ids included, not only where text is typed.
    fields = sorted(form["text"] | form["choice"]) if everywhere else sorted(form["text"])
    fields = fields if everywhere else fields[: len(typed)]
    overrides = {field: typed[n % len(typed)] for n, field in enumerate(fields)}
    before, kept = _count_of(model), _snapshot(form_world, name)

    response, _ = _submit(client, path, overrides)

    # 400: a body past DATA_UPLOAD_MAX_MEMORY_SIZE; 429: allauth's rate limit on sign-in and up.
    assert response.status_code in {200, 302, 400, 429}, (name, response.status_code)
    _assert_no_raw_markup(response)
    if response.status_code == 200:
        # Shown again: nothing stored, and the page says what to change.
        assert _count_of(model) == before
        assert _snapshot(form_world, name) == kept
        assert (
            b"is-invalid" in response.content
            or b"alert-danger" in response.content
            or (b'role="alert"' in response.content)
        ), name
    else:
        _assert_no_raw_markup(client.get(response.url if response.status_code == 302 else path))


def _multipart(form, **overrides):
    data = {}
    for name, value in form["pairs"]:
        data.setdefault(name, []).append(value)
    data.update(overrides)
    return data


file_names = st.one_of(
    st.sampled_from(
        [
            "notes.pdf",
            "notes.docx",
            "slides.pptx",
            "a.exe",
            ".pdf",
            "x" * 5_000 + ".pdf",
            "<script>alert(1)</script>.pdf",
            "../../etc/passwd",
            "résumé \u202efdp.exe",
            "nul\x00.pdf",
        ]
    ),
    st.text(min_size=1, max_size=40).map(lambda s: s + ".pdf"),
)
file_contents = st.one_of(
    st.just(b""),
    st.sampled_from(
        [
            b"\xff\xfe\xfa invalid utf-8 \xc3\x28",
            b"MZ\x90\x00 an executable",
            b"%PDF-",
            b"PK\x03\x04",
            b"<html><script>alert(1)</script></html>",
            b"\x00" * 1000,
        ]
    ),
    st.binary(max_size=2_000),
)


@pytest.mark.django_db
@given(name=file_names, content=file_contents)
def test_any_upload_is_saved_or_refused_with_a_reason(form_world, name, content):
    client = _client(form_world.organiser)
    path = reverse("resources:resource_new")
    form = _form_on(client.get(path), path)
    before = Resource.objects.count()
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        path, _multipart(form, title="An upload", description="A file.", upload=upload)
    )
    if response.status_code == 302:
        assert Resource.objects.count() == before + 1
    else:
        assert response.status_code == 200
        assert Resource.objects.count() == before
        assert b"is-invalid" in response.content or b"alert-danger" in response.content
    _assert_no_raw_markup(response)


csv_cells = st.one_of(
    st.sampled_from(["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", SCRIPT, "a\x00b", "\ud800"]),
    st.text(max_size=30),
)


@st.composite
def csv_files(draw):
    rows = draw(st.lists(st.lists(csv_cells, min_size=1, max_size=5), max_size=6))
    header = draw(st.sampled_from(["Name,Email,Organisation", "email", "", "\ufeffName;Email"]))
    body = "\n".join([header, *(",".join(row) for row in rows)]).encode("utf-8", "surrogatepass")
    return draw(st.sampled_from([body, b"\xff\xfe" + body, body + b"\xc3\x28\xa0\xa1", b""]))


@pytest.mark.django_db
@given(content=csv_files(), name=st.sampled_from(["members.csv", "members.xlsx", "a.txt", "x.csv"]))
def test_a_hostile_import_file_is_checked_and_nothing_is_saved(form_world, content, name):
    """Step 1 of an import only checks the file: whatever is in it, nobody is added yet."""
    client = _client(form_world.organiser)
    before = User.objects.count()
    response = client.post(
        reverse("members:import_data"),
        {"kind": "members", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert User.objects.count() == before
    _assert_no_raw_markup(response)
    if "plan" not in response.context:
        assert response.context["form"].errors


def _assert_exported_inert(response, typed):
    """Each typed text is in the CSV, as it was or behind an apostrophe, and no cell but a
    number we computed starts like a formula."""
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    for text in typed:
        assert {text, "'" + text} & set(cells), text
    numbers = {cell for cell in cells if cell.lstrip("-").replace(".", "", 1).isdigit()}
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and c not in numbers]


@pytest.mark.django_db
@given(texts=st.lists(csv_cells.filter(lambda s: "\x00" not in s), min_size=1, max_size=3))
def test_survey_results_csv_never_carries_a_formula(form_world, texts):
    """Text people typed that a spreadsheet would run as a formula is exported inert."""
    survey = form_world.answered
    typed = [text.encode("utf-8", "replace").decode() or "?" for text in texts]
    for n, text in enumerate(typed):
        Question.objects.filter(survey=survey, order=n + 1).update(text=text)
    # Written behind the services' back (they refuse to change an answered survey's
    # questions), so its kept results are moved on here as they would.
    results_changed(survey.pk)
    response = _client(form_world.organiser).get(reverse("surveys:results_csv", args=[survey.pk]))
    _assert_exported_inert(response, typed)


# Stored markup is shown as text -----------------------------------------------------------------

ESCAPED_SCRIPT = b"&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = b"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"

# (who types it, the form, the field, other fields it needs, who reads it back, where)
STORED = [
    ("member", "members:action_new", "what", {}, "member", "members:actions"),
    ("member", "events:suggestions", "topic", {}, "organiser", "events:suggestions_triage"),
    (
        "member",
        "resources:case_study_new",
        "title",
        {"context": "c", "what_we_did": "w", "what_changed": "x", "to_share": "s"},
        "member",
        "resources:my_case_studies",
    ),
    (
        "organiser",
        "members:glossary_term_new",
        "term",
        {"definition": "d"},
        "visitor",
        "members:glossary",
    ),
    (
        "organiser",
        "members:organisation_new",
        "name",
        {"sector": "nhs"},
        "organiser",
        "members:organisations",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("writer", "form", "field", "extra", "reader", "page"), STORED)
def test_stored_markup_is_escaped_when_shown_again(
    form_world, writer, form, field, extra, reader, page
):
    path = reverse(form)
    typed = f"Ideas {SCRIPT} and {IMG}"
    response, _ = _submit(_client(_user_for(form_world, writer)), path, {field: typed, **extra})
    assert response.status_code == 302, response.content[-3000:]

    shown = _client(_user_for(form_world, reader)).get(reverse(page))

    assert shown.status_code == 200
    _assert_no_raw_markup(shown)
    assert ESCAPED_SCRIPT in shown.content
    assert ESCAPED_IMG in shown.content


@pytest.mark.django_db
def test_an_upload_with_a_very_long_name_is_refused_with_a_reason(form_world):
    """Regression: a long file name (Django keeps its first 255 characters) reached the disk,
    which refused it once the storage added a suffix: a 500."""
    client = _client(form_world.organiser)
    path = reverse("resources:resource_new")
    form = _form_on(client.get(path), path)
    upload = SimpleUploadedFile("x" * 5_000 + ".pdf", b"%PDF-1.4 a small file")
    response = client.post(
        path, _multipart(form, title="Long name", description="A file.", upload=upload)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["upload"] == [
        "The file's name is 255 characters long: rename the file to 100 characters or fewer "
        "and upload it again."
    ]
    assert not Resource.objects.filter(title="Long name").exists()


@pytest.mark.django_db
def test_an_upload_name_too_long_in_bytes_is_refused_without_a_character_count(form_world):
    """70 characters, within the limit, but 210 bytes in UTF-8: the reason must not say that
    fewer than 100 characters would do, which it already is."""
    client = _client(form_world.organiser)
    path = reverse("resources:resource_new")
    form = _form_on(client.get(path), path)
    upload = SimpleUploadedFile("会" * 70 + ".pdf", b"%PDF-1.4 a small file")
    response = client.post(
        path, _multipart(form, title="Long name", description="A file.", upload=upload)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["upload"] == [
        "The file's name is too long to store: rename the file to something shorter and "
        "upload it again."
    ]
    assert not Resource.objects.filter(title="Long name").exists()


@pytest.mark.django_db
@given(names=st.lists(csv_cells.filter(lambda s: "\x00" not in s), min_size=1, max_size=3))
def test_dashboard_csv_never_carries_a_formula(form_world, names):
    """Organisation names are typed by people; the dashboard's CSV exports them inert."""
    # The dashboard keeps its figures for ten minutes, and every example shares this test's
    # cache: without this, each example after the first would read the first one's names.
    cache.clear()
    organisations = Organisation.objects.filter(members__isnull=False).distinct().order_by("pk")
    typed = []
    for n, (organisation, name) in enumerate(zip(organisations, names, strict=False)):
        # Names are unique: the number at the end keeps them so and leaves the start alone.
        clean = name.encode("utf-8", "replace").decode()
        typed.append(f"{clean} ({n})")
        Organisation.objects.filter(pk=organisation.pk).update(name=typed[-1])
    response = _client(form_world.organiser).get(reverse("members:dashboard_csv"))
    _assert_exported_inert(response, typed)


@pytest.mark.django_db
def test_dashboard_csv_exports_a_formula_like_name_as_text(form_world):
    organisation = form_world.member.organisation
    Organisation.objects.filter(pk=organisation.pk).update(name="=cmd|' /C calc'!A0")
    response = _client(form_world.organiser).get(reverse("members:dashboard_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["'=cmd|' /C calc'!A0", "4"] in rows
