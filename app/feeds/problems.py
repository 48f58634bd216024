"""What is wrong with a refused feed: one :class:`RowProblem` per bad value, all at once.

Checks run over whole columns and return :class:`Finding` objects (the positions of the bad
rows). Only the first ``max_problems`` of them, in file order, are turned into
:class:`RowProblem` objects, so a file with a million bad rows costs no more to describe than
one with five hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RowProblem:
    """One bad value.

    ``row`` is the line the user sees in the file (the CSV header is line 1, so the first data
    row is 2; for a JSON array, the 1-based position of the object) or ``None`` when the
    problem is with the file or a whole column. ``value`` is the text as sent, or ``None``
    when echoing it would be wrong (personal data) or there is no single value.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str


class FeedRejected(Exception):
    """The whole batch is refused; nothing from it may be stored.

    ``problems`` lists the first ``max_problems`` problems in file order; ``total`` counts all
    of them; ``message`` is a one-sentence summary.
    """

    def __init__(self, message: str, problems: Sequence[RowProblem], total: int | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total

    @classmethod
    def single(cls, feed: str, reason: str, *, row: int | None = None) -> FeedRejected:
        """A refusal with one problem about the whole file."""
        problem = RowProblem(row=row, column=None, value=None, reason=reason)
        return cls(f"{feed} feed refused: {reason}.", [problem])


@dataclass(frozen=True)
class Finding:
    """The rows (positions into the parsed table) that fail one check.

    ``reason`` is a fixed text or a function of the position; ``value`` likewise overrides the
    value shown (by default the column's text as sent). The functions are called only for the
    problems that are reported, never for every bad row.
    """

    positions: np.ndarray
    column: str | None
    reason: str | Callable[[int], str]
    value: Callable[[int], str | None] | None = None


def column_problem(column: str, reason: str) -> RowProblem:
    return RowProblem(row=None, column=column, value=None, reason=reason)


def collect_problems(
    *,
    column_problems: Sequence[RowProblem],
    findings: Sequence[Finding],
    lines: np.ndarray,
    text_of: Callable[[str, int], str | None],
    column_order: Sequence[str],
    max_problems: int,
    locate: Callable[[str | None, int], tuple[int, str | None, str | None]] | None = None,
) -> tuple[list[RowProblem], int]:
    """The first ``max_problems`` problems in file order (row, then column), and the total.

    Problems without a row (file and column problems) come first. ``locate`` turns a cell
    (column, position) into where the user finds it — (line, column, value as written) — for
    rows mapped from another file (SPEC §2b); by default the row's line and the feed column.
    """
    findings = [finding for finding in findings if len(finding.positions)]
    total = len(column_problems) + sum(len(finding.positions) for finding in findings)
    problems = list(column_problems[:max_problems])
    room = max_problems - len(problems)
    if room <= 0 or not findings:
        return problems, total

    rank = {name: index for index, name in enumerate(column_order)}
    positions = np.concatenate([finding.positions for finding in findings])
    which = np.repeat(np.arange(len(findings)), [len(finding.positions) for finding in findings])
    column_rank = np.array(
        [rank.get(finding.column or "", len(rank)) for finding in findings], dtype=np.int64
    )[which]
    order = np.lexsort((which, column_rank, lines[positions]))[:room]

    for position, finding_index in zip(
        positions[order].tolist(), which[order].tolist(), strict=True
    ):
        finding = findings[finding_index]
        if finding.value is not None:
            value = finding.value(position)
        elif finding.column is not None:
            value = text_of(finding.column, position)
        else:
            value = None
        reason = finding.reason if isinstance(finding.reason, str) else finding.reason(position)
        row, column = int(lines[position]), finding.column
        if locate is not None:
            row, column, written = locate(finding.column, position)
            value = written if finding.column is not None and finding.value is None else value
        problems.append(RowProblem(row=row, column=column, value=value, reason=reason))
    return problems, total


def summary(feed: str, problems: Sequence[RowProblem], total: int) -> str:
    """One sentence: how many problems, and the first of them."""
    first = problems[0] if problems else None
    plural = "problem" if total == 1 else "problems"
    text = f"{feed} feed refused: {total:,} {plural}"
    if first is not None:
        where = []
        if first.row is not None:
            where.append(f"row {first.row}")
        if first.column is not None:
            where.append(first.column)
        prefix = f"{', '.join(where)}: " if where else ""
        text += f" (first: {prefix}{first.reason})"
    return text + "."
