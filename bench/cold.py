"""Cold requests for `make bench`: a page as its first viewer after a write sees it.

A request carrying the header `X-Bench-Cold` first does to the cache what the portal's writes
do (cold_start), then is served as usual, so every kept answer that a write retires is worked
out afresh in that request. bench/settings.py puts the middleware first; the portal's own
settings never load it. The few cache round trips of the step itself are counted in the
request's time. Cold requests sent at once can meet: one may find an answer another has just
worked out under the generation it moved on to, so under concurrency a few are warmer than
cold; a request's own step always comes before its own reads.

What no write retires stays kept: the dashboard's figures (ten minutes, and the page says when
they were worked out) and a closed survey's results (they cannot change). Their cost when they
have expired is the first view's, which bench/run.py counts once per page."""

COLD_HEADER = "X-Bench-Cold"
_COLD_META = "HTTP_" + COLD_HEADER.upper().replace("-", "_")


def cold_start() -> None:
    """Retire every kept answer a write retires: all of them, whichever write it was."""
    # Imported here: bench/run.py reads COLD_HEADER before Django is set up.
    from events.caching import places_changed, sessions_changed
    from members.caching import ground_rules_forget, members_forget
    from resources.caching import resources_changed

    members_forget()  # a role's permissions changed: every signed-in member is read again
    ground_rules_forget()  # ground rules published: the version in force is read again
    resources_changed()  # a resource saved: the hub's totals, lists and searches start again
    sessions_changed()  # a session saved: the programme's renderings start again
    places_changed()  # a place taken: so do they, for how full each session is


class ColdCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _COLD_META in request.META:
            cold_start()
        return self.get_response(request)
