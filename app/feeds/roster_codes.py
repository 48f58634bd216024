"""The students a contract's roster names, as the feed checks look them up."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from functools import cached_property

import numpy as np
import pyarrow as pa


class RosterCodes(AbstractSet[str]):
    """The roster's student ids: a set, and the arrays that make a student id its roster
    position, built once however many feeds are checked against the roster (at 1M students,
    0.8 s each time)."""

    def __init__(self, roster_ids: AbstractSet[str]):
        self._ids = roster_ids

    @classmethod
    def of(cls, roster_ids: AbstractSet[str]) -> RosterCodes:
        return roster_ids if isinstance(roster_ids, RosterCodes) else cls(roster_ids)

    def __contains__(self, student: object) -> bool:
        return student in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @cached_property
    def labels(self) -> np.ndarray:
        return np.asarray(list(self._ids), dtype=object)

    @cached_property
    def ids(self) -> pa.Array:
        return pa.array(self.labels, pa.string())
