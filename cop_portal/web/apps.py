from django.apps import AppConfig


class WebConfig(AppConfig):
    """Installed for its template tags and its deployment checks: the plumbing has no models."""

    name = "cop_portal.web"
    label = "web"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
