"""The disclosure audit decides exactly as it did before it settled bounds from the linear
relaxation (tests/web/disclosure_before.py, the engine as it was): on many random small
questions, the same figures shown and hidden, everywhere. The speed-ups may only skip integer
programmes whose answer the relaxation, or a whole-number solution found near the last one and
checked, already proves, so any difference here is a bug."""

import dataclasses

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cop_portal.web import disclosure

from . import disclosure_before

SECTORS = ["NHS", "Council", "Voluntary"]
ORGANISATIONS = ["Trust A", "Trust B", "Borough C", "Charity D"]
SENIORITY = ["Senior", "Other"]


@st.composite
def questions(draw):
    """A question answered by people in combinations of sector, organisation and seniority
    (some members giving a sector other than their organisation's), one or several answers
    each: three groupings, as on the results page, so that the relaxation is often not whole."""
    n_columns = draw(st.integers(2, 4))
    columns = [f"Answer {j}" for j in range(n_columns)]
    several = draw(st.booleans())
    combos = draw(
        st.dictionaries(
            st.tuples(
                st.sampled_from(SECTORS),
                st.sampled_from(ORGANISATIONS),
                st.sampled_from(SENIORITY),
            ),
            st.integers(1, 7),
            min_size=1,
            max_size=10,
        )
    )
    people, ticks = {}, {}
    for combo, n in sorted(combos.items()):
        people[combo] = n
        for _ in range(n):
            if several:
                chosen = draw(st.sets(st.sampled_from(columns), min_size=1))
            else:
                chosen = {draw(st.sampled_from(columns))}
            for column in chosen:
                ticks[(combo, column)] = ticks.get((combo, column), 0) + 1
    weights = None
    if not several and draw(st.booleans()):
        weights = {column: j + 1 for j, column in enumerate(columns)}
    return {
        "columns": columns,
        "people": people,
        "ticks": ticks,
        "several": several,
        "weights": weights,
        "threshold": draw(st.integers(3, 5)),
    }


def _decided(module, question):
    groupings = [
        module.Grouping(
            key,
            {combo: combo[d] for combo in question["people"]},
            sorted({combo[d] for combo in question["people"]}),
        )
        for d, key in enumerate(("sector", "organisation", "seniority"))
    ]
    decided = dataclasses.asdict(
        module.disclose(
            **question,
            groupings=groupings,
            known_people=dict(question["people"]),
            known_of=lambda combo: combo,
        )
    )
    # How many programmes were solved is the work done, not a decision: fewer is the point.
    decided.pop("solves", None)
    return decided


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions())
@example(
    {
        "columns": ["Answer 0", "Answer 1", "Answer 2"],
        "people": {
            ("Council", "Borough C", "Other"): 6,
            ("NHS", "Trust A", "Senior"): 2,
            ("NHS", "Trust B", "Other"): 5,
            ("Voluntary", "Trust B", "Senior"): 1,
        },
        "ticks": {
            (("Council", "Borough C", "Other"), "Answer 0"): 3,
            (("Council", "Borough C", "Other"), "Answer 1"): 2,
            (("Council", "Borough C", "Other"), "Answer 2"): 1,
            (("NHS", "Trust A", "Senior"), "Answer 1"): 2,
            (("NHS", "Trust B", "Other"), "Answer 0"): 4,
            (("NHS", "Trust B", "Other"), "Answer 2"): 1,
            (("Voluntary", "Trust B", "Senior"), "Answer 1"): 1,
        },
        "several": False,
        "weights": None,
        "threshold": 5,
    }
)
def test_the_audit_shows_and_hides_exactly_what_it_did_before(question):
    assert _decided(disclosure, question) == _decided(disclosure_before, question)
