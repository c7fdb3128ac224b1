"""Helpers for tests of outages: real clients pointed at addresses where nothing answers."""

import socket


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (free again once the probe socket closes)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
