from django.db import migrations, models
from django.db.models import F


def mark_earlier_attendances(apps, schema_editor):
    """Attendance recorded before the email after a session existed counts as dealt with, so
    the first run after this change writes to nobody about sessions already summarised."""
    Attendance = apps.get_model("events", "Attendance")
    Attendance.objects.update(after_session_sent_at=F("recorded_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_registration_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="after_session_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_earlier_attendances, migrations.RunPython.noop, elidable=True),
    ]
