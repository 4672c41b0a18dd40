"""The explorer's API keeps the promises of its own OpenAPI document (schemathesis, against real parts).

Schemathesis reads the document the app serves at /api/openapi.json, then sends
requests made from it: the examples it declares, the edge cases of every
parameter (missing, wrong type, out of range, extra fields...), and generated
ones, positive and negative. The app runs in a real uvicorn on a loopback
address (no token: the loopback mode), over a real Neo4j loaded with the seed
data. Every response must pass every check:

* ``not_a_server_error``: no 5xx;
* ``status_code_conformance``, ``content_type_conformance``,
  ``response_schema_conformance``, ``response_headers_conformance``: each answer
  is declared, status, media type, body (errors included: ``ErrorOut``) and headers;
* ``negative_data_rejection``: what the schema forbids is refused (4xx);
* ``positive_data_acceptance``: what it allows is taken (2xx, or 404 for an id
  that names nothing). For the console and named queries a 400 is an answer
  too: their Cypher, or a query's parameters, are a program whose validity
  Neo4j or the query library judges (``query_error``, ``bad_request``, declared).

The run is bounded and reproducible: a fixed seed, derandomized generation, a
few examples per operation, no stateful phase, no example database.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import configuration as hypothesis_configuration

# Hypothesis (under schemathesis) keeps caches in a folder of its own: outside the checkout. Set before
# schemathesis is imported, which already fills some.
hypothesis_configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "actorgraph-hypothesis")

import schemathesis  # noqa: E402
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.engine.statistic import Statistic  # noqa: E402

from tests.explorer_support import EXPLORER_DATA, EXPLORER_DOCS, HOSTILE, ServerThread, reload  # noqa: E402
from viz.explorer.app import create_app  # noqa: E402
from viz.explorer.config import ExplorerConfig  # noqa: E402

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
)
# Operations whose input is a program (Cypher, a named query's parameters): a declared 400 answers valid data too.
PROGRAMS = ["/api/cypher", "/api/queries/{name}"]
POSITIVE_OR_PROGRAM_ERROR = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
SEED = 20241130
MAX_EXAMPLES = 5

RUN = {
    "seed": SEED,
    "workers": 1,
    "max-failures": 1000,
    "request-timeout": 30,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    "operations": [
        {
            "include-path": PROGRAMS,
            "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_OR_PROGRAM_ERROR}},
        }
    ],
}


@pytest.fixture(scope="module")
def served(neo4j_server):
    """A real uvicorn serving the explorer on loopback, over the seed data."""
    reload(neo4j_server, {"seed": EXPLORER_DATA, "hostile": HOSTILE})
    # Time limits that a busy machine does not reach: a timeout would be a 504, which no check lets pass.
    config = ExplorerConfig(
        settings=neo4j_server, documents=EXPLORER_DOCS, query_timeout=20.0, request_timeout=20.0, row_limit=200
    )
    assert config.loopback and config.token is None
    with ServerThread(create_app(config)) as server:
        yield server


def run_schemathesis(schema) -> tuple[Statistic, list[str]]:
    """Run every phase the config enables; the statistics and the errors the engine met."""
    statistic, problems = Statistic(), []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            statistic.on_scenario_finished(event.recorder)
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return statistic, problems


def failures_in_words(statistic: Statistic) -> list[str]:
    return [
        f"{label}: {failure.title}: {failure.message}\n    {group.code_sample}"
        for label, groups in statistic.failures.items()
        for group in groups.values()
        for failure in group.failures
    ]


def test_the_api_keeps_the_promises_of_its_openapi_document(served):
    url = served.url + "api/openapi.json"
    schema = schemathesis.openapi.from_url(url, config=schemathesis.Config.from_dict(RUN))
    assert schema.raw_schema == httpx.get(url).json()  # the document the app serves, as it is
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    assert {"POST /api/cypher", "POST /api/queries/{name}", "POST /api/expand", "GET /api/search"} <= operations
    started = time.monotonic()
    statistic, problems = run_schemathesis(schema)
    elapsed = time.monotonic() - started
    failures = failures_in_words(statistic)
    print(
        f"\nschemathesis {schemathesis.SCHEMATHESIS_VERSION}: {statistic.total_cases} cases over "
        f"{len(operations)} operations, {len(failures)} failures, {statistic.errored_cases} errored, "
        f"in {elapsed:.1f} s"
    )
    assert not problems, "\n".join(problems)
    assert not failures, "\n".join(failures)
    assert statistic.errored_cases == 0
    assert statistic.tested_operations == operations
    assert statistic.total_cases >= 10 * len(operations)
