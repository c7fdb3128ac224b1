import secrets

from django.db import migrations, models

import surveys.models

LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def codes_give(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    used = set()
    for survey in Survey.objects.only("pk"):
        code = "".join(secrets.choice(LETTERS) for _ in range(8))
        while code in used:
            code = "".join(secrets.choice(LETTERS) for _ in range(8))
        used.add(code)
        Survey.objects.filter(pk=survey.pk).update(short_code=code)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_invitation_links")]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="short_code",
            field=models.CharField(max_length=12, null=True, editable=False),
        ),
        migrations.RunPython(codes_give, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="survey",
            name="short_code",
            field=models.CharField(
                default=surveys.models.short_code_new, editable=False, max_length=12, unique=True
            ),
        ),
    ]
