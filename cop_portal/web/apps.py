from django.apps import AppConfig


class WebConfig(AppConfig):
    """Installed only for its template tags: the plumbing has no models."""

    name = "cop_portal.web"
    label = "web"
