"""Problems found in fact files, each tied to a file and a line, with a severity.

An error makes the facts invalid; a warning (a grade stronger than the grading
policy allows, see ``graph/hedging.yaml``) is told but blocks nothing, unless
validation is strict.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """``FILE:LINE: message``; a warning reads ``FILE:LINE: warning: message``.

    >>> str(Problem("a.yaml", 3, "missing field 'name'")), str(Problem("a.yaml", 9, "too strong", WARNING))
    ("a.yaml:3: missing field 'name'", 'a.yaml:9: warning: too strong')
    """

    file: str
    line: int
    message: str
    severity: str = ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def as_error(self) -> Problem:
        """The same problem, counted as an error (``kg validate --strict``)."""
        return Problem(self.file, self.line, self.message)

    def __str__(self) -> str:
        label = "warning: " if self.is_warning else ""
        return f"{self.file}:{self.line}: {label}{self.message}"


class ValidationFailed(Exception):
    """The facts are invalid; ``problems`` lists every one of them (errors only)."""

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
