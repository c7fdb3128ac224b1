"""Reads for surveys, in modules named after the pages they serve: respond (members answering),
organise (the survey builder) and results.

`surveys_waiting` and `survey_opening_next` are named here as well because the members' home
page reads them from here, and keeps what it shows under `SURVEYS_GENERATION_KEY`."""

from ..caching import SURVEYS_GENERATION_KEY
from .respond import survey_opening_next, surveys_waiting

__all__ = ["SURVEYS_GENERATION_KEY", "survey_opening_next", "surveys_waiting"]
