"""The table of name spellings every matcher is tested against (graph.names in memory, `kg query` on Neo4j,
`kg viz --focus`, the explorer's API and the snapshot page's search).

Spellings as analysts meet them in reports, in Latin and Arabic script, none of them a curated
alias of the seed data (data/): each must resolve to its entity. Ambiguous spellings must list
their candidates; some resolve but must say who else matches; bad input must be refused clearly.
"""

from __future__ import annotations

# (spelling, the entity it names)
RESOLVES = [
    # Latin romanisations
    ("Abou Kamal", "al-bukamal"),
    ("Boukamal", "al-bukamal"),
    ("Bou Kamal", "al-bukamal"),
    ("El Bou Kamal", "al-bukamal"),
    ("Elbukamal", "al-bukamal"),
    ("Hezballah", "lebanese-hezbollah"),
    ("Hezbolla", "lebanese-hezbollah"),
    ("Hossam Louka", "husam-luqa"),
    ("Housam Louqa", "husam-luqa"),
    ("Deir al-Zor", "deir-ez-zor"),
    ("Dair ez Zour", "deir-ez-zor"),
    ("Hassakah", "hasakah"),
    ("Al-Hasakeh", "hasakah"),
    ("Kataeb Hezbollah", "kataib-hezbollah"),
    ("Kata'ib Hizbullah", "kataib-hezbollah"),
    ("Fatemiyoon", "fatemiyoun"),
    ("Fatimiyyun", "fatemiyoun"),
    ("Bashar al-Asad", "bashar-al-assad"),
    ("Tadmor", "palmyra"),
    ("Palmira", "palmyra"),
    ("Qamishly", "qamishli"),
    ("Kamishli", "qamishli"),
    ("Mahmood Habib", "mahmoud-habib"),
    ("Nizar el-Khader", "nizar-al-khader"),
    ("Abou Eissa al-Mashhadani", "abu-isa-al-mashhadani"),
    ("Hadji Askar", "haji-askar"),
    ("Jihad el-Bana", "jihad-al-bana"),
    ("Al-Qousour", "al-qusour"),
    ("Edlib", "idlib-governorate"),
    ("Raqa", "raqqa-governorate"),
    ("Suweida", "suwayda-governorate"),
    ("Daech", "isis"),
    # Arabic script: other letter variants, no article, no diacritics, another spelling
    ("فوج 47", "fog-47"),
    ("فوج ٤٧", "fog-47"),
    ("بوكمال", "al-bukamal"),
    ("ابو كمال", "al-bukamal"),
    ("بوكمال", "al-bukamal"),
    ("حسام لوكا", "husam-luqa"),
    ("دير زور", "deir-ez-zor"),
    ("الحسكه", "hasakah"),
    ("تدمور", "palmyra"),
    ("قامشلي", "qamishli"),
    ("إدلب", "idlib-governorate"),
    ("السويدا", "suwayda-governorate"),
    ("قوات الدفاع الوطنى", "national-defense-forces"),
    ("ابو عيسي المشهداني", "abu-isa-al-mashhadani"),
    ("الفاطميون", "fatemiyoun"),
    # mixed scripts
    ("Al-بوكمال", "al-bukamal"),
]

# (spelling, the entity it names, entities that must be named as matching too)
ALSO = [
    ("hezbollah", "lebanese-hezbollah", {"kataib-hezbollah"}),
]

# (spelling, entities that must all be listed as candidates)
AMBIGUOUS = [
    ("Iranian cultural centres", {"iranian-cultural-center-al-bukamal", "iranian-cultural-centres-deir-ez-zor"}),
]

# (spelling, an entity that must be suggested): no entity goes by it, but one is close.
SUGGESTS = [
    ("بدر", "badr-hospital"),  # "Badr": the word in common is suggested, not taken
    ("Fog 74", "fog-47"),  # another number is another unit: suggested, never taken
    ("Fog 447", "fog-47"),
]

# (spelling, what the message says): nothing to match.
BAD = [
    ("", "the name is empty"),
    ("   ", "the name is empty"),
    ("x" * 10_000, "a name is at most 1000 characters; this one has 10000"),
    ("?!…—", "has no letters or digits to match"),
    ("\u064e\u064f\u0651", "has no letters or digits to match"),  # Arabic diacritics only
]
