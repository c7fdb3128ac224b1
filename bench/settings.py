"""Settings for `make bench`: production's own, for a run on 127.0.0.1 against the benchmark's
database only, with the three baseline pages (B0, B1, B2) added to the portal's URLs and, first
of the middleware, the cold step (bench/cold.py), which acts only on requests that ask for it.

bench/run.py sets SECRET_KEY (fresh each run) and BENCH_DATABASE_URL before anything starts."""

import os

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cop_bench"
)
# Set, not defaulted: whatever DATABASE_URL or DEBUG the shell or a .env holds, a benchmark
# runs with DEBUG off and touches its own database and nothing else.
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ["DEBUG"] = "false"
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("PORTAL_URL", "https://127.0.0.1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from cop_portal.settings.prod import *  # noqa: E402, F403 - production's values, unchanged
from cop_portal.settings.prod import BASE_DIR, MIDDLEWARE, TEMPLATES  # noqa: E402

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.cold.ColdCacheMiddleware", *MIDDLEWARE]
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]
# collectstatic writes here, not into the project's own staticfiles/.
STATIC_ROOT = BASE_DIR / "bench" / "out" / "static"
