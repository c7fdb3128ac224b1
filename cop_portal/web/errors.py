"""Error pages that need a view rather than just a template."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form came back without its security token (CSRF_FAILURE_VIEW). Usually the page sat
    open for a long time, or cookies are blocked; say so plainly, and never show `reason`."""
    return render(request, "403_csrf.html", status=403)
