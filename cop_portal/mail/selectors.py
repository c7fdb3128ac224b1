from .models import OutgoingEmail


def failed_count() -> int:
    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()
