"""Personal links to answer a survey without signing in. Their tokens are made and kept as
every personal link's are (cop_portal/web/tokens.py: 256 random bits, only a hash stored)."""

from datetime import timedelta

from cop_portal.web.tokens import token_hash, token_new

# No link lasts longer than this, even for a survey open for longer: an email forwarded or left
# in an old mailbox stops working. A reminder brings a fresh link.
LINK_MAX_AGE = timedelta(days=30)

__all__ = ["LINK_MAX_AGE", "token_hash", "token_new"]
