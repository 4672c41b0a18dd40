"""Problems found in fact files, each tied to a file and a line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ValidationFailed(Exception):
    """The facts are invalid; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the facts")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint naming the closest valid choice, or ''."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        # Case slips ("leads", "person") are the commonest typo of all.
        close = [c for c in choices if c.lower() == str(word).lower()][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""
