"""Where the test data lives."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLORENTINE = ROOT / "tests" / "fixtures" / "florentine"
FLORENTINE_DOCS = ROOT / "tests" / "fixtures" / "florentine_docs"
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
