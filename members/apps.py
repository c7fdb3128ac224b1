from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MembersConfig(AppConfig):
    name = "members"

    def ready(self):
        from . import signals
        from .services import roles_sync

        signals.connect()

        # Groups and their permissions are data every environment needs (tests included), so
        # they are brought up to date after every migrate rather than by hand.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="members.roles_sync")
        self._roles_sync = roles_sync


def _sync_roles(sender, using, **kwargs):
    sender._roles_sync(using=using)
