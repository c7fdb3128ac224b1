"""The baselines a page's throughput is compared with. All go through the portal's whole
middleware stack.

B0: a plain response, no database, signed out. B1: TechEmpower's "fortunes", signed out: read
the 12 rows of a small table (bench_fortune, made by bench/run.py), add one, sort them and render
a template. B2: the portal's base layout (templates/base.html) as a signed-in member sees it,
header and menu included, with no content: what every signed-in page costs before its own work
(the session, the member, their permissions for the menu, the ground-rules check)."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

FORTUNE_TABLE = "bench_fortune"
FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]


@login_not_required
@require_GET
def plaintext(request):
    return HttpResponse(b"Hello, World!", content_type="text/plain")


@login_not_required
@require_GET
def fortunes(request):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, message FROM {FORTUNE_TABLE}")  # noqa: S608 - a constant
        rows = cursor.fetchall()
    rows.append((0, "Additional fortune added at request time."))
    rows.sort(key=lambda row: row[1])
    return render(request, "bench/fortunes.html", {"fortunes": rows})


@require_GET
def base_layout(request):
    """B2. Signed in only, as every portal page is by default (LoginRequiredMiddleware)."""
    return render(request, "bench/b2.html")


# The fixed cost of a page: the base layout and nothing else, for a signed-in member (every
# signed-in check runs: session, member, two-step sign-in, ground rules) and for a visitor.
@require_GET
def layout(request):
    return render(request, "bench/layout.html")


@login_not_required
@require_GET
def layout_public(request):
    return render(request, "bench/layout.html")
