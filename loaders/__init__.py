"""Read curated fact files, validate them strictly, report every problem with file and line."""

from .discovery import Found, discover, find_facts
from .documents import normalize_text
from .problems import ERROR, WARNING, Problem, ValidationFailed
from .validate import Checked, check_files, load_facts

__all__ = [
    "ERROR",
    "WARNING",
    "Checked",
    "Found",
    "Problem",
    "ValidationFailed",
    "check_files",
    "discover",
    "find_facts",
    "load_facts",
    "normalize_text",
]
