"""The table for the database cache that production falls back on without REDIS_URL
(cop_portal/settings/prod.py), so that `migrate` alone leaves a working deploy.
`createcachetable` does nothing for other cache backends and leaves an existing table alone."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_audit_event"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True),
    ]
