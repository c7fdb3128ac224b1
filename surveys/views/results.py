# Placeholder while the results pages are written: every route answers 501.
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not built yet", status=501)


results = results_csv = _todo
