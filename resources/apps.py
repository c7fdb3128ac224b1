from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ResourcesConfig(AppConfig):
    name = "resources"

    def ready(self):
        # Kept totals and lists of resources (resources.caching) start again whenever a
        # resource, or a session's caucus, changes. The session's model is named rather than
        # imported: resources reaches events only through its services and selectors.
        for model in ("resources.Resource", "events.Event"):
            name = model.rpartition(".")[2]
            post_save.connect(_counts_forget, sender=model, dispatch_uid=f"counts-{name}")
            post_delete.connect(_counts_forget, sender=model, dispatch_uid=f"counts-gone-{name}")


def _counts_forget(sender, **kwargs):
    from .caching import resources_changed  # reads other apps' selectors, loaded by now

    resources_changed()
