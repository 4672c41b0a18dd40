"""`kg export`: every format written through the CLI and read back by networkx or csv."""

import csv
import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.build import build_graph
from graph.export import node_link_data
from kg.cli import app
from loaders import load_facts
from tests.paths import FLORENTINE

runner = CliRunner()
N_ENTITIES, N_RELATIONS = 11, 13


@pytest.fixture(scope="module")
def G():
    return build_graph(load_facts([FLORENTINE]))


def export(tmp_path, fmt, name):
    tmp_path.mkdir(parents=True, exist_ok=True)  # kg export writes into folders that exist
    out = tmp_path / name
    r = runner.invoke(app, ["export", str(FLORENTINE), "--format", fmt, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"{N_ENTITIES} entities, {N_RELATIONS} relations" in r.stdout
    return out


# -- JSON --------------------------------------------------------------------------


def test_json_reads_back_as_the_same_graph(tmp_path, G):
    out = export(tmp_path, "json", "graph.json")
    text = out.read_text(encoding="utf-8")
    assert "أبو تست" in text and "Abu Tést" in text  # UTF-8, not \u escapes
    data = json.loads(text)
    assert data == json.loads(json.dumps(node_link_data(G)))
    H = nx.node_link_graph(data)
    assert H.is_directed() and H.is_multigraph()
    assert (H.number_of_nodes(), H.number_of_edges()) == (N_ENTITIES, N_RELATIONS)
    assert H.graph["sources"] == G.graph["sources"]
    for n, d in G.nodes(data=True):
        assert H.nodes[n] == d
    for u, v, k, d in G.edges(keys=True, data=True):
        h = H.edges[u, v, k]
        assert {key: val for key, val in h.items() if val is not None and key not in ("sources", "quotes")} == d
        assert h["sources"] == list(dict.fromkeys(ev["source"] for ev in d["evidence"]))
        assert h["quotes"] == [ev["quote"] for ev in d["evidence"]]


def test_json_edge_fields_and_order(tmp_path):
    data = json.loads(export(tmp_path, "json", "g.json").read_text(encoding="utf-8"))
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])
    keys = [(e["source"], e["type"], e["target"]) for e in data["edges"]]
    assert keys == sorted(keys)
    node = next(n for n in data["nodes"] if n["id"] == "abu-test")
    assert list(node)[:4] == ["id", "type", "name", "aliases"]
    assert node["aliases"] == ["Abu Test", "أبو تست"] and node["rank"] == "Colonel"
    occ = next(e for e in data["edges"] if e["type"] == "OCCUPIES")
    # Stated by two sources: one edge, both sources, the best grades, the one stated start.
    assert occ["sources"] == ["field-report-2021", "wire-2022"]
    assert len(occ["quotes"]) == 2 and occ["quotes"][1].startswith("Brigade' 9 still uses")
    assert (occ["credibility"], occ["reliability"], occ["valid_from"], occ["valid_to"]) == (2, "B", "2021-06", None)
    assert occ["use"] == "headquarters"
    assert [ev["credibility"] for ev in occ["evidence"]] == [2, 3]
    runs = next(e for e in data["edges"] if e["type"] == "RUNS")
    assert (runs["valid_from"], runs["valid_to"]) == ("2021-11", "2021-12")
    assert data["graph"]["sources"]["wire-2022"]["reliability"] == "D"


def test_exports_are_byte_for_byte_stable(tmp_path):
    for fmt in ("json", "graphml", "csv"):
        a = export(tmp_path / "a", fmt, f"g.{fmt}")
        b = export(tmp_path / "b", fmt, f"g.{fmt}")
        if fmt == "csv":
            for part in ("nodes", "edges"):
                assert (a.parent / f"g.{part}.csv").read_bytes() == (b.parent / f"g.{part}.csv").read_bytes()
        else:
            assert a.read_bytes() == b.read_bytes()


# -- GraphML and GEXF --------------------------------------------------------------


def _scalar_only(H):
    for _, d in H.nodes(data=True):
        assert all(isinstance(v, (str, int, float)) for v in d.values()), d
    for *_, d in H.edges(data=True):
        assert all(isinstance(v, (str, int, float)) for v in d.values()), d


def test_graphml_reads_back(tmp_path):
    H = nx.read_graphml(export(tmp_path, "graphml", "graph.graphml"), force_multigraph=True)
    assert H.is_directed()
    assert (H.number_of_nodes(), H.number_of_edges()) == (N_ENTITIES, N_RELATIONS)
    _scalar_only(H)
    abu = H.nodes["abu-test"]
    assert abu["label"] == abu["name"] == "Abu Tést"
    assert abu["aliases"] == "Abu Test|أبو تست" and abu["type"] == "Person"
    assert H.nodes["old-hospital"]["lat"] == pytest.approx(34.45)
    occ = H.edges["brigade-9", "old-hospital", "brigade-9|OCCUPIES|old-hospital"]
    assert occ["label"] == occ["type"] == "OCCUPIES"
    assert occ["credibility"] == 2 and occ["reliability"] == "B"
    assert occ["sources"] == "field-report-2021|wire-2022"
    assert [ev["source"] for ev in json.loads(occ["evidence"])] == ["field-report-2021", "wire-2022"]
    assert occ["valid_from"] == "2021-06" and "valid_to" not in occ  # open: no empty values
    assert json.loads(H.graph["sources"])["field-report-2021"]["publisher"] == "Example Monitoring Group"


def test_gexf_reads_back_with_time_intervals(tmp_path):
    out = export(tmp_path, "gexf", "graph.gexf")
    H = nx.read_gexf(out)
    assert H.is_directed() and H.graph["mode"] == "dynamic"
    assert 'timeformat="date"' in out.read_text(encoding="utf-8")
    assert (H.number_of_nodes(), H.number_of_edges()) == (N_ENTITIES, N_RELATIONS)
    edges = {d["id"]: d for *_, d in H.edges(data=True)}
    runs = edges["state-x|RUNS|recruitment-drive"]
    assert (runs["start"], runs["end"]) == ("2021-11-01", "2021-12-31")  # partial dates: first day, last day
    assert runs["relation"] == runs["label"] == "RUNS"
    leads = edges["abu-test|LEADS|brigade-9"]
    assert leads["start"] == "2021-01-01" and "end" not in leads and leads["title"] == "commander"
    assert "start" not in edges["brigade-9|PART_OF|northern-front"]
    assert edges["brigade-9|OCCUPIES|old-hospital"]["start"] == "2021-06-01"
    drive = H.nodes["recruitment-drive"]
    assert drive["label"] == "Recruitment drive" and drive["campaign_start"] == "2021-11"
    assert "start" not in drive  # a campaign's start attribute is not the node's lifetime
    assert drive["viz"]["color"] == {"r": 0xB0, "g": 0x7A, "b": 0xA1, "a": 1.0}
    assert H.nodes["abu-test"]["aliases"] == "Abu Test|أبو تست"


# -- CSV ---------------------------------------------------------------------------


def _read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_nodes_and_edges(tmp_path):
    export(tmp_path, "csv", "graph.csv")
    nodes, edges = _read(tmp_path / "graph.nodes.csv"), _read(tmp_path / "graph.edges.csv")
    assert not (tmp_path / "graph.csv").exists()
    assert (len(nodes), len(edges)) == (N_ENTITIES, N_RELATIONS)
    assert list(nodes[0])[:7] == ["id", "type", "name", "aliases", "description", "lat", "lon"]
    assert list(edges[0])[:9] == [
        "type",
        "from",
        "to",
        "credibility",
        "reliability",
        "valid_from",
        "valid_to",
        "sources",
        "quotes",
    ]
    abu = next(n for n in nodes if n["id"] == "abu-test")
    assert abu["aliases"] == "Abu Test|أبو تست" and abu["rank"] == "Colonel" and abu["lat"] == ""
    assert float(next(n for n in nodes if n["id"] == "old-hospital")["lat"]) == 34.45
    occ = next(e for e in edges if e["type"] == "OCCUPIES")
    assert (occ["from"], occ["to"], occ["credibility"]) == ("brigade-9", "old-hospital", "2")
    assert occ["use"] == "headquarters"
    assert occ["sources"] == "field-report-2021|wire-2022" and len(occ["quotes"].split("|")) == 2
    member = next(e for e in edges if e["type"] == "MEMBER_OF")
    assert member["quotes"] == "Jane Spokes, spokesman of the Northern Front"  # commas quoted, not split


def test_csv_into_a_folder(tmp_path):
    r = runner.invoke(app, ["export", str(FLORENTINE), "--format", "csv", "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert len(_read(tmp_path / "out" / "nodes.csv")) == N_ENTITIES
    assert len(_read(tmp_path / "out" / "edges.csv")) == N_RELATIONS


def test_csv_cells_never_run_as_formulas(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "sources:\n  - {id: s, title: T, publisher: P, published: '2020', reliability: C}\n"
        "entities:\n  - {id: a, type: Person, name: '=HYPERLINK(\"http://x\")', aliases: ['@alias']}\n"
        "  - {id: b, type: ArmedGroup, name: B, kind: '+militia'}\n"
        "relations:\n  - {type: MEMBER_OF, from: a, to: b, credibility: 2, role: '-officer',\n"
        "     evidence: [{source: s, quote: '=1+1 said the man'}]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "x.csv"
    r = runner.invoke(app, ["export", str(facts), "--out", str(out)])
    assert r.exit_code == 0, r.output
    a = next(n for n in _read(tmp_path / "x.nodes.csv") if n["id"] == "a")
    assert a["name"] == '\'=HYPERLINK("http://x")' and a["aliases"] == "'@alias"
    b = next(n for n in _read(tmp_path / "x.nodes.csv") if n["id"] == "b")
    assert b["kind"] == "'+militia"
    (edge,) = _read(tmp_path / "x.edges.csv")
    assert edge["quotes"] == "'=1+1 said the man" and edge["role"] == "'-officer"
    # The lossless JSON keeps the text as stated.
    r = runner.invoke(app, ["export", str(facts), "--out", str(tmp_path / "x.json")])
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert data["nodes"][0]["name"] == '=HYPERLINK("http://x")'


# -- the command -------------------------------------------------------------------


def test_format_from_the_extension(tmp_path):
    r = runner.invoke(app, ["export", str(FLORENTINE), "--out", str(tmp_path / "g.gexf")])
    assert r.exit_code == 0, r.output
    assert nx.read_gexf(tmp_path / "g.gexf").number_of_edges() == N_RELATIONS


def test_usage_errors_exit_2(tmp_path):
    r = runner.invoke(app, ["export", str(FLORENTINE), "--format", "xml", "--out", str(tmp_path / "g.xml")])
    assert r.exit_code == 2
    r = runner.invoke(app, ["export", str(FLORENTINE), "--out", str(tmp_path / "g.dat")])
    assert r.exit_code == 2 and "give --format" in r.output
    r = runner.invoke(app, ["export", str(FLORENTINE), "--format", "json", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "is a folder" in r.output
    assert runner.invoke(app, ["export", str(FLORENTINE), "--format", "json"]).exit_code == 2  # no --out
    assert not list(tmp_path.iterdir())


def test_unwritable_output_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    r = runner.invoke(app, ["export", str(FLORENTINE), "--out", str(blocker / "g.json")])
    assert r.exit_code == 1
    assert "Traceback" not in r.output and f"error: cannot write {blocker / 'g.json'}" in r.output


def test_invalid_facts_write_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  - id: a\n    type: Persn\n    name: A\n", encoding="utf-8")
    r = runner.invoke(app, ["export", str(bad), "--out", str(tmp_path / "g.json")])
    assert r.exit_code == 1 and "unknown entity type 'Persn'" in r.output
    assert not (tmp_path / "g.json").exists()


def test_failed_write_leaves_no_partial_file(tmp_path, G):
    from graph.export import write_json

    H = G.copy()
    H.add_node("zz-last", type="Person", name="Z", aliases=[], odd={1, 2})  # a set: not JSON, fails mid-file
    with pytest.raises(TypeError):
        write_json(H, tmp_path / "g.json")
    assert list(tmp_path.iterdir()) == []


def test_help_has_an_example():
    r = runner.invoke(app, ["export", "--help"])
    assert r.exit_code == 0
    assert "Example: kg export" in r.stdout and "graph.nodes.csv" in r.stdout


# -- the view options: what you export is what you see -------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        ["--focus", "Liwa 9", "--depth", "1"],
        ["--focus", "old-hospital", "--depth", "2", "--credibility-at-least", "2"],
        ["--as-of", "2021-12"],
        ["--as-of", "2022-04", "--look-back", "1m", "--look-ahead", "1m"],
        ["--reliability-at-least", "B", "--as-of", "2022"],
    ],
)
def test_export_takes_the_view_options_of_viz(tmp_path, G, options):
    from graph.views import select
    from kg.view_options import make_view

    out = tmp_path / "view.json"
    r = runner.invoke(app, ["export", str(FLORENTINE), "--out", str(out), *options])
    assert r.exit_code == 0, r.output
    values = dict(zip(options[::2], options[1::2], strict=True))
    view = make_view(
        focus=[values["--focus"]] if "--focus" in values else None,
        depth=int(values["--depth"]) if "--depth" in values else None,
        as_of=values.get("--as-of"),
        look_back=values.get("--look-back"),
        look_ahead=values.get("--look-ahead"),
        credibility_at_least=values.get("--credibility-at-least"),
        reliability_at_least=values.get("--reliability-at-least"),
    )
    H = select(G, view)  # the snapshot's selection (kg viz), the same function
    assert 0 < H.number_of_edges() < G.number_of_edges()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(node_link_data(H))) == data
    assert f"{H.number_of_nodes()} entities, {H.number_of_edges()} relations (" in r.stdout
    assert "; ".join(view.describe()) in r.stdout


def test_view_option_mistakes(tmp_path):
    out = str(tmp_path / "g.json")
    for options, code, message in (
        (["--depth", "2"], 2, "--depth needs --focus"),
        (["--as-of", "last year"], 2, "--as-of"),
        (["--look-back", "6m"], 2, "--look-back and --look-ahead need --as-of"),
        (["--as-of", "2021", "--look-ahead", "soon"], 2, "not a length of time"),
        (["--credibility-at-least", "9"], 2, "must be a grade 1-6"),
        (["--focus", "Brigade 8"], 1, "no entity is named 'Brigade 8' (did you mean 'Brigade 9'"),
    ):
        r = runner.invoke(app, ["export", str(FLORENTINE), "--out", out, *options])
        assert r.exit_code == code and message in r.output and r.output.startswith("error: "), (options, r.output)
        assert "Traceback" not in r.output and not (tmp_path / "g.json").exists()
