"""The restart load test's failure figure (loadtest/run.py): failures are counted among the
requests that met neither outage, PostgreSQL's nor Redis's, each lasting until the portal served
again. Requests as the locustfile records them: start, ms, name, status, failed, ..."""

from loadtest.run import Probe, outside_outages

MARKS = {"db_stop": 60.0, "redis_stop": 90.0, "redis_started": 93.0, "load_end": 120.0}


def request(at, ms=100.0, *, failed=False):
    return [at, ms, "home", 503 if failed else 200, failed, failed, "", "", ""]


def test_only_requests_clear_of_both_outages_count():
    probe = Probe("http://127.0.0.1:1/", "")
    # The probe saw the portal serve again 0.5 s after Redis was back.
    probe.seen, probe.ended = [(92.0, 503, True), (93.5, 200, False)], [92.1, 93.6]
    requests = [
        request(10.0),
        request(59.95, ms=100.0, failed=True),  # still running when PostgreSQL stopped
        request(65.0, failed=True),  # during PostgreSQL's outage (back at 70)
        request(75.0),
        request(89.0, ms=2000.0, failed=True),  # running into Redis's outage
        request(93.2, failed=True),  # Redis back, the portal not yet serving
        request(95.0, failed=True),  # after both: a real failure
        request(100.0),
    ]

    found = outside_outages(requests, MARKS, 70.0, probe)

    assert found == {"requests": 4, "failures": 1, "failure_ratio": 0.25}
