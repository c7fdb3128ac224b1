from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def _indexes():
    # The same expressions as resources.selectors.search.EVENT_DOCUMENT and
    # EVENT_OPEN_DOCUMENT, so the planner uses the indexes to find the sessions whose readable
    # text mentions a word before each person's own rules apply.
    return [
        GinIndex(
            SearchVector("title", "summary", "outcome_summary", "key_takeaways", config="english"),
            name="event_search_everything_idx",
        ),
        GinIndex(SearchVector("title", "summary", config="english"), name="event_search_open_idx"),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in _indexes():
            schema_editor.add_index(apps.get_model("events", "Event"), index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in _indexes():
            schema_editor.remove_index(apps.get_model("events", "Event"), index)


class Migration(migrations.Migration):
    """A full-text index over every searchable word of a session, for the search. PostgreSQL
    only (the SQLite demo searches titles plainly), so it is not in the model's Meta."""

    dependencies = [("events", "0007_guests")]

    operations = [migrations.RunPython(create, drop)]
