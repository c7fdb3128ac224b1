"""gunicorn's settings for the portal's web process (`Procfile`, deploy/systemd/). Every value
can be changed from the environment, so one file serves a small machine and a large one."""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# Behind a reverse proxy on the same machine or network: listen where the platform says.
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"]  # noqa: S104 - the proxy in front decides who reaches it

# Sync workers, each serving one request at a time: a page waits on PostgreSQL, not the CPU,
# so about two a core plus one (gunicorn's own advice). WEB_CONCURRENCY, the variable
# platforms set, overrides it.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)

# A request still running after this many seconds has its worker killed and restarted: the
# slowest pages (exports, the dashboard at its widest) finish in a few seconds, so this only
# ends a worker that is stuck. The proxy's own timeout (deploy/nginx.conf) is longer.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a deploy, a restart), requests in hand get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25)
# The proxy keeps connections to us open between requests; a little longer than nothing.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Each worker is replaced after about this many requests, so that memory a library holds on to
# cannot grow without end; the jitter keeps the workers from all restarting together. Not
# sooner: a worker loads Django and the portal itself (no preloading) in about a second of CPU,
# and at 1,000 the benchmark's workers spent more time starting than serving.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)

# Which addresses may tell us the request came over https (X-Forwarded-Proto): the proxy's.
# Django itself reads that header (SECURE_PROXY_SSL_HEADER), so the proxy must always set it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Each worker loads the app itself (not once in the master before forking), so that a reload
# (HUP, `systemctl reload cop-portal-web`) starts workers on the code now on disk while the old
# ones finish their requests: a deploy without a moment of refused requests. A worker that
# cannot load the app (a missing setting) stops gunicorn, as gunicorn stops when workers fail
# to boot.
preload_app = False

# gunicorn's control socket (for `gunicornc`) only where asked for: its default, one path in the
# user's home, would be shared by every gunicorn the user runs. The systemd unit gives it one.
if control_path := os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = control_path
else:
    control_socket_disable = True

# One line a request on stdout, as JSON in the portal's shape (cop_portal.web.logs): the method,
# the path without its query string, the status, the time taken and the request's id. Never the
# query string, the client's address, the referrer or the user agent.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "formatters": {"json": {"()": "cop_portal.web.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
    },
    # Each line once: gunicorn's loggers write it and pass it no further up.
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
    "root": {"level": loglevel.upper(), "handlers": ["stdout"]},
}
