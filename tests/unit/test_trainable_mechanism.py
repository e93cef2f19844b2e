"""Section 3.4 as a mechanism: the registry finds it, its defaults are the book's, its walk writes
the book's arithmetic, its exports reproduce the screen (the compute core has its own tests)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from attn_tui.core.compute import analyse
from attn_tui.core.export import panels_csv, python_snippet
from attn_tui.core.formatting import format_number
from attn_tui.core.scenario import SEED_EXAMPLE, ScenarioError
from attn_tui.core.walkthrough import build_walkthrough
from attn_tui.mechanisms import MECHANISMS, mechanism_named, neighbour
from attn_tui.mechanisms.trainable.walk import MATRIX, SCALING

TRAINABLE = mechanism_named("trainable")
BOOK = SEED_EXAMPLE.with_mechanism("trainable", TRAINABLE.default_parameters(SEED_EXAMPLE))


def numbers(values) -> list[str]:
    return [format_number(v) for v in values.tolist()]


def test_the_registry_lists_the_chapter_in_order_and_finds_by_name_or_section():
    assert [m.section for m in MECHANISMS][:2] == ["3.3", "3.4"]
    assert mechanism_named("3.4") is mechanism_named("trainable") is TRAINABLE
    assert neighbour("simple", 1) is TRAINABLE and neighbour("simple", -1) is MECHANISMS[-1]
    with pytest.raises(ScenarioError, match="unknown mechanism 'attention'"):
        mechanism_named("attention")


def test_the_defaults_are_the_books_weights():
    assert [numbers_ for numbers_ in (BOOK.matrix("W_q"),)] == [BOOK.parameters.matrix("W_q").rows]
    assert [format_number(v) for row in BOOK.matrix("W_q") for v in row] == ["0.2961", "0.5166", "0.2517", "0.6886", "0.0740", "0.8665"]
    assert [format_number(v) for row in BOOK.matrix("W_v") for v in row] == ["0.0756", "0.1966", "0.3164", "0.4017", "0.1186", "0.8274"]


def test_analysis_reproduces_section_3_4_1():
    analysis = analyse(BOOK)
    assert numbers(analysis.query.query) == ["0.4306", "1.4551"]
    assert numbers(analysis.query.scores) == ["1.2705", "1.8524", "1.8111", "1.0795", "0.5577", "1.5440"]
    assert numbers(analysis.query.weights) == ["0.1500", "0.2264", "0.2199", "0.1311", "0.0906", "0.1820"]
    assert numbers(analysis.query.context) == ["0.3061", "0.8210"]
    assert [numbers(row) for row in analysis.all_queries.context][0] == ["0.2996", "0.8053"]


def test_an_edit_of_a_weight_reuses_the_other_matrices_and_recomputes():
    before = analyse(BOOK)
    after = analyse(BOOK.with_matrix_value("W_k", 0, 0, 1.0), before)
    assert after.weights[0] is before.weights[0] and after.weights[2] is before.weights[2]
    assert after.inputs is before.inputs
    assert numbers(after.query.scores) != numbers(before.query.scores)
    assert numbers(after.query.query) == ["0.4306", "1.4551"]  # W_q is unchanged


def test_the_walk_writes_the_books_arithmetic_and_checks_the_matrix_form():
    walk = build_walkthrough(analyse(BOOK))
    assert walk.steps[0].arithmetic == ("q⁽²⁾₁ = 0.55×0.2961 + 0.87×0.2517 + 0.66×0.0740 = 0.4306",)
    assert walk.steps[0].cells_of("W_q") == {(0, 0), (1, 0), (2, 0)}
    score = next(step for step in walk.steps if step.title.startswith("ω₂₂"))
    assert score.arithmetic[0].endswith("= 1.8524")
    scaling = next(step for step in walk.steps if step.stage is SCALING)
    assert scaling.arithmetic[0] == "√d_k = √2 = 1.4142"
    check = walk.steps[-1]
    assert check.stage is MATRIX and check.stage.shows_matrix_view
    assert check.arithmetic[-1].startswith("equal ✓")
    assert walk.next_stage(0) == 1 and walk.progress(walk.end).known.matrices == 4


def test_the_walks_check_says_different_when_the_matrix_form_disagrees():
    """The check compares the matrix form's row with the loop form's result, not with itself."""
    import dataclasses

    analysis = analyse(BOOK)
    wrong = dataclasses.replace(analysis.all_queries, context=analysis.all_queries.context + 1.0)
    walk = build_walkthrough(dataclasses.replace(analysis, all_queries=wrong))
    assert walk.steps[-1].arithmetic[-1].startswith("different ✗")


def test_the_snippet_prints_the_screens_numbers():
    snippet = python_snippet(BOOK.with_query(0))
    result = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    analysis = analyse(BOOK.with_query(0))
    assert f"weights: {' '.join(numbers(analysis.query.weights))}" in result.stdout
    assert "'journey': 0.3061 0.8210" in result.stdout  # SelfAttention_v1's row for journey


def test_the_csv_has_q_k_v_and_the_scaled_scores():
    text = panels_csv(analyse(BOOK))
    assert "q,journey,,1,0.43063694" in text
    assert "k,journey,Your,1," in text and "v,journey,step,2," in text
    assert "scaled score,journey,Your,," in text
    every = panels_csv(analyse(BOOK), every_query=True)
    assert every.count("\ncontext,") == 2 * 6


def test_nn_linear_weights_give_self_attention_v2():
    scenario = SEED_EXAMPLE.with_mechanism("trainable", TRAINABLE.initialise(SEED_EXAMPLE, "linear", 789, 2))
    rows = [numbers(row) for row in analyse(scenario).all_queries.context]
    assert rows[0] == ["-0.0739", "0.0713"] and rows[-1] == ["-0.0754", "0.0693"]
