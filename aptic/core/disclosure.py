"""What the platform may publish of counts about people and providers (issue #16, ADR 0049): one
home for the thresholds, read by the open data and the public territorial diagnostic, and the rule
that blanks the small counts of a published table (ADR 0051)."""

from collections.abc import Hashable, Iterable, Mapping

# A published count of vouchers (or uses) under this is blanked: fewer could point at someone.
MIN_PUBLISHED_VOUCHERS = 11
# A figure about providers (their quality questionnaires) is shown over at least this many.
MIN_PROVIDERS = 5


def suppressed(counts: Mapping[Hashable, int], groups: Iterable[Iterable[Hashable]]) -> set:
    """The cells to blank: those under MIN_PUBLISHED_VOUCHERS (primary suppression), then, in every
    group with exactly one blanked cell, its smallest published cell too (secondary suppression),
    until no group has exactly one.

    A group is a set of cells whose sum a reader knows, or can compute from what else is published
    (a total, a margin, the same figures cut another way in another file): a group with a single
    blank gives it back by difference. With two or more blanks and one equation per group, no blank
    is determined, PROVIDED each cell belongs to one group at most: overlapping groups (a table with
    both row and column totals) can determine a blank through a chain of equations, which this rule
    does not audit. So they are refused.

    `counts`: cell → its count of vouchers; a group's cells absent from `counts` are not published
    (no row). Ties between equally small cells go to the first key in sorted order, so that
    the same figures always blank the same cells."""
    groups = [list(group) for group in groups]
    seen = set()
    for group in groups:
        for cell in group:
            if cell in seen:
                raise ValueError(f"cell {cell!r} is in two groups: this rule cannot audit overlapping groups")
            seen.add(cell)
    blank = {cell for cell, count in counts.items() if count < MIN_PUBLISHED_VOUCHERS}
    for group in groups:
        cells = [cell for cell in group if cell in counts]
        hidden = [cell for cell in cells if cell in blank]
        if len(hidden) == 1:
            shown = sorted((cell for cell in cells if cell not in blank), key=lambda cell: (counts[cell], str(cell)))
            if not shown:
                raise ValueError(f"the group of {hidden[0]!r} has no other cell: its sum gives the blank back")
            blank.add(shown[0])
    # One pass is enough: a group's second blank is taken from that group, which no other shares.
    return blank
