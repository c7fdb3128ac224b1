from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "cop_portal.background"
    label = "background"
    verbose_name = "Background work"

    def ready(self):
        from . import checks  # noqa: F401 - registers the schedules' system check
