"""Exports: the torch snippet reproduces the app's numbers when pasted into python; the panels' CSV."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy
import pytest

from attn_tui.core.compute import analyse
from attn_tui.core.export import CSV_HEADER, panels_csv, python_snippet
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario

ODD_SCENARIO = Scenario(
    tokens=("it's", 'say "hi"', "back\\slash # not a comment", "ω", "x"),
    embeddings=((1e-8, -2.5, 3.0), (100.0, 0.1, -0.3), (0.333333333333, 2.0, 1.0), (-7.0, 0.0, 5.5), (1e3, 1e-3, 12.0)),
    query=3,
)
"""Labels that would break naive code generation, values from tiny to large."""


def run_snippet(code: str, scenario: Scenario, *, interactive: bool) -> dict[str, list[float]]:
    """Paste ``code`` into python (the interactive REPL, or as a script) and read what it prints."""
    args = [sys.executable, "-q", "-i"] if interactive else [sys.executable, "-"]
    result = subprocess.run(args, input=code, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    lines = result.stdout.replace(">>> ", "").replace("... ", "").splitlines()
    printed: dict[str, list[float]] = {}
    for line in lines:
        name, _, values = line.partition(":")
        if name in ("scores", "weights", "context"):
            printed[name] = [float(v) for v in values.split()]
    # Then one row per query token: 'label': scores | weights | context
    first = lines.index("every query (rows: scores | weights | context):") + 1
    every: list[float] = []
    for token, line in zip(scenario.tokens, lines[first:]):
        prefix = f"  {token!r}:"
        assert line.startswith(prefix), line
        every += [float(v) for v in line[len(prefix) :].replace("|", " ").split()]
    printed["every query"] = every
    return printed


def expected_numbers(scenario: Scenario) -> dict[str, list[float]]:
    analysis = analyse(scenario)
    every = []
    for q in range(scenario.n_tokens):
        every += analysis.all_queries.scores[q].tolist() + analysis.all_queries.weights[q].tolist() + analysis.all_queries.context[q].tolist()
    return {
        "scores": analysis.query.scores.tolist(),
        "weights": analysis.query.weights.tolist(),
        "context": analysis.query.context.tolist(),
        "every query": every,
    }


def assert_same_to_4_decimals(printed: dict[str, list[float]], expected: dict[str, list[float]]) -> None:
    assert printed.keys() == expected.keys()
    for name, values in expected.items():
        assert len(printed[name]) == len(values), name
        assert printed[name] == pytest.approx(values, abs=5.1e-5, rel=1e-4), name


@pytest.mark.parametrize("scenario", [SEED_EXAMPLE, SEED_EXAMPLE.with_value(0, 0, 1.0).with_query(2), ODD_SCENARIO], ids=["seed", "edited", "odd"])
def test_pasted_snippet_prints_the_apps_numbers(scenario):
    code = python_snippet(scenario)
    printed = run_snippet(code, scenario, interactive=True)
    assert_same_to_4_decimals(printed, expected_numbers(scenario))


def test_snippet_also_runs_as_a_script_and_prints_the_books_numbers():
    printed = run_snippet(python_snippet(SEED_EXAMPLE), SEED_EXAMPLE, interactive=False)
    assert [f"{v:.4f}" for v in printed["scores"]] == ["0.9544", "1.4950", "1.4754", "0.8434", "0.7070", "1.0865"]
    assert [f"{v:.4f}" for v in printed["weights"]] == ["0.1385", "0.2379", "0.2333", "0.1240", "0.1082", "0.1581"]
    assert [f"{v:.4f}" for v in printed["context"]] == ["0.4419", "0.6515", "0.5683"]


def test_snippet_keeps_every_value_exactly():
    code = python_snippet(ODD_SCENARIO)
    assert "[0.333333333333, 2.0, 1.0]," in code
    assert "1e-08" in code
    assert "query_index = 3" in code


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_panels_csv_has_the_query_scores_weights_and_context():
    analysis = analyse(SEED_EXAMPLE)
    text = panels_csv(analysis)
    assert text.splitlines()[0] == ",".join(CSV_HEADER)
    rows = read_csv(text)
    assert {row["query"] for row in rows} == {"journey"}
    scores = [row for row in rows if row["quantity"] == "score"]
    weights = [row for row in rows if row["quantity"] == "weight"]
    context = [row for row in rows if row["quantity"] == "context"]
    assert [row["token"] for row in scores] == list(SEED_EXAMPLE.tokens)
    assert [f"{float(row['value']):.4f}" for row in scores] == ["0.9544", "1.4950", "1.4754", "0.8434", "0.7070", "1.0865"]
    assert [f"{float(row['value']):.4f}" for row in weights] == ["0.1385", "0.2379", "0.2333", "0.1240", "0.1082", "0.1581"]
    assert [(row["dimension"], f"{float(row['value']):.4f}") for row in context] == [("1", "0.4419"), ("2", "0.6515"), ("3", "0.5683")]
    # float32 values in their shortest exact form (1.4950001), not float64 noise (1.4950000047683716)
    exact = analysis.query.scores.tolist()
    for row, value in zip(scores, exact):
        assert len(row["value"].lstrip("-").replace(".", "")) <= 9
        assert numpy.float32(row["value"]) == numpy.float32(value)


def test_panels_csv_of_the_matrix_view_has_every_query():
    analysis = analyse(SEED_EXAMPLE)
    rows = read_csv(panels_csv(analysis, every_query=True))
    n, d = SEED_EXAMPLE.n_tokens, SEED_EXAMPLE.n_dims
    assert len(rows) == n * (n + n + d)
    step = [row for row in rows if row["query"] == "step" and row["quantity"] == "weight"]
    expected = analysis.all_queries.weights[5].tolist()
    assert [float(row["value"]) for row in step] == pytest.approx(expected, abs=1e-7)
