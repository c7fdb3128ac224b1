from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_audit_background_tasks_retried"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="follow_up_sent_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="email_catch_up",
            field=models.BooleanField(
                default=True,
                verbose_name="session summaries: a catch-up when I miss a session, what to do next when I come",
            ),
        ),
    ]
