"""Settings for the worker processes the tests start: the test settings, with the database
connection kept open between tasks as in production (the tests cut it), and email delivered to
WORKER_EMAIL_URL when a test gives one (a real SMTP server of its own)."""

import os

from cop_portal.settings.base import mailers_from_url
from cop_portal.settings.test import *  # noqa: F403 - the test settings, changed below
from cop_portal.settings.test import DATABASES, MAILERS

DATABASES["default"]["CONN_MAX_AGE"] = 600
if email_url := os.environ.get("WORKER_EMAIL_URL"):
    MAILERS = {**MAILERS, "delivery": mailers_from_url(email_url)["delivery"]}
