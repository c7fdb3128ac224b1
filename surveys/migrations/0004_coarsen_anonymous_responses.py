"""Coarsen the groups kept with anonymous responses given before answers were sealed, by the
rule new releases follow (surveys.sealing.Coarsener), survey by survey against the people
who answered it. Those responses never recorded seniority, so they are matched on sector and
organisation alone. Their order and transaction are dealt with by the final release after each
survey closes (`release_survey_answers`), which rewrites them."""

from collections import defaultdict

from django.conf import settings
from django.db import migrations

from surveys.sealing import Coarsener


def coarsen(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Invitation = apps.get_model("surveys", "Invitation")
    Response = apps.get_model("surveys", "Response")
    k = settings.SURVEY_SUPPRESSION_THRESHOLD
    for survey_id in Survey.objects.filter(is_anonymous=True).values_list("pk", flat=True):
        population = [
            (sector, "", organisation)
            for sector, organisation in Invitation.objects.filter(
                survey_id=survey_id, responded=True
            ).values_list("member__sector", "member__organisation_id")
        ]
        rule = Coarsener(population, k=k)
        changes = defaultdict(list)
        rows = Response.objects.filter(survey_id=survey_id, member__isnull=True).values_list(
            "pk", "sector", "organisation_id"
        )
        for pk, sector, organisation in rows:
            coarse = rule((sector, "", organisation))
            if coarse != (sector, "", organisation):
                changes[coarse].append(pk)
        for (sector, seniority, organisation), pks in changes.items():
            Response.objects.filter(pk__in=pks).update(
                sector=sector, seniority=seniority, organisation_id=organisation
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_sealed_responses")]

    operations = [migrations.RunPython(coarsen, migrations.RunPython.noop)]
