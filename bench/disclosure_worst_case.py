"""How long the disclosure audit takes for one question at national scale, without a database.

    python -m bench.disclosure_worst_case [--people 400] [--organisations 30] [--seed 1]

A national CoP-wide survey: organisations spread over the five sectors, a few members each
recording a sector other than their organisation's, a 0–10 score question (11 answers, the
widest) and a several-choice question, answered by `--people` people with uneven group sizes
(many organisations of one to four people, a few large ones) and some skipping. Prints the
seconds each question's protection took, and how many figures it hid. Pure Python and SciPy:
nothing here touches the portal's data."""

import argparse
import random
import time

from cop_portal.web.disclosure import Grouping, disclose

SECTORS = ["nhs", "local_authority", "voluntary", "academic", "other"]


def population(*, people: int, organisations: int, seed: int):
    rng = random.Random(seed)  # noqa: S311 - a repeatable made-up population, not a secret
    home = {o: SECTORS[o % len(SECTORS)] for o in range(organisations)}
    # Uneven sizes: a long tail of small organisations and a few large ones.
    weights = [1 / (o + 1) for o in range(organisations)]
    members = []
    for _ in range(people):
        org = rng.choices(range(organisations), weights)[0]
        sector = home[org] if rng.random() > 0.05 else rng.choice(SECTORS)
        members.append((sector, f"Organisation {org}"))
    return rng, members


def question(rng, members, *, columns, several):
    people, ticks = {}, {}
    for combo in members:
        if rng.random() < 0.1:
            continue  # skipped
        people[combo] = people.get(combo, 0) + 1
        chosen = (
            [c for c in columns if rng.random() < 0.4] or [columns[0]]
            if several
            else [rng.choices(columns, [1 + (i % 4) for i in range(len(columns))])[0]]
        )
        for column in chosen:
            ticks[(combo, column)] = ticks.get((combo, column), 0) + 1
    return people, ticks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--organisations", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng, members = population(people=args.people, organisations=args.organisations, seed=args.seed)
    known = {}
    for combo in members:
        known[combo] = known.get(combo, 0) + 1
    for name, columns, several in (
        ("score 0-10", [str(v) for v in range(11)], False),
        ("several choices (6)", [f"Option {n}" for n in range(6)], True),
    ):
        people, ticks = question(rng, members, columns=columns, several=several)
        groupings = [
            Grouping(key, {c: c[d] for c in people}, sorted({c[d] for c in people}))
            for d, key in enumerate(("sector", "organisation"))
        ]
        started = time.perf_counter()
        found = disclose(
            columns=columns,
            people=people,
            ticks=ticks,
            groupings=groupings,
            threshold=5,
            several=several,
            known_people=known,
            known_of=lambda combo: combo,
        )
        took = time.perf_counter() - started
        hidden = sum(
            v is None
            for table in found.tables.values()
            for v in (*table.cells.values(), *table.row_totals.values())
        )
        rows = {key: len(table.rows) for key, table in found.tables.items()}
        print(f"{name}: {took:.2f} s, {hidden} hidden cells and totals, rows shown {rows}")


if __name__ == "__main__":
    main()
