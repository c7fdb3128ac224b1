# Placeholder while the pathway, case-study and initiative views are written: 501 everywhere.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not built yet", status=501)


pathways = pathway = step_done = reflection = _todo
case_studies = my_case_studies = case_study_new = case_study = case_study_edit = _todo
case_study_submit = initiatives = initiative = _todo
