from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EventsConfig(AppConfig):
    name = "events"

    def ready(self):
        # The caucus services move a member's kept caucus on themselves (events.caching); a
        # choice deleted any other way (an account erased or deleted, a shell) reaches the
        # same function here.
        post_save.connect(
            _caucus_changed, sender="events.CaucusMembership", dispatch_uid="events.caucus_saved"
        )
        post_delete.connect(
            _caucus_changed, sender="events.CaucusMembership", dispatch_uid="events.caucus_gone"
        )
        # Likewise whether a member came, which their kept place at a session shows: the
        # attendance services move it on, the admin and deletions (of a session or an account)
        # through here.
        post_save.connect(
            _attendance_changed, sender="events.Attendance", dispatch_uid="events.attended"
        )
        post_delete.connect(
            _attendance_changed, sender="events.Attendance", dispatch_uid="events.unattended"
        )


def _caucus_changed(sender, instance, **kwargs):
    from .caching import caucus_changed

    caucus_changed(instance.member_id)


def _attendance_changed(sender, instance, **kwargs):
    from .caching import attendance_changed

    attendance_changed()
