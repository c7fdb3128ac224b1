"""The benchmark's checks against its targets, and its reading of CPU time (bench/run.py)."""

import json
import os
import subprocess
import sys

import pytest

from bench.run import (
    CpuTally,
    baseline_misses,
    children_of,
    cpu_seconds,
    keep_results,
    misses_of,
)


def page(kind="page", *, ratio=0.6, p95=80.0, queries=5) -> dict:
    return {"name": "p", "kind": kind, "ratio_to_B1": ratio, "p95_ms": p95, "queries": queries}


def test_a_page_meeting_every_target_misses_none():
    assert misses_of(page(ratio=0.5, p95=100.0, queries=10), None, "M", "S") == []


@pytest.mark.parametrize(
    ("kind", "ratio", "p95", "queries", "misses"),
    [
        ("page", 0.49, 80.0, 5, ["÷B1<0.5"]),
        ("page", 0.6, 100.1, 5, ["p95>100"]),
        ("page", 0.6, 80.0, 11, ["queries>10"]),
        ("search", 0.25, 300.0, 5, []),
        ("search", 0.24, 300.1, 5, ["÷B1<0.25", "p95>300"]),
    ],
)
def test_the_targets_of_each_kind_of_page_hold_at_any_tier(kind, ratio, p95, queries, misses):
    for tier, other_tier in (("S", "M"), ("M", "S"), ("L", "M")):
        found = misses_of(page(kind, ratio=ratio, p95=p95, queries=queries), None, tier, other_tier)
        assert found == misses


def test_from_s_to_m_a_page_keeps_its_queries_and_nine_tenths_of_its_ratio():
    small = page(ratio=0.8)

    assert misses_of(page(ratio=0.73), small, "M", "S") == []
    assert misses_of(page(ratio=0.68), small, "M", "S") == ["÷B1 fell 15% S→M"]
    # The same comparison made from the run at S, against the one at M.
    assert misses_of(small, page(ratio=0.68, queries=6), "S", "M") == [
        "queries S≠M",
        "÷B1 fell 15% S→M",
    ]
    # L is compared with nothing.
    assert misses_of(page(ratio=0.1), small, "L", "M") == ["÷B1<0.5"]


def run(tier: str, ratio: float) -> dict:
    return {"tier": tier, "baseline": {"B2_ratio_to_B1": 0.9}, "pages": [page(ratio=ratio)]}


def test_the_kept_results_hold_the_latest_run_at_each_tier_compared_with_each_other(tmp_path):
    kept = tmp_path / "results.json"
    kept.write_text(json.dumps({"email": {"members": 200}}))

    # S after an M run that fell: S is compared with nothing kept yet.
    assert keep_results(run("S", 0.8), kept) == {"members": 200}
    # M now: it fell 15% from this S, and the S run kept is held to this M too.
    keep_results(run("M", 0.68), kept)
    found = json.loads(kept.read_text())
    assert found["latest"] == "M"
    assert sorted(found["tiers"]) == ["M", "S"]
    assert found["tiers"]["S"]["misses"]["pages"] == {"p": ["÷B1 fell 15% S→M"]}
    assert found["email"] == {"members": 200}
    # S again, faster than M by less than a tenth: neither misses any longer.
    keep_results(run("S", 0.74), kept)
    found = json.loads(kept.read_text())
    assert found["latest"] == "S"
    assert found["tiers"]["M"]["misses"] == {"baselines": [], "pages": {"p": []}}
    assert found["tiers"]["S"]["pages"][0]["ratio_to_B1"] == 0.74
    # L is kept beside them and compared with neither.
    keep_results(run("L", 0.1), kept)
    found = json.loads(kept.read_text())
    assert sorted(found["tiers"]) == ["L", "M", "S"]
    assert found["tiers"]["M"]["misses"] == {"baselines": [], "pages": {"p": []}}


def test_b2_must_reach_four_fifths_of_b1():
    assert baseline_misses({"B2_ratio_to_B1": 0.8}) == []
    assert baseline_misses({"B2_ratio_to_B1": 0.79}) == ["B2 ÷ B1 < 0.8"]


def test_cpu_is_read_for_a_live_process_and_its_children_and_none_once_gone():
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)  # fmt: skip
    try:
        assert child.pid in children_of(os.getpid())
        assert cpu_seconds(child.pid) >= 0.0
    finally:
        child.communicate(b"")
    assert cpu_seconds(child.pid) is None


def test_cpu_per_request_in_milliseconds_on_each_side():
    tally = CpuTally()
    tally.add({"app": 0.3, "db": 0.1}, 100)
    tally.add({"app": 0.5, "db": 0.1}, 100)

    assert tally.per_request() == {"app": 4.0, "db": 1.0, "total": 5.0}
    assert CpuTally().per_request() == {"app": 0.0, "db": 0.0, "total": 0.0}
