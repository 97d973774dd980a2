"""Small-number suppression for the public statistics: no published count under 5, and no suppressed count that
can be worked out from the counts and totals that are published.

A table is a list of values and the sums between them (a total and its parts). Primary suppression hides every
value under the threshold (zero too: "none" is also a small number about a small place). Secondary suppression
then asks, for each hidden value, what an attacker can compute from everything published: the smallest and the
largest value it can take given every published sum and that counts are never negative (a linear programme,
solved with scipy's HiGHS). When both are the same, the value is recoverable, and the smallest published value
that shares a sum with it is hidden too; this repeats until no hidden value is recoverable.

Pure Python + scipy: no Django, tested with hypothesis (tests/test_suppression.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]

THRESHOLD = 5


@dataclass(frozen=True)
class Sums:
    """`values[total] == sum(values[i] for i in parts)` for every (total, parts)."""

    values: tuple[int, ...]
    sums: tuple[tuple[int, tuple[int, ...]], ...]


def bounds_of(table: Sums, hidden: set[int], index: int) -> tuple[float, float]:
    """The smallest and largest value `index` can take given the published values (inf when unbounded)."""
    variables = sorted(hidden)
    position = {cell: i for i, cell in enumerate(variables)}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for total, parts in table.sums:
        members = [total, *parts]
        if not any(cell in hidden for cell in members):
            continue
        row = [0.0] * len(variables)
        known = 0.0
        for cell, sign in [(total, 1.0), *((part, -1.0) for part in parts)]:
            if cell in hidden:
                row[position[cell]] += sign
            else:
                known += sign * table.values[cell]
        rows.append(row)
        rhs.append(-known)
    objective = np.zeros(len(variables))
    objective[position[index]] = 1.0
    equalities = {"A_eq": np.array(rows), "b_eq": np.array(rhs)} if rows else {}
    low = linprog(objective, bounds=(0, None), method="highs", **equalities)
    high = linprog(-objective, bounds=(0, None), method="highs", **equalities)
    lowest = float(low.fun) if low.status == 0 else 0.0
    highest = float(-high.fun) if high.status == 0 else float("inf")
    return lowest, highest


def recoverable(table: Sums, hidden: set[int]) -> list[int]:
    """Hidden values an attacker can compute exactly from the published ones."""
    return [index for index in sorted(hidden) if _pinned(*bounds_of(table, hidden, index))]


def _pinned(lowest: float, highest: float) -> bool:
    return highest - lowest < 0.5


def suppress(table: Sums, threshold: int = THRESHOLD) -> set[int]:
    """The indices to hide: every value under `threshold`, and enough others that none of them is recoverable."""
    hidden = {index for index, value in enumerate(table.values) if value < threshold}
    while True:
        _hide_lone_cells(table, hidden)
        exposed = recoverable(table, hidden)
        if not exposed:
            return hidden
        neighbours = _neighbours(table, hidden, exposed[0])
        if not neighbours:
            return set(range(len(table.values)))
        hidden.add(_cheapest(table, hidden, neighbours))


def _members(total: int, parts: tuple[int, ...]) -> tuple[int, ...]:
    return (total, *parts)


def _neighbours(table: Sums, hidden: set[int], cell: int) -> set[int]:
    return {
        member
        for total, parts in table.sums
        if cell in _members(total, parts)
        for member in _members(total, parts)
        if member not in hidden
    }


def _cheapest(table: Sums, hidden: set[int], candidates: set[int]) -> int:
    """The candidate whose hiding costs least: one that already shares a sum with a hidden value (it closes a
    cycle, so fewer cells follow), a part before a total, the smallest value, the first index on ties."""
    totals = {total for total, _parts in table.sums}

    def shares_hidden(member: int) -> bool:
        return (
            sum(
                1
                for total, parts in table.sums
                if member in _members(total, parts) and any(other in hidden for other in _members(total, parts))
            )
            >= 2
        )

    return min(candidates, key=lambda m: (not shares_hidden(m), m in totals, table.values[m], m))


def _hide_lone_cells(table: Sums, hidden: set[int]) -> None:
    """A sum with exactly one hidden member gives it away (total minus the rest): hide one more member."""
    changed = True
    while changed:
        changed = False
        for total, parts in table.sums:
            members = _members(total, parts)
            others = {member for member in members if member not in hidden}
            # A sum of one member (a total over no parts: an empty table) gives nothing away.
            if others and sum(1 for member in members if member in hidden) == 1:
                hidden.add(_cheapest(table, hidden, others))
                changed = True


@dataclass(frozen=True)
class TwoWay:
    """A rows × columns table with row totals, column totals and the grand total, as `Sums`."""

    rows: int
    cols: int

    def body(self, i: int, j: int) -> int:
        return i * self.cols + j

    def row_total(self, i: int) -> int:
        return self.rows * self.cols + i

    def col_total(self, j: int) -> int:
        return self.rows * self.cols + self.rows + j

    @property
    def grand(self) -> int:
        return self.rows * self.cols + self.rows + self.cols

    def table(self, cells: list[list[int]]) -> Sums:
        values = [cells[i][j] for i in range(self.rows) for j in range(self.cols)]
        values += [sum(cells[i]) for i in range(self.rows)]
        values += [sum(cells[i][j] for i in range(self.rows)) for j in range(self.cols)]
        values.append(sum(values[: self.rows * self.cols]))
        sums = [(self.row_total(i), tuple(self.body(i, j) for j in range(self.cols))) for i in range(self.rows)]
        sums += [(self.col_total(j), tuple(self.body(i, j) for i in range(self.rows))) for j in range(self.cols)]
        sums.append((self.grand, tuple(self.row_total(i) for i in range(self.rows))))
        sums.append((self.grand, tuple(self.col_total(j) for j in range(self.cols))))
        return Sums(tuple(values), tuple(sums))


@dataclass(frozen=True)
class PublicTable:
    """What the public page shows: None where a value is suppressed."""

    row_labels: list[str]
    col_labels: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    grand: int | None


def public_two_way(row_labels: list[str], col_labels: list[str], cells: list[list[int]]) -> PublicTable:
    shape = TwoWay(len(row_labels), len(col_labels))
    table = shape.table(cells)
    hidden = suppress(table)

    def shown(index: int) -> int | None:
        return None if index in hidden else table.values[index]

    return PublicTable(
        row_labels=row_labels,
        col_labels=col_labels,
        cells=[[shown(shape.body(i, j)) for j in range(shape.cols)] for i in range(shape.rows)],
        row_totals=[shown(shape.row_total(i)) for i in range(shape.rows)],
        col_totals=[shown(shape.col_total(j)) for j in range(shape.cols)],
        grand=shown(shape.grand),
    )


def public_one_way(row_labels: list[str], column_label: str, counts: list[int]) -> PublicTable:
    """A list of counts and their total, suppressed the same way (a one-column table)."""
    return public_two_way(row_labels, [column_label], [[count] for count in counts])
