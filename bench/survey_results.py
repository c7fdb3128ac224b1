"""How long a large survey's protected results take to prepare (the worker's task,
surveys.tasks.results_prepare), question by question, on the benchmark's seeded database.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cop_bench \\
        REDIS_URL=redis://127.0.0.1:6379/3 python -m bench.survey_results

The survey is the one `make bench` shows on its results page: the closed check-in with the most
responses. For each question that can be broken down it prints the disclosure audit's
programmes and seconds, and whether a breakdown had to be withheld; then the
whole preparation, as the worker runs it (counts, text, breakdowns, kept in the cache)."""

import os
import secrets
import time

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from cop_portal.web.disclosure import WITHHELD_NOTE  # noqa: E402
from surveys.models import Question, Survey  # noqa: E402
from surveys.selectors.results import disclosed_figures  # noqa: E402
from surveys.services.results import results_prepare  # noqa: E402


def main() -> None:
    survey = (
        Survey.objects.filter(kind="check_in", closes_at__lte=timezone.now(), is_template=False)
        .annotate(n=Count("responses"))
        .order_by("-n", "pk")
        .first()
    )
    if survey is None:
        raise SystemExit("No closed check-in survey: seed the database first (make bench).")
    print(f"Survey {survey.pk}, {survey.n} responses")
    kinds = (*Question.SCALE_KINDS, *Question.CHOICE_KINDS)
    for question in survey.questions.filter(kind__in=kinds).order_by("order", "pk"):
        began = time.perf_counter()
        found = disclosed_figures(questions=[question], see_everything=False)[question.pk]
        withheld = [key for key, table in found.tables.items() if WITHHELD_NOTE in table.notes]
        print(
            f"  {question.kind:<10} {len(found.overall):>2} answers: {found.solves:>4} programmes, "
            f"{time.perf_counter() - began:7.1f} s"
            + (f", withheld: {', '.join(withheld)}" if withheld else "")
        )
    began = time.perf_counter()
    results_prepare(survey_id=survey.pk, see_everything=False)
    print(f"Prepared as the worker does in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
