"""Name matching that survives transliteration: case, accents and punctuation ignored."""

from __future__ import annotations

import unicodedata


def name_key(text: str) -> str:
    """The form names are compared in: ``Fog’ 47``, ``fog 47`` and ``FOG-47`` share one key.

    Spelling variants (Albukamal / Abu Kamal) still need aliases; case, accents,
    Arabic diacritics, spaces and punctuation never do.

    >>> name_key("Fog’ 47"), name_key("FOG-47"), name_key("Déir ez-Zor")
    ('fog47', 'fog47', 'deirezzor')
    >>> name_key("البُوكمال") == name_key("البوكمال")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())
