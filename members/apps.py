from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MembersConfig(AppConfig):
    name = "members"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import signals
        from .services.accounts import roles_sync

        signals.connect()

        # Groups and their permissions are data every environment needs (tests included), so
        # they are brought up to date after every migrate rather than by hand.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="members.roles_sync")
        self._roles_sync = roles_sync
        user_logged_in.connect(_session_start, dispatch_uid="members.session_start")


def _sync_roles(sender, using, **kwargs):
    sender._roles_sync(using=using)


def _session_start(sender, request, user, **kwargs):
    """A new sign-in starts the session clocks and settles whether MFA must be set up first."""
    from cop_portal.web.middleware import session_stamp_sign_in

    from .middleware import session_mfa_check

    if getattr(request, "session", None) is None:
        return
    session_stamp_sign_in(request)
    session_mfa_check(request, user)
