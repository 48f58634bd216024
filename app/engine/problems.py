"""The error a definition raises: every problem at once, each with the path it is about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing wrong with a definition: ``path`` like ``tranches[2].metric`` ('' = whole)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(Exception):
    """A contract definition that cannot be used; ``problems`` lists all that is wrong.

    It knows nothing about HTTP: the service maps it to a 422 problem document.
    """

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        return f"invalid contract definition ({count} problem{'s' * (count != 1)}):\n{lines}"


def join_path(path: str, *parts: str | int) -> str:
    """``join_path("tranches", 2, "metric")`` → ``tranches[2].metric``."""
    for part in parts:
        if isinstance(part, int):
            path = f"{path}[{part}]"
        elif path:
            path = f"{path}.{part}"
        else:
            path = part
    return path
