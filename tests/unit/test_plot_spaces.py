"""Sections 3.5 and 3.6 on the vector plot (mechanisms/causal/plot.py, mechanisms/multihead/plot.py),
with the book's defaults and numbers (chapter3-values.md), without Textual or plotext."""

from __future__ import annotations

import pytest

from attn_tui.core.plot_data import (
    CONTEXT,
    DROPPED,
    GLYPHS,
    HIGH,
    MASKED,
    PATH,
    QUERY,
    TOKENS,
    Plane,
    legend,
    plane_data,
    planes_for,
)
from attn_tui.core.scenario import SEED_EXAMPLE
from attn_tui.mechanisms import mechanism_named
from attn_tui.mechanisms.causal.walk import MASK
from book_chapter3 import CAUSAL_ATTENTION, CAUSAL_WEIGHTS, MULTIHEAD, WRAPPER

CAUSAL = mechanism_named("3.5")
MULTIHEAD_ATTENTION = mechanism_named("3.6")
BOOK_3_5 = SEED_EXAMPLE.with_mechanism("causal", CAUSAL.default_parameters(SEED_EXAMPLE))
BOOK_3_6 = SEED_EXAMPLE.with_mechanism("multihead", MULTIHEAD_ATTENTION.default_parameters(SEED_EXAMPLE))
PLANE = Plane((0, 1))
MASKED_AFTER_JOURNEY = ("", "", MASKED, MASKED, MASKED, MASKED)


def markers(data, style):
    return [marker for marker in data.markers if marker.style == style]


def points(data, style) -> list[tuple[float, float]]:
    return [(round(x, 4), round(y, 4)) for marker in markers(data, style) for x, y in zip(marker.xs, marker.ys)]


def token_set(space):
    (tokens,) = [points for points in space.point_sets if points.role == TOKENS]
    return tokens


def test_3_5_sets_the_masked_keys_apart_with_the_books_weights():
    """The query "journey" sees "Your" and itself (α 0.5517, 0.4483, the book's row 2); the four
    tokens after it are masked: a hollow marker of their own, no weight, named in the legend."""
    analysis = CAUSAL.analyse(BOOK_3_5)
    query_keys, values = CAUSAL.vector_spaces(analysis)
    assert (query_keys.title, values.title) == ("query/key space", "value space")
    for space in (query_keys, values):
        tokens = token_set(space)
        assert tokens.excluded == MASKED_AFTER_JOURNEY
        assert [round(w, 4) for w in tokens.weights] == CAUSAL_WEIGHTS[1]
        data = plane_data(space, PLANE)
        keys = analysis.query.keys if space is query_keys else analysis.query.values
        assert points(data, MASKED) == [(round(x, 4), round(y, 4)) for x, y in keys[2:].tolist()]
        assert len(points(data, HIGH)) == 2  # Your and journey, both ≥ 2/3 of the largest
        assert {label.text for label in data.labels if label.style == MASKED} == {"starts", "with", "one", "step"}
        assert (GLYPHS[MASKED], "masked (after the query)") in [(entry.glyph, entry.text) for entry in legend(space)]


def test_3_5_masked_tokens_do_not_pull_z():
    """z⁽²⁾ is α-weighted by the visible values only: moving a masked token ("one") far away moves
    its value, never z."""
    before = CAUSAL.vector_spaces(CAUSAL.analyse(BOOK_3_5))[1]
    after = CAUSAL.vector_spaces(CAUSAL.analyse(BOOK_3_5.with_value(4, 0, 50.0)))[1]
    z_before, z_after = (points(plane_data(space, PLANE), CONTEXT) for space in (before, after))
    assert z_before == z_after
    assert points(plane_data(after, PLANE), MASKED) != points(plane_data(before, PLANE), MASKED)
    values = CAUSAL.analyse(BOOK_3_5).query.values
    expected = 0.5517 * values[0] + 0.4483 * values[1]
    assert z_before[0] == pytest.approx(tuple(expected.tolist()), abs=2e-4)


def test_3_5_causal_attention_weights_give_the_books_context_vector():
    """W → "nn.Linear, seed 123 (CausalAttention, 3.5.3)": z⁽²⁾ = [-0.5874, 0.0058]."""
    scenario = BOOK_3_5.with_mechanism("causal", CAUSAL.initialise(BOOK_3_5, "causal", 123, 2))
    (z,) = points(plane_data(CAUSAL.vector_spaces(CAUSAL.analyse(scenario))[1], PLANE), CONTEXT)
    assert list(z) == CAUSAL_ATTENTION[1]


def test_3_5_in_training_the_tokens_dropout_zeroed_get_a_cross():
    """p = 0.5, seed 123: the book's dropout drops both of journey's visible weights (its row of
    the 6×6 mask is 0 0 0 2 0 2), so nothing pulls z: it sits at the origin."""
    analysis = CAUSAL.analyse(BOOK_3_5.with_parameter("training", True))
    query_keys, values = CAUSAL.vector_spaces(analysis)
    assert token_set(values).excluded == (DROPPED, DROPPED, MASKED, MASKED, MASKED, MASKED)
    data = plane_data(values, PLANE)
    assert len(points(data, DROPPED)) == 2 and points(data, CONTEXT) == [(0.0, 0.0)]
    assert [entry.text for entry in legend(values) if entry.style == DROPPED] == ["dropped (dropout)"]


def test_3_5_the_walk_sets_tokens_apart_once_it_has_masked_them():
    analysis = CAUSAL.analyse(BOOK_3_5)
    walk = CAUSAL.walkthrough(analysis)
    live = plane_data(CAUSAL.vector_spaces(analysis)[0], PLANE)
    seen = []
    for position in range(walk.end + 1):
        progress = walk.progress(position)
        query_keys = CAUSAL.vector_spaces(analysis, progress)[0]
        seen.append(bool(token_set(query_keys).excluded))
        assert (plane_data(query_keys, PLANE).x_range, plane_data(query_keys, PLANE).y_range) == (live.x_range, live.y_range)
    first = seen.index(True)
    assert walk.progress(first).stage is MASK and all(seen[first:])


def test_3_6_draws_the_shown_head_on_rows_and_its_title_names_it():
    """The book's MultiHeadAttention: d_out 2 in 2 heads, so each head's spaces are 1-d: a row per
    token (token i on row −i), the query and z on row 0, the value across."""
    analysis = MULTIHEAD_ATTENTION.analyse(BOOK_3_6)
    query_keys, values, output = MULTIHEAD_ATTENTION.vector_spaces(analysis)
    assert [space.title for space in (query_keys, values)] == ["query/key space, head 1", "value space, head 1"]
    assert token_set(query_keys).excluded == MASKED_AFTER_JOURNEY
    (plane,) = planes_for(1)
    data = plane_data(query_keys, plane)
    assert (data.title, data.x_axis, data.y_axis) == ("dim 1", "dim 1", "token")
    assert data.y_ticks == ((-1.0, -2.0, -3.0, -4.0, -5.0, -6.0), ("1", "2", "3", "4", "5", "6"))
    keys = analysis.query.keys[:, 0].tolist()
    assert sorted(points(data, MASKED)) == sorted((round(keys[i], 4), -float(i + 1)) for i in range(2, 6))
    (query,) = points(data, QUERY)
    assert query == (round(analysis.query.query[0].item(), 4), 0.0)
    second = MULTIHEAD_ATTENTION.vector_spaces(MULTIHEAD_ATTENTION.analyse(BOOK_3_6.with_parameter("head", 2)))
    assert second[0].title == "query/key space, head 2"


def test_3_6_output_space_is_the_books_multi_head_attention_output():
    """After out_proj: every token's row of the book's 3.6.2 output, z⁽²⁾ = [0.2943, 0.3897] starred."""
    analysis = MULTIHEAD_ATTENTION.analyse(BOOK_3_6)
    output = MULTIHEAD_ATTENTION.vector_spaces(analysis)[2]
    assert output.title == "output, after out_proj"
    data = plane_data(output, planes_for(2)[0])
    assert sorted(points(data, "plain")) == sorted(tuple(row) for row in MULTIHEAD)
    assert points(data, CONTEXT) == [tuple(MULTIHEAD[1])]
    assert [entry.text for entry in legend(output)] == ["z⁽ⁱ⁾ every token", "z⁽²⁾ = concat·W_out + b_out"]


def test_3_6_wrapper_output_is_four_dimensional_and_opens_on_principal_components():
    scenario = BOOK_3_6.with_mechanism("multihead", MULTIHEAD_ATTENTION.initialise(BOOK_3_6, "wrapper", 123, 2))
    analysis = MULTIHEAD_ATTENTION.analyse(scenario)
    query_keys, _, output = MULTIHEAD_ATTENTION.vector_spaces(analysis)
    assert output.title == "output, heads concatenated"
    assert planes_for(2) == (PLANE,) and query_keys.point_sets[0].vectors.shape == (6, 2)  # d_out 2 per head: exact
    assert planes_for(4)[0] == Plane(None)
    data = plane_data(output, Plane((2, 3)))  # head 2's two columns
    assert points(data, CONTEXT) == [tuple(WRAPPER[1][2:])]


def test_3_6_the_walk_reveals_the_output_in_its_last_stage():
    analysis = MULTIHEAD_ATTENTION.analyse(BOOK_3_6)
    walk = MULTIHEAD_ATTENTION.walkthrough(analysis)
    live = plane_data(MULTIHEAD_ATTENTION.vector_spaces(analysis)[2], PLANE)
    drawn = []
    for position in range(walk.end + 1):
        output = MULTIHEAD_ATTENTION.vector_spaces(analysis, walk.progress(position))[2]
        data = plane_data(output, PLANE)
        assert (data.x_range, data.y_range) == (live.x_range, live.y_range)
        drawn.append((len(points(data, "plain")), len(points(data, CONTEXT))))
    assert drawn[0] == (0, 0) and drawn[-1] == (6, 1)
    assert drawn[-2] == (6, 0)  # the concatenation: every output, z⁽²⁾ once out_proj is added
    assert not markers(live, PATH)
