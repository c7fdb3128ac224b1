"""The disclosure layer: which counts about people may be shown, for every surface that shows
them (survey results page, its chart and CSV, the dashboard's check-in tables).

The rules follow the spirit of NHS England's guidance on small numbers. k is
settings.SURVEY_SUPPRESSION_THRESHOLD.

1. Too few answers, nothing shown. A question (or table) answered by fewer than k people shows
   no counts at all: with a handful of people, even the overall split says what each of them
   answered.

2. Small groups are pooled, not listed. A group (a sector, an organisation, ...) with fewer than
   k people answering is not shown as a row of its own: its counts, zeros included, go into one
   "Other groups" row. Why: in a row of two people, "0, 0, hidden, 0" says what both of them
   answered, and hiding the zeros as well only moves the problem to the row total. If the pooled
   row is itself below k, the next smallest group joins it until it reaches k. Groups with nobody
   in them stay as rows of zeros: they describe nobody.

3. Primary suppression. Any count from 1 to k − 1 that would be shown (a cell, a group's total,
   an answer's total across everyone, promoters or detractors) is hidden, because it could point
   to the few people behind it.

4. Complementary suppression, checked by an exact audit. Hidden counts can often be worked out
   from what is shown: a row total minus the shown cells, the overall count on the results page
   minus the breakdown's column, the sector table set against the organisation table (an
   organisation belongs to one sector). So for every hidden figure we solve the attacker's own
   problem: over the non-negative whole-number counts of the finest cells (one per combination
   of every grouping, such as sector x organisation, and answer), constrained by EVERY figure the
   viewer can see about the question on any surface at once, what are its lowest and highest
   possible values? A hidden figure is protected when those differ; a hidden count from 1 to
   k − 1 must also be able to be 0, so nobody can prove that anyone in that group gave that
   answer. The same holds for counts that are never published but that an attacker can name:
   each group pooled into "Other groups", and each small combination the member directory
   reveals (the one member of an NHS trust who gave their sector as voluntary) must be able
   to have given none of each answer. The attacker is assumed to know how many people in each
   such combination responded (everyone in it may have).

   While some hidden figure is unprotected, one more figure is hidden and the audit is
   repeated. The figure is a shown one in the same row or column as the weak one (in any
   table), the smallest first, zeros included, ties broken by position so the result is the
   same every time: the first whose hiding loosens what the attacker knows of the weak one, or
   if none does on its own, the smallest non-zero one. Hiding a figure only widens the
   attacker's choices, so a figure once protected stays protected and is not solved again.
   The number who answered is always shown (the page states it), and so are counts of people
   that follow from it and the directory alone: hiding those would protect nothing. After
   MAX_COMPLEMENTARY extra figures the whole table is hidden but for those.

   Several-choice questions: a person may tick several answers, so a group's count for each
   answer is at most the number of people in the group, and together they are at least that
   number (everyone who answered ticked something); they do not add up to it.

5. Derived figures. A scale question's mean is shown, on the results page and on the dashboard
   alike, when no answer's count across everyone is from 1 to k − 1; the mean times the number
   who answered is the sum of the answers, so that sum is one more equation the audit gives the
   attacker before hiding anything (else a dashboard mean beside hidden counts would pin them).
   The median is shown only when every count of the overall split is shown; the net promoter
   score only when the numbers of promoters and detractors are both shown.

Free text is outside this module: it is shown only when a survey has at least k responses.

People allowed to see unsuppressed results see `unsuppressed` tables instead (and each such view
is recorded in the audit trail by the view that shows it).

Speed: tables are small (about 30 groups by at most 11 answers at national scale), but a
question broken down three ways has some 130 combinations and 800 variables, and the audit asks
a few hundred questions of it. Each is "can this sum go below (or above) this value?", never
"what is its exact lowest value?" unless the answer is needed as a range to compare with. The
linear relaxation is solved first: its optimum bounds the whole-number one, so when it does not
pass the value the answer is no, and when its solution is whole that solution answers yes.
It is solved by the interior point method and moved to a vertex, whose solution is whole far
more often than the simplex method's. When it is not, the real solution past the value that
moves fewest counts from the last whole-number one found is tried: it is nearly always whole,
and costs a fraction of an integer programme. Only when that is not whole either is the integer
programme run, and then only to find one whole-number solution past the value (checked here,
as every solution is, so a presolve mistake cannot say yes wrongly; a no is asked again without
presolve). A weak figure that is not small is pinned to its true value, so its range is
known without solving. Every whole-number solution found is kept, and settles other figures
without solving again; before checking the hidden figures one by one, a few programmes push
all of them at once towards 0 (or away from their values), and each whole-number solution they
give settles many. A count of people that the number who answered and the directory pin
between them is known to be public without solving. The partner for a weak figure is found by
halving the list of candidates (hiding a run of them together loosens nothing exactly when no
one of them does). tests/web/test_disclosure_solver.py holds the decisions to those of the
engine before these shortcuts.

At a larger scale (hundreds of organisations) one question's audit can still take minutes,
which is why a large survey's results are prepared by a worker (surveys.caching), and after
MAX_SOLVES programmes the audit stops: the grouping with the most groups is withheld whole and
the rest is checked again without it (only ever hiding more, never showing what was not
checked). bench/disclosure_worst_case.py measures a national worst case:
400 people, 30 organisations, five sectors, an 11-point question."""

import calendar
import datetime
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array, hstack, vstack

HIDDEN = None
OTHER_GROUPS = "Other groups"
# Extra figures hidden for one question before giving up and hiding its whole table.
MAX_COMPLEMENTARY = 80
# Programmes solved for one question's audit before it stops and hides more instead (see
# `disclose`): the audit's time grows with the number of groups, and a request, or a worker,
# must not wait on it for ever.
MAX_SOLVES = 1000
# The key of the single grouping behind `suppress`.
ROWS = "rows"

# Positions shared by every table of a question: the overall split is the "row" of totals.
_TOTAL = object()


@dataclass
class Table:
    """Counts by group (rows) and answer (columns), ready to show: a hidden count is None.

    `cells` and `row_totals` also hold, as hidden, the groups pooled into "Other groups", so a
    caller that looks one up by name learns only that it is hidden."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], int | None]
    row_totals: dict[str, int | None]
    column_totals: dict[str, int | None]
    total: int | None
    suppressed: bool = False
    notes: list[str] = field(default_factory=list)

    def row(self, name):
        return [self.cells[(name, column)] for column in self.columns]


@dataclass(frozen=True)
class Grouping:
    """One way of breaking answers down. `group_of` maps each finest combination (a tuple with
    one value per grouping) to its group's name here; `order` is the order rows are listed in."""

    key: str
    group_of: Mapping[tuple, str]
    order: Sequence[str]


@dataclass
class Disclosed:
    """What may be shown about one question: `overall` is the split across everyone (None where
    hidden), `subtotals` named sums of answers (promoters, detractors), `tables` one per
    grouping. `too_few` when fewer than k people answered and nothing is shown."""

    answered: int
    overall: dict[str, int | None]
    subtotals: dict[str, int | None]
    tables: dict[str, Table]
    too_few: bool = False
    # Whether a scale question's mean may be shown (rule 5): its sum was audited as published.
    mean_shown: bool = False
    # Programmes the audit solved (for the benchmark: bench/survey_results.py).
    solves: int = 0

    @property
    def complete(self) -> bool:
        """Whether every count of the overall split is shown (so a mean may be)."""
        return not self.too_few and all(n is not None for n in self.overall.values())


def mean_shown(counts: Iterable[int], threshold: int) -> bool:
    """Whether a scale question's mean may be shown to protected viewers: no answer's count
    across everyone from 1 to k − 1 (rule 5). The results page and the dashboard both ask."""
    return not any(0 < n < threshold for n in counts)


def too_few_note(threshold: int) -> str:
    return (
        f"Fewer than {threshold} people answered this question, so its answers are not shown: "
        "with so few, they could identify the people who gave them."
    )


def _hidden_note(threshold: int) -> str:
    return (
        f"Counts from 1 to {threshold - 1} are hidden so that nobody can be identified, along "
        "with any others that would let a hidden count be worked out from the figures shown "
        "here or anywhere else in these results."
    )


def _pooled_note(threshold: int, other: str) -> str:
    return (
        f"Groups with fewer than {threshold} people are counted together as “{other}”, "
        f"joined by the next smallest group where that is needed to reach {threshold}."
    )


# The audit ------------------------------------------------------------------------------------


class _OverBudget(Exception):
    """The audit solved MAX_SOLVES programmes without finishing."""


class _Audit:
    """The attacker's programme for one question: variables are the counts of the finest cells
    (combination x answer) and the number of people in each combination; figures are the sums
    of variables that may be published."""

    def __init__(self, *, n_combos, n_columns, several, bound, capacities=(), known=()):
        self.n_combos, self.n_columns = n_combos, n_columns
        self.n_vars = n_combos * n_columns + n_combos
        self.bound = bound
        self.solves = 0
        self.figures: list[frozenset] = []
        self.lines: list[set] = []
        self.values: list[int] = []
        self._index: dict[frozenset, int] = {}
        # Counts never published but which must not be forced above 0: a small group's
        # answers (variables, true value, lines it sits on).
        self.secrets: list[tuple[frozenset, int, set]] = []
        # How people and ticks are tied together in each combination.
        eq_rows, ub_rows = [], []
        for i in range(n_combos):
            ticks = {self.x(i, j): 1.0 for j in range(n_columns)}
            if several:
                # Each answer ticked by at most everyone; each person ticked at least one.
                ub_rows += [{self.x(i, j): 1.0, self.n(i): -1.0} for j in range(n_columns)]
                ub_rows.append({**{k: -v for k, v in ticks.items()}, self.n(i): 1.0})
            else:
                eq_rows.append({**ticks, self.n(i): -1.0})
        # What the attacker may know from outside: at most so many people in these
        # combinations answered (the people in the directory who responded).
        self._capacity = [limit for _, limit in capacities]
        self._groups = [(frozenset(inside), limit) for inside, limit in capacities]
        ub_rows += [{self.n(i): 1.0 for i in inside} for inside, _ in capacities]
        # Weighted sums the attacker is told outright (the sum of a scale question's answers,
        # which its mean and the number who answered give away): equations they always have.
        eq_rows += [coefficients for coefficients, _ in known]
        self._eq_values = np.array([0.0] * (len(eq_rows) - len(known)) + [v for _, v in known])
        self._eq = self._matrix(eq_rows)
        self._ub = self._matrix(ub_rows)
        self._b_ub = np.concatenate([np.zeros(len(ub_rows) - len(capacities)), self._capacity])

    def _linprog(self, *args, **kwargs):
        """SciPy's linprog, counted against MAX_SOLVES."""
        self.solves += 1
        if self.solves > MAX_SOLVES:
            raise _OverBudget
        return linprog(*args, **kwargs)

    def _relaxation(self, objective, problem):
        """The linear relaxation, solved by HiGHS's interior point method, then moved to a
        vertex (crossover). Its optimum is the simplex method's, but its vertex is whole far
        more often on these programmes (58 of 60 at a survey of 3,871 responses, against 8
        of 60), so the whole-number step is seldom needed; and it is a vertex near the middle
        of the optimal face, which moves many counts at once and so settles more figures
        without programmes of their own. Should it not reach an optimum, the simplex method
        is asked instead."""
        found = self._linprog(objective, **problem, method="highs-ipm")
        if found.status != 0:
            found = self._linprog(objective, **problem, method="highs")
        return found

    def x(self, combo: int, column: int) -> int:
        return combo * self.n_columns + column

    def n(self, combo: int) -> int:
        return self.n_combos * self.n_columns + combo

    def _matrix(self, rows):
        data, indices, indptr = [], [], [0]
        for row in rows:
            for k, v in sorted(row.items()):
                indices.append(k)
                data.append(v)
            indptr.append(len(indices))
        return csr_array((data, indices, indptr), shape=(len(rows), self.n_vars))

    def figure(self, variables: Iterable[int], value: int, lines) -> int:
        """The index of the figure summing these variables; the same sum published in two
        places (a sector with one organisation, a column total and the overall count) is one
        figure, hidden or shown everywhere at once."""
        key = frozenset(variables)
        if key not in self._index:
            self._index[key] = len(self.figures)
            self.figures.append(key)
            self.lines.append(set())
            self.values.append(value)
        index = self._index[key]
        self.lines[index].update(lines)
        return index

    def secret(self, variables: Iterable[int], value: int, lines) -> None:
        if value > 0:  # a zero cannot be forced above itself
            self.secrets.append((frozenset(variables), value, set(lines)))

    def protect(self, threshold: int, keep: int, truth) -> set[int]:
        """The figures to hide: primary, then complementary until the audit passes. `keep` is
        the number who answered, which is always shown (the page states it for every
        question), so it is never hidden and always known to the attacker."""
        self._matrix_of_figures = self._matrix([dict.fromkeys(f, 1.0) for f in self.figures])
        self.keep, self.threshold = keep, threshold
        # Whole-number solutions of the attacker's equations found so far, one per column.
        self._solutions = np.asarray(truth, dtype=int).reshape(-1, 1)
        self.public = self._public()
        hidden = {f for f, v in enumerate(self.values) if 0 < v < threshold} - self.public
        protected: set = set()
        for _ in range(MAX_COMPLEMENTARY):
            weak = self._first_weak(hidden, protected)
            if weak is None:
                return hidden
            partner = self._partner(weak, hidden)
            if partner is None:
                break
            hidden.add(partner)
        return set(range(len(self.figures))) - self.public

    def _public(self) -> set[int]:
        """Figures anyone can work out without these results: the number who answered, and
        numbers of people pinned by it and by what the directory says (when everyone in an
        organisation answered, its total is no secret). Hiding them protects nothing."""
        public = {self.keep}
        system = self._system(set(range(len(self.figures))) - public)
        first_tick_free = self.n_combos * self.n_columns
        # Solutions of this looser system, to settle most figures without solving for them.
        found = self._solutions
        for f, variables in enumerate(self.figures):
            if f in public or min(variables) < first_tick_free:
                continue  # only counts of people can be pinned by the directory
            if len(set(found[list(variables)].sum(axis=0))) > 1:
                continue
            if self._pinned_by_directory(variables, self.values[f]):
                public.add(f)
                continue
            # The true value lies between the lowest and highest, so they are equal exactly
            # when neither goes past it.
            pinned = True
            for sign in (1, -1):
                kept = []
                if self._beyond(variables, system, sign=sign, limit=self.values[f], kept=kept):
                    pinned = False
                for x in kept:
                    found = np.column_stack([found, x])
                if not pinned:
                    break
            if pinned:
                public.add(f)
        return public

    def _pinned_by_directory(self, variables, value) -> bool:
        """Whether a count of people is pinned without solving: at most the directory's numbers
        for the combinations it touches, and at least the number who answered less the
        directory's numbers for the combinations outside it. Both bounds hold whatever else
        the attacker knows, so when both equal the count it is pinned."""
        if not self._groups:
            return False
        first = self.n_combos * self.n_columns
        inside = {v - first for v in variables}
        high = outside = 0
        for combos, limit in self._groups:
            if combos & inside:
                high += limit
            if combos - inside:
                outside += limit
        return high <= value <= self.values[self.keep] - outside

    def _witnesses(self, hidden, protected, system) -> None:
        """Whole-number solutions that settle many hidden figures at once, kept as `_solve`
        keeps one: the attacker's programme with every unsettled small figure (and small
        group's answer) pushed towards 0 together, and every other unsettled hidden figure
        pushed up. Each settles, without a programme of its own, every figure it shows can be
        0 (or other than its true value). A figure none settles is solved for as before, so
        what is decided does not change, only how quickly."""
        small, other = [], []
        for f in hidden - protected:
            if 0 < self.values[f] < self.threshold:
                small.append(self.figures[f])
            else:
                other.append((self.figures[f], self.values[f]))
        small += [v for s, (v, _, _) in enumerate(self.secrets) if ("secret", s) not in protected]

        def unsettled_small():
            return [v for v in small if not (self._seen(v) == 0).any()]

        def unsettled_other():
            return [v for v, value in other if not (self._seen(v) != value).any()]

        for pending_of, sign in ((unsettled_small, 1), (unsettled_other, -1)):
            for _ in range(3):
                pending = pending_of()
                if len(pending) < 2:
                    break
                objective = np.zeros(self.n_vars)
                for variables in pending:
                    objective[list(variables)] += sign
                _, problem = self._problem((), *system, 1)
                found = self._relaxation(objective, problem)
                if found.status != 0 or not np.allclose(found.x, np.round(found.x), atol=1e-7):
                    break
                x = np.round(found.x).astype(int)
                if not self._fits(x, system):
                    break
                self._solutions = np.column_stack([self._solutions, x])
                if len(pending_of()) == len(pending):
                    break

    def _system(self, hidden):
        """The equations the attacker has: how combinations add up, and every shown figure."""
        shown = [f for f in range(len(self.figures)) if f not in hidden]
        a_eq = vstack([self._eq, self._matrix_of_figures[shown]]).tocsr()
        b_eq = np.concatenate([self._eq_values, [self.values[f] for f in shown]])
        return a_eq, b_eq

    def _first_weak(self, hidden, protected):
        """The first hidden figure or small group's answer the attacker can pin or force. What
        was protected stays protected (hiding more only widens the attacker's choices), so it
        is not solved again."""
        system = self._system(hidden)
        self._witnesses(hidden, protected, system)
        for f in sorted(hidden - protected):
            if not self._is_protected(f, system):
                return f
            protected.add(f)
        for s, (variables, _, _) in enumerate(self.secrets):
            if ("secret", s) in protected:
                continue
            seen = (self._seen(variables) == 0).any()
            if not seen and not self._beyond(variables, system, sign=1, limit=1, keep=True):
                return ("secret", s)
            protected.add(("secret", s))
        return None

    def _is_protected(self, f, system) -> bool:
        value, variables = self.values[f], self.figures[f]
        small = 0 < value < self.threshold
        # Any whole-number solution already found shows what the attacker cannot rule out.
        seen = self._seen(variables)
        if (seen == 0).any() if small else (seen != value).any():
            return True
        if small:
            return self._beyond(variables, system, sign=1, limit=1, keep=True)
        if value > 0 and self._beyond(variables, system, sign=1, limit=value, keep=True):
            return True
        return self._beyond(variables, system, sign=-1, limit=value, keep=True)

    def _seen(self, variables):
        """The values these variables add up to in each solution found so far."""
        return self._solutions[list(variables)].sum(axis=0)

    def _range(self, weak, system):
        """What the attacker can say about a weak figure: its lowest and highest values (just
        the lowest for a small group's answer)."""
        if isinstance(weak, tuple):
            return (self._solve(self.secrets[weak[1]][0], *system, sign=1),)
        variables = self.figures[weak]
        return tuple(self._solve(variables, *system, sign=sign) for sign in (1, -1))

    def _loosens(self, weak, before, system) -> bool:
        """Whether the attacker's range for a weak figure under `system` (which hides more)
        is wider than `before`: hiding more can only widen it, so only whether either end goes
        past its old value is asked, and the lowest first."""
        variables = self.secrets[weak[1]][0] if isinstance(weak, tuple) else self.figures[weak]
        return any(
            self._beyond(variables, system, sign=sign, limit=end)
            for sign, end in zip((1, -1), before, strict=False)
        )

    def _partner(self, weak, hidden):
        """The next figure to hide for a weak one, among shown figures in the same row or column
        (any table), smallest first: the first whose hiding loosens what the attacker knows of
        the weak one; if none does on its own, the smallest non-zero one (a zero on its own
        is pinned by its neighbours); failing those, the smallest shown figure anywhere."""
        shown = [f for f in range(len(self.figures)) if f not in hidden and f not in self.public]
        lines = self.secrets[weak[1]][2] if isinstance(weak, tuple) else self.lines[weak]
        near = sorted(
            (f for f in shown if self.lines[f] & lines), key=lambda f: (self.values[f], f)
        )
        if isinstance(weak, int) and not 0 < self.values[weak] < self.threshold:
            # A weak figure that is not small is pinned to its true value.
            before = (self.values[weak], self.values[weak])
        else:
            before = self._range(weak, self._system(hidden))
        found = self._first_loosening(weak, before, hidden, near)
        if found is not None:
            return found
        for candidates in ([f for f in near if self.values[f] > 0], near):
            if candidates:
                return candidates[0]
        return min(shown, key=lambda f: (self.values[f], f), default=None)

    def _first_loosening(self, weak, before, hidden, near):
        """The first of `near` whose hiding alone loosens what the attacker knows of the weak
        figure, or None. Hiding more only widens the attacker's range, so when a run of them
        hidden together loosens nothing, no one of them does: the shortest run from the start
        that loosens is found by halving, and only its last is tried alone, then the search
        goes on after it. The answer is the one trying each in turn would give."""
        start = 0
        while start < len(near):
            if not self._loosens(weak, before, self._system(hidden | set(near[start:]))):
                return None
            low, high = start, len(near) - 1
            while low < high:
                middle = (low + high) // 2
                if self._loosens(
                    weak, before, self._system(hidden | set(near[start : middle + 1]))
                ):
                    high = middle
                else:
                    low = middle + 1
            # near[start:high] together loosen nothing; with near[high] they do.
            if high == start or self._loosens(weak, before, self._system(hidden | {near[high]})):
                return near[high]
            start = high + 1
        return None

    def _problem(self, variables, a_eq, b_eq, sign):
        objective = np.zeros(self.n_vars)
        objective[list(variables)] = sign
        has_ub = self._ub.shape[0] > 0
        return objective, {
            "A_ub": self._ub if has_ub else None,
            "b_ub": self._b_ub if has_ub else None,
            "A_eq": a_eq,
            "b_eq": b_eq,
            # Every count is at most the number who answered: a bound the attacker may not
            # have, which only makes the audit stricter.
            "bounds": (0, self.bound),
        }

    def _solve(self, variables, a_eq, b_eq, *, sign, keep_solution=False, solution=False):
        """The lowest (sign 1) or highest (sign −1) whole-number value of a sum of variables
        under these equations. The linear relaxation is solved first: when its optimum is
        whole (nearly always here) it is the answer; otherwise a whole solution reaching its
        optimum rounded is looked for nearby (`_whole_nearby`), and failing that the integer
        programme is solved.
        With `keep_solution` (the equations are those of the current shown set) the solution
        is kept: it stays valid as more is hidden, and may settle other figures unsolved."""
        objective, problem = self._problem(variables, a_eq, b_eq, sign)
        relaxed = self._relaxation(objective, problem)
        return self._whole(objective, problem, relaxed, sign, keep_solution, solution)

    def _whole(self, objective, problem, result, sign, keep_solution, solution):
        """The whole-number optimum, from the linear relaxation's `result` when that is whole,
        else from the integer programme."""
        a_eq, b_eq = problem["A_eq"], problem["b_eq"]
        has_ub = problem["A_ub"] is not None
        x = None
        if result.status == 0 and not np.allclose(result.x, np.round(result.x), atol=1e-7):
            # No whole-number value beats the relaxation's optimum rounded up, so a whole
            # solution reaching it is optimal.
            best = math.ceil(result.fun - 1e-6)
            x = self._whole_nearby(objective, problem, best)
            if x is not None:
                value = sign * best
            else:
                # HiGHS's integer presolve can call a feasible programme infeasible (HiGHS
                # issues 2303, 2432, 3090, 3296; seen in the attack tests): these programmes
                # are small, so it is turned off.
                result = self._linprog(
                    objective,
                    **problem,
                    integrality=np.ones(self.n_vars),
                    options={"presolve": False},
                    method="highs",
                )
        if x is None:
            if result.status != 0:  # the true counts are always a solution
                raise RuntimeError(f"disclosure audit failed: {result.message}")
            value = round(sign * result.fun)
            x = np.round(result.x).astype(int)
        fits = np.array_equal(a_eq @ x, np.round(b_eq)) and (
            not has_ub or (self._ub @ x <= self._b_ub + 1e-9).all()
        )
        if keep_solution and fits:
            self._solutions = np.column_stack([self._solutions, x])
        if solution:
            return value, x if fits else None
        return value

    def _whole_nearby(self, objective, problem, at_most):
        """A whole-number solution with objective @ x <= at_most, or None: the real one
        closest to the last whole-number solution found (fewest counts moved, summed), when
        it happens to be whole, which it nearly always is (a few people swapped round a cycle
        of cells). One linear programme costs a fraction of the integer one it spares; when it
        is not whole, the integer programme is asked as before. Either way the solution is
        checked here, so what is decided does not change. Starting from the last solution
        rather than the true counts moves further from them each time, and so settles more
        figures unsolved.

        With x = start + up − down (both non-negative, x within its bounds), it minimises the
        sum of up and down under the same equations and inequalities and the extra row."""
        start = np.clip(self._solutions[:, -1], 0, self.bound)
        a_eq, b_eq, a_ub = problem["A_eq"], problem["b_eq"], problem["A_ub"]
        row = csr_array(objective.reshape(1, -1))
        a_ub = row if a_ub is None else vstack([a_ub, row]).tocsr()
        b_ub = np.append([] if problem["A_ub"] is None else problem["b_ub"], at_most)
        moved = self._linprog(
            np.ones(2 * self.n_vars),
            A_ub=hstack([a_ub, -a_ub]).tocsr(),
            b_ub=b_ub - a_ub @ start,
            A_eq=hstack([a_eq, -a_eq]).tocsr(),
            b_eq=b_eq - a_eq @ start,
            bounds=np.column_stack(
                [np.zeros(2 * self.n_vars), np.concatenate([self.bound - start, start])]
            ),
            method="highs",
        )
        if moved.status != 0:
            return None
        x = start + moved.x[: self.n_vars] - moved.x[self.n_vars :]
        if not np.allclose(x, np.round(x), atol=1e-7):
            return None
        x = np.round(x).astype(int)
        if not (
            x.min() >= 0
            and x.max() <= self.bound
            and self._fits(x, (a_eq, b_eq))
            and objective @ x <= at_most + 1e-9
        ):
            return None
        return x

    def _fits(self, x, system) -> bool:
        """Whether whole numbers `x` satisfy the attacker's equations and inequalities."""
        a_eq, b_eq = system
        return np.array_equal(a_eq @ x, np.round(b_eq)) and (
            self._ub.shape[0] == 0 or (self._ub @ x <= self._b_ub + 1e-9).all()
        )

    def _beyond(self, variables, system, *, sign, limit, keep=False, kept=None) -> bool:
        """Whether the lowest whole-number value of a sum of variables is below `limit` (sign
        1), or the highest above it (sign −1): the question every check of the audit asks.

        The linear relaxation is solved first. Its optimum bounds the whole-number one (no
        whole-number solution does better than every real one), so when that bound does not
        pass `limit` the answer is no; when its solution is whole, that solution is the
        whole-number optimum. Otherwise a whole solution past `limit` is looked for near the
        last one found (`_whole_nearby`), and failing that the integer programme is asked only
        whether some whole-number solution passes `limit`, which it answers at the first one
        it finds instead of searching on for the best. A whole-number solution found is kept
        (`keep`) as `_solve` keeps one, or collected in `kept`."""
        objective, problem = self._problem(variables, *system, sign)
        relaxed = self._relaxation(objective, problem)
        if relaxed.status != 0:  # the true counts are always a solution
            raise RuntimeError(f"disclosure audit failed: {relaxed.message}")
        # The relaxation's optimum rounded towards the limit, allowing for HiGHS's tolerances
        # (1e-7, on counts of at most a few thousand).
        if sign == 1:
            passes = math.ceil(relaxed.fun - 1e-6) < limit
        else:
            passes = math.floor(-relaxed.fun + 1e-6) > limit
        if not passes:
            return False
        if np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
            x = relaxed.x
        else:
            x = self._whole_nearby(objective, problem, sign * limit - 1)
        if x is None:
            # Some whole-number solution with sign × sum ≤ sign × limit − 1? HiGHS's presolve
            # is fast but can call a feasible programme infeasible (see `_solve`), so a
            # solution it finds is checked here, and "none" is asked again without it.
            a_ub = problem["A_ub"]
            row = csr_array(objective.reshape(1, -1))
            question = {
                "A_ub": row if a_ub is None else vstack([a_ub, row]).tocsr(),
                "b_ub": np.append([] if a_ub is None else problem["b_ub"], sign * limit - 1),
                "A_eq": problem["A_eq"],
                "b_eq": problem["b_eq"],
                "bounds": problem["bounds"],
                "method": "highs",
                "integrality": np.ones(self.n_vars),
            }
            found = self._linprog(np.zeros(self.n_vars), **question)
            if found.status == 0:
                x = np.round(found.x).astype(int)
                # The objective carries the sign: this asks sign × sum ≤ sign × limit − 1.
                if not (self._fits(x, system) and objective @ x <= sign * limit - 1 + 1e-9):
                    found = self._linprog(
                        np.zeros(self.n_vars), **question, options={"presolve": False}
                    )
            elif found.status == 2:
                found = self._linprog(
                    np.zeros(self.n_vars), **question, options={"presolve": False}
                )
            if found.status == 2:  # infeasible: no whole-number solution passes
                return False
            if found.status != 0:
                raise RuntimeError(f"disclosure audit failed: {found.message}")
            x = found.x
        x = np.round(x).astype(int)
        fits = self._fits(x, system)
        if fits and keep:
            self._solutions = np.column_stack([self._solutions, x])
        if fits and kept is not None:
            kept.append(x)
        return True


# The one entry point for grouped counts ---------------------------------------------------


def disclose(
    *,
    columns: Sequence[str],
    people: Mapping[tuple, int],
    ticks: Mapping[tuple[tuple, str], int],
    groupings: Sequence[Grouping],
    threshold: int,
    several: bool = False,
    subtotals: Mapping[str, Sequence[str]] | None = None,
    weights: Mapping[str, float] | None = None,
    other_label: str = OTHER_GROUPS,
    known_people: Mapping[Hashable, int] | None = None,
    known_of: Callable[[tuple], Hashable] | None = None,
) -> Disclosed:
    """Everything that may be shown about one question, protected jointly across its overall
    split and its tables by every grouping.

    `people` is how many answered in each finest combination (a tuple with one value per
    grouping, in the order of `groupings`); `ticks` the count of each (combination, column).
    For a one-answer question a combination's ticks add up to its people; with `several`
    they need not. `subtotals` are published sums of columns (promoters: "9" and "10").
    `weights` are a scale question's points by column: when no answer's count across everyone
    is from 1 to k − 1 its mean is shown (here and on the dashboard), so the weighted sum it
    gives away is an equation the audit starts from.

    `known_people` are further published (or guessable) constraints: at most so many people
    answered in the combinations that `known_of` maps to each key. The survey passes how many
    responded in each sector and organisation, which anyone who can read the directory may
    well know when everyone was invited and most answered."""
    columns = list(columns)
    subtotals = dict(subtotals or {})
    combos = sorted(people, key=_sort_key)
    answered = sum(people.values())
    if 0 < answered < threshold:
        return _nothing_shown(columns, combos, groupings, subtotals, answered, threshold)

    capacities = []
    if known_people:
        inside: dict[Hashable, list[int]] = {}
        for i, combo in enumerate(combos):
            inside.setdefault(known_of(combo), []).append(i)
        capacities = [(found, known_people[key]) for key, found in inside.items()]
    column_counts = {c: sum(n for (_, column), n in ticks.items() if column == c) for c in columns}
    with_mean = bool(weights) and mean_shown(column_counts.values(), threshold)
    known = []
    if with_mean:
        coefficients = {
            i * len(columns) + j: float(weights[column])
            for i in range(len(combos))
            for j, column in enumerate(columns)
            if weights[column]
        }
        value = sum(weights[c] * column_counts[c] for c in columns)
        known.append((coefficients, value))
    audit = _Audit(
        n_combos=len(combos),
        n_columns=len(columns),
        several=several,
        bound=answered,
        capacities=capacities,
        known=known,
    )
    truth = np.zeros(audit.n_vars, dtype=int)
    for i, combo in enumerate(combos):
        truth[audit.n(i)] = people[combo]
        for j, column in enumerate(columns):
            truth[audit.x(i, j)] = ticks.get((combo, column), 0)

    def figure(variables, lines):
        variables = list(variables)
        return audit.figure(variables, int(truth[variables].sum()), lines)

    everyone = range(len(combos))
    overall = {
        column: figure((audit.x(i, j) for i in everyone), [("overall", "row")])
        for j, column in enumerate(columns)
    }
    keep = figure((audit.n(i) for i in everyone), [("overall", "row")])
    sums = {
        name: figure(
            (audit.x(i, columns.index(c)) for i in everyone for c in members),
            [("overall", "row")],
        )
        for name, members in subtotals.items()
    }
    layouts = {}
    for grouping in groupings:
        other = other_label if other_label not in grouping.order else f"{other_label} (pooled)"
        members = _pool(grouping, combos, people, threshold, other)
        key = grouping.key
        if other in members:
            # Each group pooled away is small: nobody may be able to prove what any of its
            # people answered, even though its counts are never published.
            for group in grouping.order:
                if group in members:
                    continue
                inside = [i for i, c in enumerate(combos) if grouping.group_of[c] == group]
                for j, column in enumerate(columns):
                    variables = [audit.x(i, j) for i in inside]
                    audit.secret(
                        variables,
                        int(truth[variables].sum()),
                        [(key, "row", other), (key, "col", column)],
                    )
        cells, row_totals = {}, {}
        for row, inside in members.items():
            for j, column in enumerate(columns):
                cells[(row, column)] = figure(
                    (audit.x(i, j) for i in inside), [(key, "row", row), (key, "col", column)]
                )
            row_totals[row] = figure(
                (audit.n(i) for i in inside), [(key, "row", row), (key, "col", _TOTAL)]
            )
        column_totals = {}
        for j, column in enumerate(columns):
            column_totals[column] = figure(
                (audit.x(i, j) for i in everyone), [(key, "row", _TOTAL), (key, "col", column)]
            )
        total = figure((audit.n(i) for i in everyone), [(key, "row", _TOTAL), (key, "col", _TOTAL)])
        layouts[key] = (grouping, other, members, cells, row_totals, column_totals, total)

    if known_of is not None:
        # The small combinations someone reading the directory can name (say, the one member
        # of an NHS trust who gave their sector as voluntary): nobody may be able to prove
        # what any of them answered, though no table has them as a row. Setting the sector
        # table against the organisation table could otherwise isolate them.
        combined: dict[Hashable, list[int]] = {}
        for i, combo in enumerate(combos):
            combined.setdefault(known_of(combo), []).append(i)
        for inside in combined.values():
            if not 0 < sum(people[combos[i]] for i in inside) < threshold:
                continue
            rows = []
            for key, (grouping, other, members, *_) in layouts.items():
                row = grouping.group_of[combos[inside[0]]]
                rows.append((key, "row", row if row in members else other))
            for j, column in enumerate(columns):
                variables = [audit.x(i, j) for i in inside]
                lines = [*rows, *((key, "col", column) for key in layouts)]
                audit.secret(variables, int(truth[variables].sum()), lines)

    try:
        hidden = audit.protect(threshold, keep, truth)
    except _OverBudget:
        if not groupings:
            # Not even the overall split could be checked in time: only the number who
            # answered is shown.
            hidden = set(range(len(audit.figures))) - {keep}
        else:
            # The grouping with the most groups is what makes the audit long: it is left out
            # (shown as withheld), and the rest is checked again without its figures.
            widest = max(groupings, key=lambda g: len(g.order))
            found = disclose(
                columns=columns,
                people=people,
                ticks=ticks,
                groupings=[g for g in groupings if g is not widest],
                threshold=threshold,
                several=several,
                subtotals=subtotals,
                weights=weights,
                other_label=other_label,
                known_people=known_people,
                known_of=known_of,
            )
            found.tables[widest.key] = _withheld(widest, combos, columns, [WITHHELD_NOTE])
            found.solves += audit.solves
            found.tables = {g.key: found.tables[g.key] for g in groupings}
            return found

    def shown(f):
        return HIDDEN if f in hidden else audit.values[f]

    tables = {}
    for key, (grouping, other, members, cells, row_totals, column_totals, total) in layouts.items():
        pooled = [g for g in grouping.order if g not in members] if other in members else []
        table = Table(
            rows=list(members),
            columns=columns,
            cells={cell: shown(f) for cell, f in cells.items()},
            row_totals={row: shown(f) for row, f in row_totals.items()},
            column_totals={column: shown(f) for column, f in column_totals.items()},
            total=shown(total),
        )
        for group in pooled:
            table.row_totals[group] = HIDDEN
            table.cells.update({(group, column): HIDDEN for column in columns})
        any_hidden = any(
            f in hidden
            for f in (*cells.values(), *row_totals.values(), *column_totals.values(), total)
        )
        table.suppressed = any_hidden or bool(pooled)
        if any_hidden:
            table.notes.append(_hidden_note(threshold))
        if pooled:
            table.notes.append(_pooled_note(threshold, other))
        tables[key] = table
    return Disclosed(
        answered=answered,
        overall={column: shown(f) for column, f in overall.items()},
        subtotals={name: shown(f) for name, f in sums.items()},
        tables=tables,
        mean_shown=with_mean,
        solves=audit.solves,
    )


def _sort_key(combo):
    return tuple((value is None, str(value)) for value in combo)


def _pool(grouping, combos, people, threshold, other) -> dict[str, list[int]]:
    """The rows to show, each with the indexes of the combinations it adds up: groups of 1 to
    k − 1 people pooled into `other`, joined by the next smallest until the pool reaches k."""
    inside: dict[str, list[int]] = {group: [] for group in grouping.order}
    for i, combo in enumerate(combos):
        inside.setdefault(grouping.group_of[combo], []).append(i)
    size = {group: sum(people[combos[i]] for i in found) for group, found in inside.items()}
    position = {group: p for p, group in enumerate(inside)}
    pooled = [group for group in inside if 0 < size[group] < threshold]
    if pooled:
        rest = sorted(
            (g for g in inside if g not in pooled and size[g] > 0),
            key=lambda g: (size[g], position[g]),
        )
        while sum(size[g] for g in pooled) < threshold and rest:
            pooled.append(rest.pop(0))
    rows = {group: found for group, found in inside.items() if group not in pooled}
    if pooled:
        rows[other] = sorted(i for g in pooled for i in inside[g])
    return rows


WITHHELD_NOTE = (
    "This breakdown is not shown: it has so many groups that checking that none of its "
    "figures could identify anyone would take too long. The other figures were checked "
    "without it."
)


def _withheld(grouping, combos, columns, notes) -> Table:
    """A grouping's table with nothing in it shown: too few answered, or a breakdown the audit
    could not check in time (MAX_SOLVES)."""
    groups = list(dict.fromkeys([*grouping.order, *(grouping.group_of[c] for c in combos)]))
    return Table(
        rows=[],
        columns=columns,
        cells={(g, c): HIDDEN for g in groups for c in columns},
        row_totals=dict.fromkeys(groups, HIDDEN),
        column_totals=dict.fromkeys(columns, HIDDEN),
        total=HIDDEN,
        suppressed=True,
        notes=notes,
    )


def _nothing_shown(columns, combos, groupings, subtotals, answered, threshold) -> Disclosed:
    notes = [too_few_note(threshold)] if answered else []
    tables = {g.key: _withheld(g, combos, columns, list(notes)) for g in groupings}
    return Disclosed(
        answered=answered,
        overall=dict.fromkeys(columns, HIDDEN),
        subtotals=dict.fromkeys(subtotals, HIDDEN),
        tables=tables,
        too_few=True,
    )


# One table on its own -------------------------------------------------------------------------


def suppress(
    counts: Mapping[tuple[Hashable, str], int],
    rows,
    columns,
    *,
    threshold: int,
    other_label: str = OTHER_GROUPS,
) -> Table:
    """One table of counts (each person in one cell) with the rules above applied: small rows
    pooled, small counts hidden, and enough others that the audit finds none recoverable."""
    rows, columns = list(rows), list(columns)
    people = {(r,): sum(counts.get((r, c), 0) for c in columns) for r in rows}
    ticks = {((r,), c): n for (r, c), n in counts.items()}
    grouping = Grouping(ROWS, {(r,): r for r in rows}, rows)
    found = disclose(
        columns=columns,
        people=people,
        ticks=ticks,
        groupings=[grouping],
        threshold=threshold,
        other_label=other_label,
    )
    table = found.tables[ROWS]
    if found.too_few:
        table.notes = [
            f"Fewer than {threshold} people are counted in this table, so its counts are not "
            "shown: with so few, they could identify the people behind them."
        ]
    return table


def unsuppressed(counts: dict[tuple[str, str], int], rows, columns) -> Table:
    """The same table with nothing hidden, for people with the dedicated permission."""
    rows, columns = list(rows), list(columns)
    cells = {(r, c): counts.get((r, c), 0) for r in rows for c in columns}
    return Table(
        rows=rows,
        columns=columns,
        cells=cells,
        row_totals={r: sum(cells[(r, c)] for c in columns) for r in rows},
        column_totals={c: sum(cells[(r, c)] for r in rows) for c in columns},
        total=sum(cells.values()),
    )


# Figures for protected viewers: the dashboard, its CSV, the engagement report -----------------
#
# Everything above this line is the suppression engine for tables; what follows are the rules
# for the organisers' engagement and impact figures, kept apart so each can change on its own.
#
# Which figures are sensitive. Anything derived from survey answers, learning-journey check-ins,
# caucus membership, or attendance at caucus sessions (which would say who chose a caucus, and
# so their racial identity: special category data). Attendance at open sessions and
# organisations' member counts are not: organisers keep those registers anyway, so hiding them
# would protect nobody and would spoil the evaluation's figures.
#
# Who is protected. Everyone without surveys.view_unsuppressed_results: the steering group,
# organisers, and `manage.py engagement_report` (which anyone with a shell can run, so it is
# always protected). They all get the same figures, so no role can learn more by comparing.
#
# The rules, and why:
# 1. Periods are widened to whole calendar months. With any start and end day, two periods a
#    day apart differ by the people of one day: one session, one check-in, one answer.
# 2. Caucus sessions are never counted session by session, nor in any attendance figure, for
#    anyone without events.view_caucus_choice; one line says how many took place, and never how
#    many came. Anyone with a caucus session's date could otherwise count the people who chose
#    that caucus, and a total per period is a total per session once two periods a month apart
#    are set side by side, whatever is hidden when small.
# 3. A survey question answered by fewer than k people adds nothing to any figure (agreement
#    over time, value-creation cycles). The results page hides such a survey; without this rule
#    its single answer would show on the dashboard, or come out as the difference between a
#    period that includes it and one that does not. Counting whole questions of at least k
#    answers means any difference between two periods is itself at least k answers.
# 4. Check-in tables go through `suppress()`. The first-stage by latest-stage table carries a
#    row for members with a single check-in, so its column totals *are* the members at each
#    latest stage: both tables are one publication with one set of margins, and nothing links
#    them that the engine does not see.
# 5. Counts of people invited to, or answering, a survey whose audience comes from a caucus (a
#    caucus survey, or a survey after a caucus session) are the size of a caucus, or of its
#    session: from 1 to k − 1 they are hidden, and so is the response rate made from them.
# 6. Holders of surveys.view_unsuppressed_results see everything, and every look is audited.


SMALL_COUNT_NOTE = (
    "Counts from 1 to {last} are hidden so that nobody in a small group can be identified."
)
MONTHS_NOTE = (
    "Dates are widened to whole calendar months, so that comparing two periods a few days "
    "apart cannot single anyone out."
)


def month_start(day: datetime.date | None) -> datetime.date | None:
    """The first day of the month `day` falls in (None stays None: an open start)."""
    return None if day is None else day.replace(day=1)


def month_end(day: datetime.date | None) -> datetime.date | None:
    """The last day of the month `day` falls in (None stays None: up to today)."""
    if day is None:
        return None
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def count_shown(count: int, threshold: int) -> int | None:
    """The count, or None (hidden) when it is from 1 to threshold − 1 (rules 2 and 5)."""
    return None if 0 < count < threshold else count


@dataclass(frozen=True)
class AudienceCounts:
    """How many were invited to a survey and answered, as a viewer may see them (rule 5): None
    where hidden, with the rate only when both are shown."""

    invited: int | None
    responded: int | None

    @property
    def hidden(self) -> bool:
        return self.invited is None or self.responded is None

    @property
    def rate(self) -> float | None:
        if self.hidden or not self.invited:
            return None
        return round(self.responded / self.invited, 4)


def audience_counts(
    invited: int, responded: int, *, from_caucus: bool, may_see_caucus: bool, threshold: int
) -> AudienceCounts:
    """A survey's invited and answered counts for one viewer, the same on every surface (the
    survey list, its page, its results and their CSV, the dashboard): for a survey whose
    audience comes from a caucus, counts from 1 to k − 1 are hidden from anyone who may not see
    caucus choices, since they are the size of a caucus or of its session."""
    if from_caucus and not may_see_caucus:
        invited, responded = count_shown(invited, threshold), count_shown(responded, threshold)
    return AudienceCounts(invited, responded)
