"""The snapshot page's search matches names as graph.names does, in real Chromium: its port of the matcher
(viz/assets/common.js) folds, keys and scores like Python on the variants table (tests/names_cases.py), and
typing a variant into the search box finds and selects its entity."""

from __future__ import annotations

import pytest

from graph.build import build_graph
from graph.names import NameIndex, fold, match_keys, similarity, skeleton
from loaders import load_facts
from tests import names_cases as T
from tests.paths import DATA
from tests.test_viz_browser import browser, open_snapshot, write  # noqa: F401 (browser: the module's fixture)

EXTRA = [
    "Al-Bukamal",
    "Deir ez-Zor",
    "US-led coalition",
    "as-Suwayda",
    "Ash-Sham",
    "Kata'ib Hezbollah",
    "حزب الله",
    "Straße",
    "İstanbul",
    "ﬁve ½",
    "Ⅻ",
    "ＡＢＣ１２３",
    "جـامع الرَّحمن",
]
TEXTS = [s for s, _ in T.RESOLVES] + [s for s, *_ in T.ALSO + T.AMBIGUOUS + T.SUGGESTS] + EXTRA


@pytest.fixture(scope="module")
def seed_page(browser, tmp_path_factory):  # noqa: F811
    o = open_snapshot(browser, write(DATA, tmp_path_factory.mktemp("names") / "seed.html"), viewport=(1366, 768))
    yield o
    o.page.context.close()


def test_the_page_folds_and_keys_names_as_python_does(seed_page):
    js = seed_page.js(
        """ts => { const C = window.actorgraphCommon;
        return ts.map(t => [C.fold(t), C.skeleton(t), C.matchKeys(t)]); }""",
        TEXTS,
    )
    assert js == [[fold(t), skeleton(t), sorted(match_keys(t))] for t in TEXTS]
    pairs = [(fold(a), fold(b)) for a in TEXTS[:25] for b in EXTRA]
    scores = seed_page.js("ps => ps.map(p => window.actorgraphCommon.similarity(p[0], p[1]))", pairs)
    assert scores == pytest.approx([similarity(a, b) for a, b in pairs], abs=1e-9)


def test_the_page_ranks_candidates_as_python_does(seed_page):
    index = NameIndex.from_graph(build_graph(load_facts([DATA])))
    texts = [s for s, _ in T.RESOLVES] + [s for s, *_ in T.ALSO + T.AMBIGUOUS]
    page = seed_page.js(
        """ts => { const C = window.actorgraphCommon, rows = window.actorgraph.data.nodes;
        const m = C.nameMatcher(rows.map(n => ({id: n.id, name: n.name, names: n.aka || []})));
        return ts.map(t => m.candidates(t, 3).map(c => [c.id, c.score, c.reason])); }""",
        texts,
    )
    for text, got in zip(texts, page, strict=True):
        best = index.candidates(text, limit=3)[0]
        assert got[0] == [best.id, best.score, best.reason], text


@pytest.mark.parametrize("spelling,eid", T.RESOLVES)
def test_typing_a_variant_finds_and_selects_its_entity(seed_page, spelling, eid):
    o = seed_page
    o.page.fill("#search", spelling)
    o.page.press("#search", "Enter")
    o.wait("document.querySelectorAll('#results li').length > 0")
    ids = o.js("window.actorgraph.data.nodes.map(n => n.id)")
    assert o.js("q => window.actorgraph.search(q, false)", spelling)[0] == eid
    assert o.js("window.actorgraph.network.getSelectedNodes()") == [ids.index(eid)]


def test_ambiguous_and_close_names_list_their_candidates(seed_page):
    o = seed_page
    for spelling, ids in T.AMBIGUOUS:
        assert ids <= set(o.js("q => window.actorgraph.search(q, false)", spelling)[:5])
    for spelling, eid in T.SUGGESTS:
        assert eid in o.js("q => window.actorgraph.search(q, false)", spelling)
    for text, _ in T.BAD:
        o.page.fill("#search", text)
        o.page.press("#search", "Enter")
        assert o.page.inner_text("#results") in ("", "No entity matches.")
    o.assert_clean()
