# Placeholder while the organiser views are written: every route answers 501.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not built yet", status=501)


resources = resource_new = resource_edit = resource_delete = _todo
pathways = pathway_new = pathway_edit = case_studies = case_study_review = _todo
initiatives = initiative_new = initiative_edit = topics = topic_new = topic_edit = _todo
