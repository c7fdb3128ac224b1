from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = "event_search_everything_idx"


def _index():
    # The same expression as resources.selectors.search.EVENT_DOCUMENT, so the planner uses
    # the index to find the sessions mentioning a word before each person's own rules apply.
    return GinIndex(
        SearchVector("title", "summary", "outcome_summary", "key_takeaways", config="english"),
        name=INDEX,
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("events", "Event"), _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("events", "Event"), _index())


class Migration(migrations.Migration):
    """A full-text index over every searchable word of a session, for the search. PostgreSQL
    only (the SQLite demo searches titles plainly), so it is not in the model's Meta."""

    dependencies = [("events", "0007_guests")]

    operations = [migrations.RunPython(create, drop)]
