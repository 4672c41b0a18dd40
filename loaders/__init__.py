"""Read curated fact files, validate them strictly, report every problem with file and line."""

from .problems import Problem, ValidationFailed
from .validate import discover, load_facts, normalize_text

__all__ = ["Problem", "ValidationFailed", "discover", "load_facts", "normalize_text"]
