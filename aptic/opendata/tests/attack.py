"""An attacker of the open statistics (ADR 0051), written apart from the suppression it attacks: it
reads only the published CSV files, and tries to give back every blanked count.

What it knows: the two tables of uses count the same vouchers, one by commune (hence département)
and the other by département; so for every set of months and of départements, the sums of the two
tables agree. It tries each measure (vouchers, value, services) in two ways:
- differencing: for every month × département, every département over all months, every month over
  all départements, and the whole, if the two tables hold one blank between them, that blank is the
  difference of their published sums;
- linear algebra: all those equations together, solved exactly over the rationals (Gauss-Jordan on
  fractions); a blank is recovered when its unit vector lies in the span of the equations.
"""

import csv
import io
from collections import defaultdict
from fractions import Fraction

MEASURES = ("cheques_utilises", "valeur_euros", "services")


def rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def _cells(by_commune: list[dict], by_public: list[dict], measure: str):
    """[(sign, month, département, value or None)]: +1 for the communes' table, -1 for the other."""
    cells = []
    for sign, table in ((1, by_commune), (-1, by_public)):
        for row in table:
            value = Fraction(row[measure]) if row[measure] != "" else None
            cells.append((sign, row["mois"], row["code_departement"], value))
    return cells


def by_differencing(by_commune: list[dict], by_public: list[dict]) -> dict:
    """{(measure, cell index): recovered value} from every margin with a single blank."""
    recovered = {}
    for measure in MEASURES:
        cells = _cells(by_commune, by_public, measure)
        margins = defaultdict(list)
        for index, (_, month, departement, _) in enumerate(cells):
            for key in ((month, departement), ("*", departement), (month, "*"), ("*", "*")):
                margins[key].append(index)
        for members in margins.values():
            blanks = [i for i in members if cells[i][3] is None]
            if len(blanks) == 1:
                known = sum(cells[i][0] * cells[i][3] for i in members if cells[i][3] is not None)
                recovered[(measure, blanks[0])] = -known * cells[blanks[0]][0]
    return recovered


def _determined(equations: list[list[Fraction]], unknowns: int) -> set[int]:
    """The unknowns whose value the equations fix (their unit vector is in the row space)."""
    matrix = [row[:] for row in equations]
    pivots = []
    rank = 0
    for column in range(unknowns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][column]
        matrix[rank] = [x / lead for x in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(column)
        rank += 1
    # In reduced row echelon form, e_j is in the row space iff a row is exactly e_j.
    return {column for r, column in enumerate(pivots) if all(matrix[r][c] == 0 for c in range(unknowns) if c != column)}


def by_algebra(by_commune: list[dict], by_public: list[dict]) -> set:
    """{(measure, cell index)} of the blanks the equations of every month × département fix."""
    recovered = set()
    for measure in MEASURES:
        cells = _cells(by_commune, by_public, measure)
        blanks = [i for i, cell in enumerate(cells) if cell[3] is None]
        column = {cell: n for n, cell in enumerate(blanks)}
        groups = defaultdict(list)
        for index, (_, month, departement, _) in enumerate(cells):
            groups[(month, departement)].append(index)
        equations = []
        for members in groups.values():
            row = [Fraction(0)] * len(blanks)
            for i in members:
                if cells[i][3] is None:
                    row[column[i]] += cells[i][0]
            if any(row):
                equations.append(row)
        recovered |= {(measure, blanks[n]) for n in _determined(equations, len(blanks))}
    return recovered
