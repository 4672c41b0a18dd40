"""Who a claim rests on: originators, and corroboration counted by distinct originators.

A piece of evidence names its source (the report). The claim itself may come
from someone else: ``according_to`` names its originator (an entity id, or an
anonymous originator in words: "a well-informed source"), and ``via`` the
outlet the source relays (the Levant report via SOHR). The originator of a
piece of evidence is, in this order:

1. its ``according_to`` (an anonymous one is distinct per source: two
   reports' "local sources" are not known to be the same people);
2. else its ``via``: the relayed outlet speaks;
3. else the source's publisher: two reports of one publisher are one voice.

Two outlets relaying one originator are then one confirmation, not two, and
circular reporting shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .names import name_key

ANONYMOUS, ENTITY, PUBLISHER = "anonymous", "entity", "publisher"


def originator(
    ev: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]], is_entity: Any = None
) -> tuple[str, str, str]:
    """``(key, kind, label)`` of the originator of a piece of evidence (a dict as in graph.build).

    ``key`` is equal for equal originators; ``kind`` is "entity", "anonymous" or
    "publisher"; ``label`` is what to show. ``is_entity(text)`` tells an entity id
    from words (default: graph.models.is_slug).

    >>> srcs = {"levant": {"publisher": "Levant"}, "np": {"publisher": "North Press Agency"}}
    >>> originator({"source": "levant", "via": "sohr"}, srcs)
    ('entity:sohr', 'entity', 'sohr')
    >>> originator({"source": "np", "according_to": "a well-informed source"}, srcs)[:2]
    ('anonymous:np:awellinformedsource', 'anonymous')
    >>> originator({"source": "np"}, srcs)
    ('publisher:northpressagency', 'publisher', 'North Press Agency')
    """
    if is_entity is None:
        from .models import is_slug as is_entity
    who = ev.get("according_to")
    if who:
        if is_entity(who):
            return f"{ENTITY}:{who}", ENTITY, who
        return f"{ANONYMOUS}:{ev['source']}:{name_key(who)}", ANONYMOUS, who
    if ev.get("via"):
        return f"{ENTITY}:{ev['via']}", ENTITY, ev["via"]
    publisher = str(sources.get(ev["source"], {}).get("publisher") or ev["source"])
    return f"{PUBLISHER}:{name_key(publisher)}", PUBLISHER, publisher


def originator_keys(evidence: Iterable[Mapping[str, Any]], sources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The distinct originators of a fact's evidence, sorted: corroboration is their number.

    >>> srcs = {"a": {"publisher": "Alma"}, "b": {"publisher": "Alma"}, "c": {"publisher": "Levant"}}
    >>> originator_keys([{"source": "a"}, {"source": "b"}, {"source": "c", "via": "sohr"}], srcs)
    ['entity:sohr', 'publisher:alma']
    """
    return sorted({originator(ev, sources)[0] for ev in evidence})


def attribution_text(
    ev: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> str:
    """ "Levant, according to local sources, via SOHR": how the pages and the CLI say who said it.

    ``names`` maps entity ids to display names.

    >>> attribution_text(
    ...     {"source": "lv", "according_to": "local sources", "via": "sohr"},
    ...     {"lv": {"publisher": "Levant"}},
    ...     {"sohr": "SOHR"},
    ... )
    'Levant, according to local sources, via SOHR'
    """
    names = names or {}
    from .models import is_slug

    text = str(sources.get(ev["source"], {}).get("publisher") or ev["source"])
    who = ev.get("according_to")
    if who:
        text += f", according to {names.get(who, who) if is_slug(who) else who}"
    if ev.get("via"):
        text += f", via {names.get(ev['via'], ev['via'])}"
    return text
