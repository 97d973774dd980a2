"""Property-based: the public statistics never show a count under 5, and no hidden count can be worked out
from what is shown. The attacker here is written independently of suppression.py: scipy's linprog over the
published rows, columns and totals, with counts never negative."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sinergi.reports.suppression import THRESHOLD, PublicTable, public_two_way

# Small counts are the interesting ones; a few large ones make cells worth protecting around.
counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )
)


def published(cells: list[list[int]]) -> PublicTable:
    return public_two_way([f"r{i}" for i in range(len(cells))], [f"c{j}" for j in range(len(cells[0]))], cells)


def shown_values(table: PublicTable) -> list[int]:
    values = [v for row in table.cells for v in row] + table.row_totals + table.col_totals + [table.grand]
    return [v for v in values if v is not None]


def attacker_bounds(table: PublicTable) -> dict[tuple[str, int, int], tuple[float, float]]:
    """For every hidden value, the least and the most it can be given everything published."""
    rows, cols = len(table.cells), len(table.cells[0])
    names: list[tuple[str, int, int]] = []
    known: dict[tuple[str, int, int], int] = {}
    for i in range(rows):
        for j in range(cols):
            names.append(("cell", i, j))
            if table.cells[i][j] is not None:
                known[("cell", i, j)] = table.cells[i][j]  # type: ignore[assignment]
    for i in range(rows):
        names.append(("row", i, 0))
        if table.row_totals[i] is not None:
            known[("row", i, 0)] = table.row_totals[i]  # type: ignore[assignment]
    for j in range(cols):
        names.append(("col", 0, j))
        if table.col_totals[j] is not None:
            known[("col", 0, j)] = table.col_totals[j]  # type: ignore[assignment]
    names.append(("all", 0, 0))
    if table.grand is not None:
        known[("all", 0, 0)] = table.grand
    index = {name: k for k, name in enumerate(names)}
    equations: list[dict[tuple[str, int, int], float]] = []
    for i in range(rows):
        equations.append({("row", i, 0): 1.0, **{("cell", i, j): -1.0 for j in range(cols)}})
    for j in range(cols):
        equations.append({("col", 0, j): 1.0, **{("cell", i, j): -1.0 for i in range(rows)}})
    equations.append({("all", 0, 0): 1.0, **{("row", i, 0): -1.0 for i in range(rows)}})
    equations.append({("all", 0, 0): 1.0, **{("col", 0, j): -1.0 for j in range(cols)}})
    for name, value in known.items():
        equations.append({name: 1.0, "rhs": float(value)})  # type: ignore[dict-item]
    a_eq = np.zeros((len(equations), len(names)))
    b_eq = np.zeros(len(equations))
    for r, equation in enumerate(equations):
        for name, coefficient in equation.items():
            if name == "rhs":
                b_eq[r] = coefficient
            else:
                a_eq[r, index[name]] = coefficient
    bounds = {}
    for name in names:
        if name in known:
            continue
        objective = np.zeros(len(names))
        objective[index[name]] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0, "the published table must be consistent"
        bounds[name] = (low.fun, -high.fun if high.status == 0 else float("inf"))
    return bounds


@settings(max_examples=60)
@given(tables)
def test_it_never_shows_a_count_under_five(cells: list[list[int]]) -> None:
    assert all(value >= THRESHOLD for value in shown_values(published(cells)))


@settings(max_examples=60)
@given(tables)
def test_it_never_lets_a_hidden_count_be_worked_out_from_the_totals(cells: list[list[int]]) -> None:
    for name, (lowest, highest) in attacker_bounds(published(cells)).items():
        assert highest - lowest >= 0.5, f"{name} is recoverable: between {lowest} and {highest}"


@settings(max_examples=60)
@given(tables)
def test_it_shows_every_value_exactly_as_counted(cells: list[list[int]]) -> None:
    table = published(cells)
    for i, row in enumerate(table.cells):
        for j, value in enumerate(row):
            assert value is None or value == cells[i][j]
        assert table.row_totals[i] in (None, sum(cells[i]))


def test_it_hides_a_second_cell_when_one_small_cell_would_follow_from_its_row_total() -> None:
    table = published([[10, 3], [7, 8], [6, 12]])
    assert table.cells[0][1] is None
    assert table.row_totals[0] == 13
    assert table.cells[0][0] is None  # else 13 − 10 = 3
    assert sum(1 for row in table.cells for v in row if v is None) >= 4  # and a column partner for each


def test_it_publishes_an_empty_table_without_failing() -> None:
    # A fresh installation: regencies but no categories yet, or no rows at all.
    no_columns = public_two_way(["r0", "r1"], [], [[], []])
    assert no_columns.cells == [[], []] and no_columns.grand in (0, None)
    no_rows = public_two_way([], ["c0"], [])
    assert no_rows.cells == [] and no_rows.grand in (0, None)
