"""The two-instance load test's checks (loadtest/balanced.py), on requests as the locustfile
records them: start, ms, name, status, failed, friendly 503, instance, member, reason."""

from loadtest.balanced import check_sessions, windows

PLAN = {"members": [{"email": "ann@example.org"}, {"email": "bo@example.org"}]}


def request(at, name="home", *, status=200, failed=False, by="a", who="ann@example.org", why=""):
    return [at, 100.0, name, status, failed, False, by, who, why]


def test_members_served_by_both_instances_without_signing_in_again_kept_their_sessions():
    requests = [
        request(1.0, "sign in", by="a"),
        request(2.0, by="b"),
        request(3.0, by="a"),
        request(1.5, "sign in", by="b", who="bo@example.org"),
        request(2.5, by="b", who="bo@example.org"),
    ]

    found = check_sessions(requests, PLAN)

    assert found == {
        "members_signed_in": 2,
        "members_signing_in_more_than_once": [],
        "members_served_by_both": 1,
        "members_served": 2,
        "sent_to_sign_in": [],
        "survived": True,
    }


def test_a_member_sent_back_to_sign_in_or_signing_in_twice_means_a_session_was_lost():
    requests = [
        request(1.0, "sign in"),
        request(2.0, by="b", failed=True, why="signed out: sent to the sign-in page"),
        request(3.0, "sign in", by="b"),
        # A sign-in cut short by the kill, then one that worked, is one sign-in.
        request(1.0, "sign in", status=502, failed=True, who="bo@example.org", why="502"),
        request(4.0, "sign in", who="bo@example.org"),
    ]

    found = check_sessions(requests, PLAN)

    assert found["members_signing_in_more_than_once"] == ["ann@example.org"]
    assert found["sent_to_sign_in"] == [
        {"member": "ann@example.org", "page": "home", "at": 2.0, "by": "b"}
    ]
    assert found["survived"] is False


def test_requests_in_flight_at_the_kill_count_in_its_window_not_before_it():
    requests = [
        request(1.0),  # 1.0-1.1: before
        request(9.95),  # 9.95-10.05: in flight at the kill (10)
        request(12.0, status=502, failed=True),  # inside
        request(20.0),  # after the window's end (15)
        request(21.0, status=500, failed=True),  # after
    ]

    found = windows(requests, start=0.0, end=30.0, kill=10.0, window_end=15.0)

    assert (found["before"]["requests"], found["before"]["failures"]) == (1, 0)
    assert (found["kill_window"]["requests"], found["kill_window"]["failures"]) == (2, 1)
    assert (found["kill_window"]["seconds"], found["kill_window"]["rps"]) == (5.0, 0.4)
    assert (found["after"]["requests"], found["after"]["failures"]) == (2, 1)
    assert found["outside_window"] == {"requests": 3, "failures": 1, "failure_ratio": 0.3333}


def test_an_instance_reached_while_the_checks_had_both_out_is_still_that_instance():
    requests = [
        request(1.0, "sign in", by="a"),
        request(2.0, by="a-open"),
        request(3.0, by="a"),
        request(1.5, "sign in", by="b", who="bo@example.org"),
        request(2.5, by="b-open", who="bo@example.org"),
        request(3.5, by="a-open", who="bo@example.org"),
    ]

    found = check_sessions(requests, PLAN)

    assert (found["members_served_by_both"], found["members_served"]) == (1, 2)
