"""Benchmark: a 50 MB YAML fact file, and hostile YAML, against the same content as JSON Lines.

    python bench/bench_yaml.py                   # 280,000 entities (about 50 MB of YAML)
    python bench/bench_yaml.py --entities 20000  # quicker

Each variant runs in a fresh child process (one at a time); reported: wall time
of the work and the child's peak RSS.

* ``jsonl``      -- ``loaders.load_facts`` on the content as ``*.entities.jsonl`` (the fast path);
* ``yaml``       -- ``loaders.load_facts`` on the YAML file (libyaml events, loaders/yaml_reader.py);
* ``yaml_before``-- the reader before this change: PyYAML's pure-Python ``yaml.compose`` of the
  whole file, then the same validation (the baseline, measured in the same run);
* ``bomb``, ``deep``, ``long`` -- hostile files (alias expansion, 100,000 nested lists, a 2 MB
  value) through ``kg validate`` in-process: each must end in a FILE:LINE error, fast and small.

Prints a table with the load average and writes bench/results/yaml.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VARIANTS = ("jsonl", "yaml", "yaml_before", "bomb", "deep", "long")


def write_data(folder: Path, entities: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    yml, jsl = folder / "big" / "entities.yaml", folder / "big-jsonl" / "x.entities.jsonl"
    yml.parent.mkdir(exist_ok=True)
    jsl.parent.mkdir(exist_ok=True)
    with yml.open("w", encoding="utf-8") as y, jsl.open("w", encoding="utf-8") as j:
        y.write("entities:\n")
        for i in range(entities):
            rec = {
                "id": f"group-{i}",
                "type": "ArmedGroup",
                "name": f"Armed group number {i}",
                "aliases": [f"Group {i}", f"الجماعة {i}"],
                "description": "A militia described in a report, with a sentence or two about it.",
            }
            y.write(
                f"  - id: {rec['id']}\n    type: {rec['type']}\n    name: {rec['name']}\n"
                f'    aliases: ["{rec["aliases"][0]}", "{rec["aliases"][1]}"]\n'
                f"    description: {rec['description']}\n"
            )
            j.write(json.dumps(rec, ensure_ascii=False) + "\n")
    hostile = folder / "hostile"
    hostile.mkdir(exist_ok=True)
    bomb, prev = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for i in range(1, 10):
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    (hostile / "bomb.yaml").write_text(bomb + f"entities: *{prev}\n")
    (hostile / "deep.yaml").write_text("entities: " + "[" * 100_000 + "]" * 100_000 + "\n")
    (hostile / "long.yaml").write_text("entities:\n  - id: x\n    type: Person\n    name: " + "a" * 2_000_000 + "\n")


def _compose_before(path: Path, label: str):
    """The reader as it was: yaml.compose (pure Python) of the whole file, then the node walk."""
    import yaml

    from loaders.records import Record

    def value(node, lines, p):
        if p:
            lines[p] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [value(x, lines, f"{p}.{i}" if p else str(i)) for i, x in enumerate(node.value)]
        return {k.value: value(v, lines, f"{p}.{k.value}" if p else k.value) for k, v in node.value}

    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    records = []
    for k, v in root.value:
        for item in v.value:
            lines = {}
            records.append(Record(k.value, value(item, lines, ""), label, item.start_mark.line + 1, lines))
    return records, []


def run(variant: str, folder: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from loaders import load_facts

    began = time.perf_counter()
    if variant == "jsonl":
        facts = load_facts([folder / "big-jsonl"])
        out = {"entities": len(facts.entities)}
    elif variant == "yaml":
        facts = load_facts([folder / "big"])
        out = {"entities": len(facts.entities)}
    elif variant == "yaml_before":
        import loaders.validate as v

        v.read_yaml = _compose_before
        facts = load_facts([folder / "big"])
        out = {"entities": len(facts.entities)}
    else:
        from typer.testing import CliRunner

        from kg.cli import app

        r = CliRunner().invoke(app, ["validate", str(folder / "hostile" / f"{variant}.yaml")])
        out = {
            "exit_code": r.exit_code,
            "output": r.output.strip().splitlines()[0][:160],
            "traceback": "Traceback" in r.output,
        }
    out["wall_s"] = round(time.perf_counter() - began, 2)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=280_000)
    ap.add_argument("--data", type=Path, default=HERE / "data" / "yaml")
    ap.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args()
    folder = args.data / str(args.entities)
    if args.variant:
        print(json.dumps(run(args.variant, folder)))
        return
    if not (folder / "big" / "entities.yaml").is_file():
        write_data(folder, args.entities)
    size_mb = (folder / "big" / "entities.yaml").stat().st_size / 2**20
    results = {}
    for variant in VARIANTS:
        load = os.getloadavg()[0]
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--entities",
                str(args.entities),
                "--data",
                str(args.data),
                "--variant",
                variant,
            ],
            capture_output=True,
            text=True,
        )
        if child.returncode != 0:
            results[variant] = {"error": child.stderr.strip().splitlines()[-1:]}
        else:
            results[variant] = {**json.loads(child.stdout.strip().splitlines()[-1]), "loadavg_before": load}
        print(f"{variant:12} {json.dumps(results[variant], ensure_ascii=False)}", flush=True)
    y, before, j = results["yaml"], results["yaml_before"], results["jsonl"]
    summary = {
        "yaml_mb": round(size_mb, 1),
        "before_over_yaml_wall": round(before["wall_s"] / y["wall_s"], 2) if "wall_s" in before else None,
        "yaml_over_jsonl_wall": round(y["wall_s"] / j["wall_s"], 2),
        "hostile_worst_wall_s": max(results[v]["wall_s"] for v in ("bomb", "deep", "long")),
        "hostile_worst_peak_mb": max(results[v]["peak_mb"] for v in ("bomb", "deep", "long")),
    }
    print(json.dumps(summary, indent=1))
    out = {
        "benchmark": "yaml",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "entities": args.entities,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": results,
        "summary": summary,
    }
    (HERE / "results" / "yaml.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
