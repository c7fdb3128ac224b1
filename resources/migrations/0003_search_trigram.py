from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, for the search's "did you mean". Django's extension operations do nothing on
    another database, so the SQLite demo migrates as before."""

    dependencies = [("resources", "0002_resource_hub")]

    operations = [TrigramExtension()]
