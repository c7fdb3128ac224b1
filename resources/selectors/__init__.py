"""Reads for the resource hub, by the area they serve: `hub` (browsing, searching, reading,
catching up; who may see what), `community` (pathways, case studies, initiatives) and
`organise` (the organisers' side).

Inside resources, import from the area's module. The names below are those used from outside
the app (members' demo content, Organise page and digests), which may import them from here."""

from .community import case_studies_published
from .conversation import concerns_waiting_count, conversation_spaces, posts_exist
from .hub import resources_exist, resources_visible_to, topics
from .organise import case_studies_waiting_count

__all__ = [
    "case_studies_published",
    "case_studies_waiting_count",
    "concerns_waiting_count",
    "conversation_spaces",
    "posts_exist",
    "resources_exist",
    "resources_visible_to",
    "topics",
]
