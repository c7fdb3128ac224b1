"""Reads for the members app, one module per area it serves: accounts, onboarding,
organisations, and the areas above the other apps (home, journey, dashboard, data_rights,
imports), which read events, resources and surveys too.

What other apps use is named here, and only that; this module never imports an area above the
other apps."""

from ..caching import GLOSSARY_GENERATION_KEY, ORGANISATIONS_GENERATION_KEY
from .accounts import unclaimed_members
from .onboarding import ground_rules_current

__all__ = [
    "GLOSSARY_GENERATION_KEY",
    "ORGANISATIONS_GENERATION_KEY",
    "ground_rules_current",
    "unclaimed_members",
]
