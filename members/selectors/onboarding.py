"""Reads for joining and the content members read on the way: the ground rules and whether a
member has agreed to them, the joining checklist, pages and the glossary."""

from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, Max, Q

from ..models import ContentPage, ContentPageVersion, GlossaryTerm, GroundRules, User


def ground_rules_current() -> GroundRules | None:
    return GroundRules.objects.filter(published_at__isnull=False).order_by("-version").first()


@dataclass(frozen=True)
class GroundRulesStatus:
    current_version: int | None
    agreed_version: int | None

    @property
    def needs_agreement(self) -> bool:
        return self.current_version is not None and self.agreed_version != self.current_version

    @property
    def is_reagreement(self) -> bool:
        return self.needs_agreement and self.agreed_version is not None


def ground_rules_status(*, user: User) -> GroundRulesStatus:
    """The current version and the newest one `user` agreed to, in one query."""
    figures = GroundRules.objects.filter(published_at__isnull=False).aggregate(
        current=Max("version"),
        agreed=Max("version", filter=Q(agreements__member=user)),
    )
    return GroundRulesStatus(current_version=figures["current"], agreed_version=figures["agreed"])


@dataclass(frozen=True)
class NextStep:
    title: str
    done: bool
    url_name: str


def member_next_steps(*, user: User, ground_rules: GroundRulesStatus) -> list[NextStep]:
    """The joining checklist shown on a member's home page."""
    return [
        NextStep("Verify your email address", True, "account_email"),
        NextStep(
            "Complete your profile", user.profile_completed_at is not None, "members:profile_edit"
        ),
        NextStep(
            "Read the introduction", user.introduction_read_at is not None, "members:introduction"
        ),
        NextStep(
            "Agree to the ground rules", not ground_rules.needs_agreement, "members:ground_rules"
        ),
    ]


def content_page_get(*, slug: str) -> ContentPage | None:
    return ContentPage.objects.filter(slug=slug).first()


def content_pages():
    """Every content page, for the organisers' list, with how many earlier versions each has."""
    return ContentPage.objects.annotate(earlier=Count("versions")).order_by("title")


def content_page_version_get(*, page: ContentPage, version: int) -> ContentPageVersion | None:
    return page.versions.filter(version=version).first()


def glossary_by_letter(*, query: str = "") -> list[tuple[str, list[GlossaryTerm]]]:
    terms = GlossaryTerm.objects.all()
    if query:
        terms = terms.filter(Q(term__icontains=query) | Q(definition__icontains=query))
    # Sort on the letter itself: terms filed under "#" (a digit, a pasted curly quote) can sort
    # apart in the database's collation, and each letter must form one section.
    ordered = sorted(terms, key=lambda t: (t.letter, t.term.casefold()))
    return [(letter, list(group)) for letter, group in groupby(ordered, key=lambda t: t.letter)]


def ground_rules_versions():
    return (
        GroundRules.objects.select_related("published_by")
        .annotate(agreement_count=Count("agreements"))
        .order_by("-version")
    )


def glossary_terms():
    return GlossaryTerm.objects.all()
