"""Section 3.5 as a mechanism: its defaults are the book's (SelfAttention_v2's weights, causal,
dropout off), its walk writes the mask and dropout with the book's numbers, its settings keep
their values in files, and its exports reproduce the screen (the compute core has its own tests)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from attn_tui.core.compute import analyse
from attn_tui.core.export import panels_csv, python_snippet
from attn_tui.core.files import load_file, save_scenario
from attn_tui.core.formatting import format_number
from attn_tui.core.scenario import SEED_EXAMPLE, ScenarioError
from attn_tui.core.walkthrough import build_walkthrough
from attn_tui.mechanisms import mechanism_named, neighbour
from attn_tui.mechanisms.causal import DROPOUT_P, DROPOUT_SEED, TRAINING
from attn_tui.mechanisms.causal.walk import DROPOUT, MASK, MATRIX, SOFTMAX

CAUSAL = mechanism_named("3.5")
BOOK = SEED_EXAMPLE.with_mechanism("causal", CAUSAL.default_parameters(SEED_EXAMPLE))
TRAINING_BOOK = BOOK.with_parameter("training", True)

CAUSAL_WEIGHTS = [  # 3.5.1
    ["1.0000"],
    ["0.5517", "0.4483"],
    ["0.3800", "0.3097", "0.3103"],
    ["0.2758", "0.2460", "0.2462", "0.2319"],
    ["0.2175", "0.1983", "0.1984", "0.1888", "0.1971"],
    ["0.1935", "0.1663", "0.1666", "0.1542", "0.1666", "0.1529"],
]
DROPPED_WEIGHTS = [  # 3.5.2, p = 0.5, seed 123
    ["2.0000", "0.0000", "0.0000", "0.0000", "0.0000", "0.0000"],
    ["0.0000", "0.0000", "0.0000", "0.0000", "0.0000", "0.0000"],
    ["0.7599", "0.6194", "0.6206", "0.0000", "0.0000", "0.0000"],
    ["0.0000", "0.4921", "0.4925", "0.0000", "0.0000", "0.0000"],
    ["0.0000", "0.3966", "0.0000", "0.3775", "0.0000", "0.0000"],
    ["0.0000", "0.3327", "0.3331", "0.3084", "0.3331", "0.0000"],
]


def numbers(values) -> list[str]:
    return [format_number(v) for v in values.tolist()]


def test_3_5_follows_3_4_in_the_registry():
    assert CAUSAL.name == "causal" and mechanism_named("causal") is CAUSAL
    assert neighbour("trainable", 1) is CAUSAL


def test_the_defaults_are_self_attention_v2s_weights_causal_and_dropout_off():
    assert BOOK.parameters["dropout_p"] == 0.5 and BOOK.parameters["dropout_seed"] == 123
    assert BOOK.parameters["training"] is False
    analysis = analyse(BOOK)
    assert not analysis.dropout.active
    assert numbers(analysis.query.weights) == ["0.5517", "0.4483", "0.0000", "0.0000", "0.0000", "0.0000"]
    assert [numbers(row)[: i + 1] for i, row in enumerate(analysis.all_queries.weights)] == CAUSAL_WEIGHTS
    masked = analysis.all_queries.masked_scores
    assert numbers(masked[5]) == ["0.3408", "0.1270", "0.1290", "0.0198", "0.1290", "0.0078"]
    assert masked[0, 1] == float("-inf")


def test_the_first_way_gives_the_books_intermediate_and_agrees_with_the_second():
    query = analyse(BOOK).query
    assert numbers(query.tril_weights)[:2] == ["0.2041", "0.1659"]
    assert numbers(analyse(BOOK.with_query(0)).query.tril_weights)[0] == "0.1921"
    assert numbers(query.renormalised_weights) == numbers(query.weights)
    assert query.first_way_max_difference < 1e-6


def test_training_with_p_0_5_and_seed_123_gives_the_books_dropout_matrix():
    analysis = analyse(TRAINING_BOOK)
    assert [numbers(row) for row in analysis.all_queries.dropped_weights] == DROPPED_WEIGHTS
    assert numbers(analysis.query.dropped_weights) == DROPPED_WEIGHTS[1]
    assert numbers(analysis.query.context) == ["0.0000", "0.0000"]  # both of journey's weights dropped


def test_an_edit_elsewhere_keeps_the_dropout_mask_and_the_next_seed_redraws_it():
    before = analyse(TRAINING_BOOK)
    edited = analyse(TRAINING_BOOK.with_matrix_value("W_v", 0, 0, 1.0), before)
    assert edited.all_queries.dropped.equal(before.all_queries.dropped)
    redrawn = analyse(TRAINING_BOOK.with_parameter("dropout_seed", 124), edited)
    assert not redrawn.all_queries.dropped.equal(before.all_queries.dropped)


def test_an_edit_recomputes_only_what_it_reaches_and_equals_a_fresh_computation():
    """An edit of W_q computes neither K nor V again, another dropout seed not the softmax, another
    query nothing at all; the numbers are those computed afresh, bit for bit."""
    before = analyse(TRAINING_BOOK)
    for changed, kept in (
        (TRAINING_BOOK.with_matrix_value("W_q", 0, 1, 0.5), ("keys", "values")),
        (TRAINING_BOOK.with_matrix_value("W_v", 2, 0, 0.5), ("queries", "keys", "weights")),
        (TRAINING_BOOK.with_parameter("dropout_seed", 5), ("queries", "keys", "values", "weights")),
    ):
        after, fresh = analyse(changed, before).all_queries, analyse(changed).all_queries
        for name in ("queries", "keys", "values", "weights", "dropped_weights", "context"):
            assert getattr(after, name).view(torch.int32).equal(getattr(fresh, name).view(torch.int32)), name
            assert (getattr(after, name) is getattr(before.all_queries, name)) == (name in kept), name
    assert analyse(TRAINING_BOOK.with_query(4), before).all_queries is before.all_queries


def test_the_causal_attention_initialisation_gives_section_3_5_3():
    scenario = BOOK.with_mechanism("causal", CAUSAL.initialise(BOOK, "causal", 123, 2))
    rows = [numbers(row) for row in analyse(scenario).all_queries.context]
    assert rows[0] == ["-0.4519", "0.2216"] and rows[-1] == ["-0.5299", "-0.1081"]
    # New weights keep the dropout settings.
    kept = CAUSAL.initialise(TRAINING_BOOK, "causal", 123, 2)
    assert kept["training"] is True and kept["dropout_p"] == 0.5


def test_settings_parse_and_refuse_with_a_message():
    assert DROPOUT_P.parse(" 0.25 ") == 0.25 and DROPOUT_SEED.parse("7") == 7
    assert TRAINING.parse("on") is True and TRAINING.parse("eval") is False
    with pytest.raises(ScenarioError, match="dropout p must be from 0 to 0.9, not 0.95"):
        DROPOUT_P.parse("0.95")
    with pytest.raises(ScenarioError, match="dropout seed must be a whole number"):
        DROPOUT_SEED.parse("1.5")
    with pytest.raises(ScenarioError, match="training is on or off"):
        TRAINING.parse("maybe")


def test_a_hand_written_file_with_a_bad_setting_falls_back_to_the_default():
    assert CAUSAL.setting(BOOK.with_parameter("dropout_p", 3.0), "dropout_p") == 0.5
    assert CAUSAL.setting(BOOK.with_parameter("dropout_p", 0), "dropout_p") == 0.0
    assert CAUSAL.setting(BOOK.with_parameter("training", 1), "training") is False


def test_a_saved_scenario_keeps_p_seed_training_and_every_matrix(tmp_path):
    scenario = TRAINING_BOOK.with_parameter("dropout_p", 0.3).with_parameter("dropout_seed", 9)
    save_scenario(tmp_path / "causal.json", scenario)
    loaded = load_file(tmp_path / "causal.json").scenario
    assert loaded == scenario


def test_the_walk_masks_then_drops_with_the_books_numbers():
    walk = build_walkthrough(analyse(TRAINING_BOOK))
    mask = next(step for step in walk.steps if step.stage is MASK)
    assert mask.arithmetic == ("masked ω₂ᵢ/√d_k = 0.3293, 0.1218, −∞, −∞, −∞, −∞",)
    weights = [step for step in walk.steps if step.stage is SOFTMAX and step.token is not None]
    assert weights[1].arithmetic[0].endswith("= 0.4483") and "(masked)" in weights[2].arithmetic[0]
    dropout = next(step for step in walk.steps if step.stage is DROPOUT)
    assert dropout.arithmetic[1:3] == ("α₂₁: 0.5517 → 0 (dropped)", "α₂₂: 0.4483 → 0 (dropped)")
    assert "1/(1−p) = 2.0000" in dropout.arithmetic[0]
    third = build_walkthrough(analyse(TRAINING_BOOK.with_query(2)))
    kept = next(step for step in third.steps if step.stage is DROPOUT)
    assert kept.arithmetic[1] == "α₃₁: 0.3800 → ×2.0000 = 0.7599"
    check = walk.steps[-1]
    assert check.stage is MATRIX and check.arithmetic[-1].startswith("equal ✓")
    assert walk.progress(walk.end).known.dropout and walk.next_stage(0) == 1


def test_without_training_the_dropout_step_says_why_nothing_happens():
    walk = build_walkthrough(analyse(BOOK))
    dropout = next(step for step in walk.steps if step.stage is DROPOUT)
    assert "evaluation mode" in dropout.arithmetic[0]
    context = [step for step in walk.steps if step.title.startswith("z⁽²⁾ +=")]
    assert context[-1].arithmetic[-1] == "z⁽²⁾ = [-0.0991, 0.0501]  (done)"


def test_the_snippet_builds_causal_attention_and_prints_the_screens_numbers():
    for scenario in (BOOK, TRAINING_BOOK.with_query(2)):
        result = subprocess.run([sys.executable, "-c", python_snippet(scenario)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        analysis = analyse(scenario)
        assert f"after dropout: {' '.join(numbers(analysis.query.dropped_weights))}" in result.stdout
        assert f"context: {' '.join(numbers(analysis.query.context))}" in result.stdout
    assert "'starts': 0.0000 0.0000" not in result.stdout and "ca.train()" in python_snippet(TRAINING_BOOK)


def test_the_csv_has_the_masked_scores_and_the_weights_after_dropout():
    text = panels_csv(analyse(TRAINING_BOOK))
    assert "masked scaled score,journey,starts,,-inf" in text
    assert "weight after dropout,journey,Your,,0.0" in text
    every = panels_csv(analyse(TRAINING_BOOK), every_query=True)
    assert "weight after dropout,Your,Your,,2.0" in every
