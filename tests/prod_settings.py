"""Production's settings as a fresh interpreter loads them from an environment, for tests of
what an environment variable turns into (settings are read once per process, at start)."""

import json
import os
import subprocess
import sys

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "cop_portal.settings.prod",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "cop.example.org",
    "DATABASE_URL": "postgres://localhost/cop_portal",
    "EMAIL_URL": "consolemail://",
    "PORTAL_URL": "https://cop.example.org",
}


def production_settings(*names: str, **env) -> dict:
    """{name: value} of the named settings under production's settings module, with `env` added
    to (and REDIS_URL removed from, unless given) this process's environment."""
    environment = {
        k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {**PRODUCTION_ENVIRONMENT, **env}
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    output = subprocess.run(  # noqa: S603 - this interpreter, with a fixed script
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)
