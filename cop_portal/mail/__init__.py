"""Outgoing email: every message the portal sends is stored in an outbox, in the transaction of
the change that prompted it, and sent by the workers (see delivery.py)."""
