# Placeholder while the survey builder is written: every route answers 501.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not built yet", status=501)


surveys = survey_new = survey_detail = survey_edit = preview = publish = invite = _todo
question_new = question_edit = question_delete = question_move = _todo
