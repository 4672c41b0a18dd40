"""The grading policy as data (``hedging.yaml``): how strongly a statement may be graded.

A piece of evidence whose quote hedges ("apparently", "it is highly likely")
or whose claim comes from an anonymous originator may not be graded more
strongly than the policy's cap. :func:`check` says which rule a grade breaks;
validation turns that into a warning with the words found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .schema import REGISTRY, SchemaError

POLICY_FILE = Path(__file__).with_name("hedging.yaml")


@dataclass(frozen=True)
class Rule:
    why: str
    cap: int  # the strongest credibility allowed (a number: 1 is strongest)
    phrases: tuple[str, ...] = ()
    anonymous: bool = False
    pattern: re.Pattern | None = None


@dataclass(frozen=True)
class Breach:
    """A grade stronger than a rule allows: what was found, and the cap."""

    rule: Rule
    found: str  # the words found, or "an anonymous originator"
    credibility: int

    def message(self) -> str:
        scale = REGISTRY.credibility
        return (
            f"credibility {self.credibility} is stronger than the policy allows: {self.found} "
            f"({self.rule.why}) caps it at {scale.label(self.rule.cap)}"
        )


def load_policy(path: Path = POLICY_FILE) -> tuple[Rule, ...]:
    """The rules of the policy file, checked (caps on the credibility scale, phrases non-empty)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = []
    for i, spec in enumerate(raw.get("rules") or []):
        cap = spec.get("cap")
        if cap not in REGISTRY.credibility.grades:
            raise SchemaError(f"{path.name}: rule {i + 1}: cap must be one of {REGISTRY.credibility.span()}")
        phrases = tuple(str(p).strip().lower() for p in spec.get("phrases") or () if str(p).strip())
        anonymous = bool(spec.get("anonymous"))
        if not phrases and not anonymous:
            raise SchemaError(f"{path.name}: rule {i + 1} has no phrases and is not about anonymous originators")
        pattern = (
            re.compile(
                r"\b("
                + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
                + r")\b",
                re.IGNORECASE,
            )
            if phrases
            else None
        )
        rules.append(Rule(str(spec.get("why", "")), cap, phrases, anonymous, pattern))
    return tuple(rules)


POLICY = load_policy()


def check(quote: str, credibility: int, *, anonymous: bool = False, rules: tuple[Rule, ...] = POLICY) -> list[Breach]:
    """The rules a piece of evidence graded ``credibility`` breaks, strictest cap first.

    >>> print(*[b.message() for b in check("Apparently, the group moved its base", 2)])
    credibility 2 is stronger than the policy allows: 'Apparently' (the report itself doubts it) caps it at 4 (doubtful)
    >>> check("The group moved its base", 2), check("Apparently, the group moved", 4)
    ([], [])
    """
    out = []
    for rule in rules:
        if credibility >= rule.cap:
            continue
        if rule.pattern is not None:
            m = rule.pattern.search(quote)
            if m:
                out.append(Breach(rule, repr(m.group(0)), credibility))
                continue
        if rule.anonymous and anonymous:
            out.append(Breach(rule, "an anonymous originator", credibility))
    return sorted(out, key=lambda b: -b.rule.cap)
