from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ResourcesConfig(AppConfig):
    name = "resources"

    def ready(self):
        from events.models import Event

        from .models import Resource

        # Kept totals and lists of resources (resources.selectors) start again whenever a
        # resource, or a session's caucus, changes.
        for model in (Resource, Event):
            post_save.connect(_counts_forget, sender=model, dispatch_uid=f"counts-{model.__name__}")
            post_delete.connect(
                _counts_forget, sender=model, dispatch_uid=f"counts-gone-{model.__name__}"
            )


def _counts_forget(sender, **kwargs):
    from .selectors import resources_changed

    resources_changed()
