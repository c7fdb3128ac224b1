"""Personal links that work without signing in (a survey invitation's, a guest's invitation):
how their tokens are made and kept.

A token is 32 random bytes (256 bits) from `secrets`, so guessing one is not a matter of rate
limits: there are too many to try. The database keeps only its SHA-256 hash, and a link is
found by hashing what was presented and looking that hash up, never by comparing tokens, so a
copy of the database opens nothing and a lookup says nothing about other links' tokens.
A plain hash (not a slow one, as for passwords) is enough because the token is random and long:
there is no dictionary to try against it."""

import hashlib
import re
import secrets

# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]; anything else is not one of ours,
# and is refused before any query.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str | None:
    """The hash stored for `token`, or None when it cannot be one of our tokens."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()
