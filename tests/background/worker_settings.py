"""Settings for the worker processes the tests start: the test settings, with the database
connection kept open between tasks as in production (the tests cut it)."""

from cop_portal.settings.test import *  # noqa: F403 - the test settings, changed below
from cop_portal.settings.test import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 600
