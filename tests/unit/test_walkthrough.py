"""The walkthrough as data (attn_tui.core.walkthrough): steps, numbers, order, and following edits."""

from __future__ import annotations

import pytest

from attn_tui.core.compute import analyse
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.core.walkthrough import build_walkthrough
from attn_tui.mechanisms.simple.walk import CONTEXT, MATRIX, NORMALISATION, SCORES, STAGES, Known

BOOK_SCORES = ["0.9544", "1.4950", "1.4754", "0.8434", "0.7070", "1.0865"]
BOOK_WEIGHTS = ["0.1385", "0.2379", "0.2333", "0.1240", "0.1082", "0.1581"]


def walk(scenario=SEED_EXAMPLE):
    return build_walkthrough(analyse(scenario))


def stage_steps(walkthrough, stage):
    return [step for step in walkthrough.steps if step.stage is stage]


def test_the_first_step_is_the_first_dot_product_written_out():
    first = walk().steps[0]
    assert first.stage is SCORES
    assert first.arithmetic == ("ω₂₁ = x⁽¹⁾·x⁽²⁾ = 0.43×0.55 + 0.15×0.87 + 0.89×0.66 = 0.9544",)
    assert first.known == Known(scores=1)
    # It reads "Your" and the query "journey", every dimension of both.
    assert first.cells == {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)}
    assert first.rows == (0, 1) and first.reads_query and first.token == 0


def test_stage_one_gives_the_books_scores_one_per_step():
    steps = stage_steps(walk(), SCORES)
    assert [step.arithmetic[0].rsplit(" = ", 1)[1] for step in steps] == BOOK_SCORES
    assert [step.known.scores for step in steps] == [1, 2, 3, 4, 5, 6]


def test_stage_two_exps_their_sum_then_each_weight():
    steps = stage_steps(walk(), NORMALISATION)
    assert len(steps) == 6 + 1 + 6
    assert steps[0].arithmetic == ("exp ω₂₁ = exp(0.9544) = 2.5971",)
    assert steps[6].arithmetic == (
        "Σⱼ exp ω₂ⱼ = 2.5971 + 4.4593 + 4.3728 + 2.3243 + 2.0279 + 2.9639 = 18.7453",
    )
    assert steps[6].known.exp_sum and steps[6].known.weights == 0
    weights = steps[7:]
    assert weights[0].arithmetic == ("α₂₁ = exp ω₂₁ / Σⱼ exp ω₂ⱼ = 2.5971 / 18.7453 = 0.1385",)
    assert [step.arithmetic[0].rsplit(" = ", 1)[1] for step in weights] == BOOK_WEIGHTS
    assert all(not step.cells for step in steps)  # it reads scores, not the grid
    assert all(not step.note for step in steps)


def test_stage_three_accumulates_the_context_vector_to_the_books_result():
    steps = stage_steps(walk(), CONTEXT)
    assert len(steps) == 6
    assert steps[0].arithmetic == (
        "α₂₁·x⁽¹⁾ = 0.1385 × [0.43, 0.15, 0.89] = [0.0596, 0.0208, 0.1233]",
        "z⁽²⁾ = [0.0596, 0.0208, 0.1233]  (after 1 of 6)",
    )
    last = steps[-1]
    assert "z⁽²⁾ = [0.4419, 0.6515, 0.5683]" in last.arithmetic[-1]
    assert "0.4419" in last.arithmetic[-1] and "0.6515" in last.arithmetic[-1] and "0.5683" in last.arithmetic[-1]
    assert [step.cells for step in steps] == [{(i, 0), (i, 1), (i, 2)} for i in range(6)]
    assert [step.known.context_terms for step in steps] == [1, 2, 3, 4, 5, 6]


def test_stage_four_is_the_matrix_form_checked_against_the_loops():
    steps = stage_steps(walk(), MATRIX)
    assert [step.title for step in steps] == ["ω = X·Xᵀ", "A = softmax(ω) by row", "Z = A·X", "Z[2] = z⁽²⁾"]
    assert "row 2 (journey): " + " ".join(BOOK_SCORES) in steps[0].arithmetic
    assert "row 2 (journey): " + " ".join(BOOK_WEIGHTS) in steps[1].arithmetic
    assert "row sums: " + " ".join(["1.0000"] * 6) in steps[1].arithmetic
    assert "row 2 (journey): [0.4419, 0.6515, 0.5683]" in steps[2].arithmetic
    assert steps[3].arithmetic[-1].startswith("equal ✓")
    assert [step.known.matrices for step in steps] == [1, 2, 3, 4]
    assert len(steps[0].cells) == 18  # every embedding


def test_stages_come_in_the_seeds_order_and_results_only_grow():
    walkthrough = walk()
    numbers = [step.stage.number for step in walkthrough.steps]
    assert numbers == [1] * 6 + [2] * 13 + [3] * 6 + [4] * 4
    assert [stage.number for stage in STAGES] == [1, 2, 3, 4]
    assert all(stage.explanation for stage in STAGES)
    previous = Known()
    for step in walkthrough.steps:
        for field in Known.__dataclass_fields__:
            assert getattr(step.known, field) >= getattr(previous, field), (step.title, field)
        previous = step.known
    assert walkthrough.known_at(walkthrough.end) == Known.everything(6)
    assert walkthrough.known_at(0) == Known()


def test_positions_stages_and_clamping():
    walkthrough = walk()
    assert walkthrough.end == 29
    assert walkthrough.step_at(0) is None
    assert walkthrough.step_at(1) is walkthrough.steps[0]
    assert walkthrough.clamp(-3) == 0 and walkthrough.clamp(99) == 29
    assert [walkthrough.stage_start(stage) for stage in STAGES] == [1, 7, 20, 26]
    assert walkthrough.next_stage(0) == 1
    assert walkthrough.next_stage(3) == 7
    assert walkthrough.next_stage(26) == 29  # from the last stage: the end
    assert walkthrough.previous_stage(9) == 7  # back to this stage's start …
    assert walkthrough.previous_stage(7) == 1  # … or, from there, the previous stage's
    assert walkthrough.previous_stage(1) == 0
    progress = walkthrough.progress(8)
    assert progress.stage is NORMALISATION and progress.reads(NORMALISATION) == 1 and progress.reads(SCORES) is None
    assert "x⁽²⁾ “journey”" in walkthrough.intro()


def test_steps_follow_an_edit():
    edited = walk(SEED_EXAMPLE.with_value(0, 0, 1.0))
    assert edited.steps[0].arithmetic == ("ω₂₁ = x⁽¹⁾·x⁽²⁾ = 1×0.55 + 0.15×0.87 + 0.89×0.66 = 1.2679",)
    assert edited.end == walk().end


def test_steps_follow_a_query_change():
    starts = walk(SEED_EXAMPLE.with_query(2))
    assert starts.steps[0].arithmetic == ("ω₃₁ = x⁽¹⁾·x⁽³⁾ = 0.43×0.57 + 0.15×0.85 + 0.89×0.64 = 0.9422",)
    assert starts.steps[0].rows == (0, 2)
    assert "z⁽³⁾ = [0.4431, 0.6496, 0.5671]" in stage_steps(starts, CONTEXT)[-1].arithmetic[-1]
    assert "row 3 (starts): [0.4431, 0.6496, 0.5671]" in stage_steps(starts, MATRIX)[2].arithmetic


@pytest.mark.parametrize("query", range(6))
def test_the_matrix_check_holds_for_every_query(query):
    assert stage_steps(walk(SEED_EXAMPLE.with_query(query)), MATRIX)[-1].arithmetic[-1].startswith("equal ✓")


def test_exp_overflow_is_explained_and_the_stable_weights_carry_on():
    # journey · dim 1 = 100 gives ω₂₂ ≈ 10001: exp overflows float32.
    walkthrough = walk(SEED_EXAMPLE.with_value(1, 0, 100.0))
    steps = stage_steps(walkthrough, NORMALISATION)
    assert steps[1].arithmetic[0].endswith("= inf")
    assert "overflows" in steps[1].note
    assert steps[6].arithmetic[0].endswith("= inf")
    journey = steps[8]
    assert journey.arithmetic[0].endswith("inf / inf = NaN")
    assert journey.arithmetic[1] == "torch.softmax: α₂₂ = 1.0000"
    assert "subtracts the largest score" in journey.note
    assert "z⁽²⁾ = [100.0000, 0.8700, 0.6600]" in stage_steps(walkthrough, CONTEXT)[-1].arithmetic[-1]


def test_negative_factors_are_parenthesised():
    walkthrough = walk(SEED_EXAMPLE.with_value(0, 1, -0.15))
    assert walkthrough.steps[0].arithmetic == ("ω₂₁ = x⁽¹⁾·x⁽²⁾ = 0.43×0.55 + (-0.15)×0.87 + 0.89×0.66 = 0.6934",)


def test_the_matrix_check_says_different_when_the_matrix_row_differs_from_the_loops():
    """The check must be able to fail: a matrix row that is not the loops' result is called
    different, with the size of the difference (issue 15 §2: comparing the loops with themselves
    passed every test)."""
    from dataclasses import replace

    analysis = analyse(SEED_EXAMPLE)
    context = analysis.all_queries.context.clone()
    context[SEED_EXAMPLE.query, 1] += 0.01  # z⁽²⁾'s second entry, in the matrix form only
    skewed = replace(analysis, all_queries=replace(analysis.all_queries, context=context))
    check = stage_steps(build_walkthrough(skewed), MATRIX)[-1].arithmetic
    assert check[0] == "Z[2] = [0.4419, 0.6615, 0.5683]"
    assert check[1] == "z⁽²⁾ = [0.4419, 0.6515, 0.5683]  (the loops)"
    assert check[2].startswith("different ✗  (largest difference 1.0e-02)"), check[2]
    assert stage_steps(walk(), MATRIX)[-1].arithmetic[2].startswith("equal ✓")
