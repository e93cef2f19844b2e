"""Section 3.6 as a mechanism: its defaults are the book's MultiHeadAttention (seed 123, d_out 2,
2 heads), the wrapper is one choice away, heads and the shown head are settings that refuse what
the book refuses, the walk ends with the concatenation and out_proj, and the exports reproduce
the screen (the compute core and its cross-checks against torch have their own tests)."""

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
from attn_tui.mechanisms.multihead.walk import HEADS

MULTIHEAD = mechanism_named("3.6")
BOOK = SEED_EXAMPLE.with_mechanism("multihead", MULTIHEAD.default_parameters(SEED_EXAMPLE))
WRAPPER = BOOK.with_mechanism("multihead", MULTIHEAD.initialise(BOOK, "wrapper", 123, 2))


def numbers(values) -> list[str]:
    return [format_number(v) for v in values.tolist()]


def test_3_6_follows_3_5_and_wraps_around_to_3_3():
    assert neighbour("causal", 1) is MULTIHEAD and neighbour("multihead", 1).section == "3.3"


def test_the_defaults_are_the_books_multi_head_attention():
    analysis = analyse(BOOK)
    assert analysis.variant == "split" and analysis.num_heads == 2
    assert numbers(analysis.every_head_query.context) == ["0.2943", "0.3897"]
    rows = [numbers(row) for row in analysis.output]
    assert rows[0] == ["0.3190", "0.4858"] and rows[-1] == ["0.2575", "0.4028"]
    assert [spec.name for spec in MULTIHEAD.matrix_specs(BOOK)] == ["W_q", "W_k", "W_v", "W_out", "b_out"]


def test_the_wrapper_concatenates_the_books_causal_heads():
    analysis = analyse(WRAPPER)
    assert numbers(analysis.output[0]) == ["-0.4519", "0.2216", "0.4772", "0.1063"]
    assert [spec.name for spec in MULTIHEAD.matrix_specs(WRAPPER)][:4] == ["W_q.1", "W_k.1", "W_v.1", "W_q.2"]
    assert MULTIHEAD.d_out(WRAPPER) == 2  # per head


def test_the_shown_head_is_a_causal_analysis_of_that_head():
    second = analyse(BOOK.with_parameter("head", 2))
    assert second.head == 1 and second.d_out == 1 and second.column_offset == 1
    assert numbers(second.query.context) == numbers(second.every_head_query.head_contexts[1])
    walk = build_walkthrough(second)
    assert walk.steps[0].cells_of("W_q") == {(0, 1), (1, 1), (2, 1)}  # head 2's column of the split W_q


def test_heads_that_do_not_divide_d_out_are_refused_with_a_message():
    with pytest.raises(ScenarioError, match=r"d_out \(2\) must be divisible by the number of heads \(3\)"):
        MULTIHEAD.check_settings(BOOK, {"heads": 3})
    with pytest.raises(ScenarioError, match="d_out \\(3\\) must be divisible"):
        MULTIHEAD.initialise(BOOK, "split", 123, 3)
    with pytest.raises(ScenarioError, match="the head shown must be from 1 to 2"):
        MULTIHEAD.check_settings(BOOK, {"head": 3})
    MULTIHEAD.check_settings(BOOK, {"heads": 1})  # h = d_out … and 1 head are fine
    one = BOOK.with_mechanism("multihead", MULTIHEAD.with_settings(BOOK, {"heads": 1}))
    assert analyse(one).num_heads == 1


def test_the_wrapper_gains_and_loses_heads_with_their_own_weights():
    three = WRAPPER.with_mechanism("multihead", MULTIHEAD.with_settings(WRAPPER, {"heads": 3}))
    assert "W_v.3" in three.parameters and analyse(three).output.shape == (6, 6)
    assert three.matrix("W_q.1") == WRAPPER.matrix("W_q.1")
    one = three.with_mechanism("multihead", MULTIHEAD.with_settings(three, {"heads": 1, "head": 1}))
    assert "W_q.2" not in one.parameters and numbers(analyse(one).output[0]) == ["-0.4519", "0.2216"]


def test_the_walk_ends_with_the_concatenation_and_out_proj():
    walk = build_walkthrough(analyse(BOOK))
    concat, projection = [step for step in walk.steps if step.stage is HEADS]
    assert concat.arithmetic[-1] == "concat = [-0.5889, 0.0122]"
    assert projection.arithmetic[-1] == "z⁽²⁾ = 0.1010 + 0.1934 = 0.2943, -0.2929 + 0.6825 = 0.3897"
    assert walk.steps[-1].cells_of("b_out") == {(0, 0), (0, 1)}
    wrapper = build_walkthrough(analyse(WRAPPER))
    assert wrapper.steps[-1].arithmetic[-1] == "concat = [-0.5874, 0.0058, 0.5891, 0.3257]"


def test_a_saved_scenario_keeps_the_variant_heads_and_every_matrix(tmp_path):
    scenario = WRAPPER.with_parameter("head", 2).with_parameter("training", True)
    save_scenario(tmp_path / "heads.json", scenario)
    assert load_file(tmp_path / "heads.json").scenario == scenario


@pytest.mark.parametrize("scenario", [BOOK, WRAPPER.with_parameter("training", True)], ids=["split", "wrapper training"])
def test_the_snippet_builds_the_books_module_and_prints_the_screens_numbers(scenario):
    result = subprocess.run([sys.executable, "-c", python_snippet(scenario)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    analysis = analyse(scenario)
    assert f"context: {' '.join(numbers(analysis.output[scenario.query]))}" in result.stdout
    assert f"'step': {' '.join(numbers(analysis.output[-1]))}" in result.stdout


def test_the_csv_has_every_head_and_the_output():
    text = panels_csv(analyse(BOOK))
    assert "head 2 context,journey,,1,0.012" in text and "context,journey,,2,0.389" in text


def test_an_edit_of_one_weight_equals_a_fresh_computation_and_a_query_change_reuses_every_head():
    before = analyse(BOOK)
    edited = BOOK.with_matrix_value("W_out", 1, 0, 2.0)
    after = analyse(edited, before)
    assert after.tensors["W_q"] is before.tensors["W_q"]  # unchanged matrices are not converted again
    assert after.tensors["W_out"] is not before.tensors["W_out"] and float(after.tensors["W_out"][1, 0]) == 2.0
    assert after.output.equal(analyse(edited).output) and not after.output.equal(before.output)
    moved = analyse(edited.with_query(0), after)
    assert moved.every_head is after.every_head and numbers(moved.every_head_query.context) == numbers(after.output[0])


WIDER = BOOK.with_mechanism("multihead", MULTIHEAD.initialise(BOOK, "split", 5, 4)).with_parameter("training", True)
"""Two heads of two columns each, dropout acting: an edit can reach one head or both."""
WIDER_WRAPPER = WIDER.with_mechanism("multihead", MULTIHEAD.initialise(WIDER, "wrapper", 123, 2))

CHANGES = {
    "W_q, head 1's column": (WIDER, lambda s: s.with_matrix_value("W_q", 0, 1, 0.25), {1}),
    "W_k, head 2's column": (WIDER, lambda s: s.with_matrix_value("W_k", 2, 3, -0.5), {0}),
    "W_v, head 2's column": (WIDER, lambda s: s.with_matrix_value("W_v", 1, 2, 1.5), {0}),
    "W_out, head 1's row": (WIDER, lambda s: s.with_matrix_value("W_out", 0, 3, 2.0), {0, 1}),
    "b_out": (WIDER, lambda s: s.with_matrix_value("b_out", 0, 1, 0.75), {0, 1}),
    "an embedding": (WIDER, lambda s: s.with_value(2, 1, 0.1), set()),
    "dropout's seed": (WIDER, lambda s: s.with_parameter("dropout_seed", 7), set()),
    "evaluation": (WIDER, lambda s: s.with_parameter("training", False), set()),
    "a weight of -0.0 for 0.0": (WIDER.with_matrix_value("W_q", 1, 0, 0.0), lambda s: s.with_matrix_value("W_q", 1, 0, -0.0), {1}),
    "the heads": (WIDER, lambda s: s.with_mechanism("multihead", MULTIHEAD.with_settings(s, {"heads": 4})), set()),
    "the wrapper's head 2": (WIDER_WRAPPER, lambda s: s.with_matrix_value("W_k.2", 0, 1, 0.5), {0}),
    "the wrapper's embeddings": (WIDER_WRAPPER, lambda s: s.with_value(0, 0, 0.9), set()),
    "the wrapper's heads": (WIDER_WRAPPER, lambda s: s.with_mechanism("multihead", MULTIHEAD.with_settings(s, {"heads": 3})), {0, 1}),
}


def _same_bits(a, b) -> bool:
    return a.shape == b.shape and bool((a.view(torch.int32) == b.view(torch.int32)).all())


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_an_edit_reuses_the_heads_it_left_alone_and_equals_a_fresh_computation_bit_for_bit(change):
    """What an edit cannot reach is lent by the analysis before it (one head of twelve for one cell
    of W_q); the numbers are still exactly those computed afresh, -0.0 and all."""
    start, edit, untouched = change
    before = analyse(start)
    edited = edit(start)
    after, fresh = analyse(edited, before), analyse(edited)
    assert _same_bits(after.output, fresh.output)
    for k, (head, expected) in enumerate(zip(after.every_head.heads, fresh.every_head.heads, strict=True)):
        for name in ("queries", "keys", "values", "weights", "dropped_weights", "context"):
            assert _same_bits(getattr(head, name), getattr(expected, name)), (k, name)
        kept = k < before.num_heads and head is before.every_head.heads[k]
        assert kept == (k in untouched and before.dropout == after.dropout), k
    assert _same_bits(after.query.context, fresh.query.context)
    assert [numbers(c) for c in after.every_head_query.head_contexts] == [numbers(c) for c in fresh.every_head_query.head_contexts]


def test_a_change_of_the_query_or_of_the_head_shown_computes_no_head_again():
    before = analyse(WIDER)
    for changed in (WIDER.with_query(4), WIDER.with_parameter("head", 2)):
        after = analyse(changed, before)
        assert after.every_head is before.every_head
        assert _same_bits(after.query.weights, analyse(changed).query.weights)
