from .models import OutgoingEmail


def recipient_forget(address: str) -> int:
    """Delete every message still waiting for, or failed to, `address` (an erased account):
    sent ones keep no address. Returns how many."""
    deleted, _ = OutgoingEmail.objects.filter(recipient__iexact=address).delete()
    return deleted
