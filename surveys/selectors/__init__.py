"""Reads for surveys, in modules named after the pages they serve: respond (members answering),
organise (the survey builder) and results.

`surveys_waiting` is named here as well because the members' home page reads it as
`surveys.selectors.surveys_waiting`."""

from .respond import surveys_waiting

__all__ = ["surveys_waiting"]
