"""The independent reference (tests/oracle.py) against the book's printed numbers, and the
comparison the app's tests make with it."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from oracle import matches_printed, mismatches, simple_attention, simple_attention_all, softmax

BOOK_INPUTS = [
    [0.43, 0.15, 0.89],
    [0.55, 0.87, 0.66],
    [0.57, 0.85, 0.64],
    [0.22, 0.58, 0.33],
    [0.77, 0.25, 0.10],
    [0.05, 0.80, 0.55],
]
# /work/shared/reference/chapter3-values.md, sections 3.3.1 and 3.3.2.
BOOK_SCORES_2 = "0.9544 1.4950 1.4754 0.8434 0.7070 1.0865".split()
BOOK_WEIGHTS_2 = "0.1385 0.2379 0.2333 0.1240 0.1082 0.1581".split()
BOOK_CONTEXT_2 = "0.4419 0.6515 0.5683".split()
BOOK_ALL_WEIGHTS = [
    "0.2098 0.2006 0.1981 0.1242 0.1220 0.1452".split(),
    "0.1385 0.2379 0.2333 0.1240 0.1082 0.1581".split(),
    "0.1390 0.2369 0.2326 0.1242 0.1108 0.1565".split(),
    "0.1435 0.2074 0.2046 0.1462 0.1263 0.1720".split(),
    "0.1526 0.1958 0.1975 0.1367 0.1879 0.1295".split(),
    "0.1385 0.2184 0.2128 0.1420 0.0988 0.1896".split(),
]
BOOK_ALL_CONTEXT = [
    "0.4421 0.5931 0.5790".split(),
    "0.4419 0.6515 0.5683".split(),
    "0.4431 0.6496 0.5671".split(),
    "0.4304 0.6298 0.5510".split(),
    "0.4671 0.5910 0.5266".split(),
    "0.4177 0.6503 0.5645".split(),
]


def test_the_reference_gives_the_books_numbers_for_journey():
    journey = simple_attention(BOOK_INPUTS, 1)
    assert [f"{v:.4f}" for v in journey.scores] == BOOK_SCORES_2
    assert [f"{v:.4f}" for v in journey.weights] == BOOK_WEIGHTS_2
    assert [f"{v:.4f}" for v in journey.context] == BOOK_CONTEXT_2
    assert not mismatches("scores", BOOK_SCORES_2, journey.scores, journey.score_slack)


def test_the_reference_gives_the_books_matrices_for_every_query():
    every = simple_attention_all(BOOK_INPUTS)
    assert [[f"{v:.4f}" for v in row.weights] for row in every] == BOOK_ALL_WEIGHTS
    assert [[f"{v:.4f}" for v in row.context] for row in every] == BOOK_ALL_CONTEXT


def test_the_slack_is_far_below_a_printed_digit_for_the_books_numbers():
    journey = simple_attention(BOOK_INPUTS, 1)
    for slack in (*journey.score_slack, *journey.weight_slack, *journey.context_slack):
        assert 0 < slack < 1e-5


def test_softmax_never_overflows_and_sums_to_one():
    weights = softmax([1000.0, 999.0, -1000.0])
    assert math.isclose(math.fsum(weights), 1.0)
    assert weights[2] == 0.0 and weights[0] > weights[1] > 0


@pytest.mark.parametrize(
    "text, value, slack, expected",
    [
        ("0.4419", 0.44190, 0.0, True),
        ("0.4418", 0.44185, 0.0, True),  # a rounding boundary: either neighbour is right
        ("0.4419", 0.44185, 0.0, True),
        ("0.4420", 0.44185, 0.0, False),
        ("0.4421", 0.44190, 0.0, False),  # two units off: a wrong digit
        ("0.4421", 0.44190, 2e-4, True),  # unless float32 may really be that far off
        ("1.2346e+07", 12_345_600.0, 0.0, True),
        ("1.2348e+07", 12_345_600.0, 0.0, False),
        ("NaN", 0.5, 0.0, False),
        ("inf", 1e30, 0.0, False),
        ("inf", 1e39, math.inf, True),  # float32 overflowed on the way: nothing to check
    ],
)
def test_a_printed_number_matches_within_one_unit_and_the_slack(text, value, slack, expected):
    assert matches_printed(text, value, slack) is expected


def test_a_wrong_number_on_screen_is_reported():
    journey = simple_attention(BOOK_INPUTS, 1)
    shown = list(BOOK_WEIGHTS_2)
    shown[3] = "0.1250"
    assert mismatches("weights", shown, journey.weights, journey.weight_slack) == [
        f"weights[3]: shown 0.1250, reference {journey.weights[3]!r} ± {journey.weight_slack[3]:.3g}"
    ]


def test_huge_values_that_cancel_get_a_slack_as_large_as_float32s_error():
    # 1e7·1e7 − 1e7·1e7 + 1·1: float32 cannot keep the 1 beside 1e14, and the slack says so.
    inputs = [[1e7, 1e7, 1.0], [1e7, -1e7, 1.0]]
    result = simple_attention(inputs, 1)
    assert result.scores[0] == 1.0
    assert result.score_slack[0] > 1e6


def test_the_reference_shares_nothing_with_the_code_under_test():
    tree = ast.parse(Path(__file__).parent.parent.joinpath("oracle.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "math", "re", "dataclasses", "typing"}, imported
