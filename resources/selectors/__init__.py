"""Reads for the resource hub, by the area they serve: `hub` (browsing, searching, reading,
catching up; who may see what), `community` (pathways, case studies, initiatives) and
`organise` (the organisers' side).

Inside resources, import from the area's module. The names below are those used from outside
the app (members' demo content and Organise page), which may import them from here."""

from .hub import resources_exist, topics
from .organise import case_studies_waiting_count

__all__ = ["case_studies_waiting_count", "resources_exist", "topics"]
