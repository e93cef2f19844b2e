"""The vector plot's data (attn_tui/core/plot_data.py), without Textual or plotext."""

from __future__ import annotations

import math

import pytest
import torch

from attn_tui.mechanisms.simple.compute import analyse
from attn_tui.mechanisms.simple.plot import vector_spaces
from attn_tui.core.plot_data import (
    CONTEXT,
    GLYPHS,
    HIGH,
    LABELLED_LARGEST,
    PATH,
    QUERY,
    Plane,
    PointSet,
    TOKENS,
    VectorSpace,
    legend,
    parse_plane,
    plane_data,
    planes_for,
)
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario, ScenarioError, seeded_scenario
from attn_tui.mechanisms.simple.walk import CONTEXT as CONTEXT_STAGE
from attn_tui.mechanisms.simple.walk import build_walkthrough

BOOK_Z = (0.4419, 0.6515, 0.5683)


def embedding_space(analysis, progress=None):
    (space,) = vector_spaces(analysis, progress)
    return space


JOURNEY = (0.55, 0.87, 0.66)


def markers(data, style):
    return [marker for marker in data.markers if marker.style == style]


def inside(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] < value < bounds[1]


def test_the_books_example_has_three_planes_with_z_inside_every_range_and_journey_as_the_query():
    space = embedding_space(analyse(SEED_EXAMPLE))
    planes = planes_for(3)
    assert [plane.dims for plane in planes] == [(0, 1), (0, 2), (1, 2)]
    for plane in planes:
        data = plane_data(space, plane)
        a, b = plane.dims
        (z,) = markers(data, CONTEXT)
        assert (round(z.xs[0], 4), round(z.ys[0], 4)) == (BOOK_Z[a], BOOK_Z[b])
        assert inside(z.xs[0], data.x_range) and inside(z.ys[0], data.y_range)
        (query,) = markers(data, QUERY)
        assert query.xs == pytest.approx((JOURNEY[a],)) and query.ys == pytest.approx((JOURNEY[b],))
        assert (data.x_axis, data.y_axis) == (f"dim {a + 1}", f"dim {b + 1}")
        # Every token drawn, every one labelled (six fit), the query's label first.
        drawn = sum(len(m.xs) for m in data.markers if m.style not in (QUERY, CONTEXT, PATH))
        assert drawn == 6
        assert data.labels[0].text == "journey" and data.labels[0].style == QUERY
        assert {label.text for label in data.labels} == set(SEED_EXAMPLE.tokens)


def test_markers_follow_the_weights_and_the_legend_says_how():
    space = embedding_space(analyse(SEED_EXAMPLE))
    data = plane_data(space, Plane((0, 1)))
    (high,) = markers(data, HIGH)
    # journey (0.2379) and starts (0.2333) weigh most: at least 2/3 of the largest weight.
    assert sorted((round(x, 4), round(y, 4)) for x, y in zip(high.xs, high.ys)) == [(0.55, 0.87), (0.57, 0.85)]
    entries = legend(space)
    assert entries[0].glyph == GLYPHS[HIGH] and "α ≥ 0.1586" in entries[0].text
    glyphs = [entry.glyph for entry in entries]
    assert len(set(glyphs)) == len(glyphs)  # shapes differ, not only colours
    assert [e.text for e in entries if e.style == QUERY] == ["query x⁽²⁾"]


def test_an_edit_moves_z():
    before = plane_data(embedding_space(analyse(SEED_EXAMPLE)), Plane((0, 1)))
    after = plane_data(embedding_space(analyse(SEED_EXAMPLE.with_value(0, 0, 3.0))), Plane((0, 1)))
    assert markers(before, CONTEXT)[0].xs != markers(after, CONTEXT)[0].xs
    assert inside(markers(after, CONTEXT)[0].xs[0], after.x_range)
    assert after.x_range[1] > 3.0  # the moved token stays inside


def test_ranges_stay_fixed_while_a_walk_runs_and_the_running_sum_grows():
    analysis = analyse(SEED_EXAMPLE)
    walk = build_walkthrough(analysis)
    live = plane_data(embedding_space(analysis), Plane((0, 2)))
    seen_terms = []
    for position in range(walk.end + 1):
        progress = walk.progress(position)
        data = plane_data(embedding_space(analysis, progress), Plane((0, 2)))
        assert (data.x_range, data.y_range) == (live.x_range, live.y_range)
        paths = markers(data, PATH)
        if progress.stage is CONTEXT_STAGE:
            (path,) = paths
            seen_terms.append(len(path.xs) - 1)  # from the origin, one point per term
            assert (path.xs[0], path.ys[0]) == (0.0, 0.0)
        if progress.known.weights < 6:
            assert not markers(data, HIGH)  # weights not known yet: plain markers
    assert seen_terms == [1, 2, 3, 4, 5, 6]
    assert not markers(live, PATH)  # the live view shows z, not how it was summed


def test_more_than_three_dimensions_start_with_principal_components():
    scenario = seeded_scenario(12, 8, seed=3)
    planes = planes_for(8)
    assert planes == (Plane(None), Plane((0, 1)))  # then A chooses any pair
    data = plane_data(embedding_space(analyse(scenario)), planes[0])
    assert data.title == "principal components 1–2"
    assert data.x_axis.startswith("PC 1 (") and data.y_axis.startswith("PC 2 (")
    # The same numbers, the same picture (an eigenvector's sign is fixed).
    assert plane_data(embedding_space(analyse(scenario)), planes[0]) == data


def test_any_chosen_pair_of_ten_dimensions_is_drawn_and_named():
    """12 tokens of 10 dimensions: dims 3 and 7 on the axes, every point at its 3rd and 7th number."""
    scenario = seeded_scenario(12, 10, seed=4)
    chosen = parse_plane("3 7", 10)
    assert chosen == Plane((2, 6)) and planes_for(10, chosen) == (Plane(None), chosen)
    data = plane_data(embedding_space(analyse(scenario)), chosen)
    assert (data.title, data.x_axis, data.y_axis) == ("dims 3–7", "dim 3", "dim 7")
    (query,) = markers(data, QUERY)
    row = scenario.embeddings[scenario.query]
    assert (query.xs[0], query.ys[0]) == pytest.approx((row[2], row[6]))
    assert sum(len(m.xs) for m in data.markers if m.style not in (QUERY, CONTEXT, PATH)) == 12
    assert len(data.labels) == 13  # twelve tokens and the query: every one named


@pytest.mark.parametrize(
    ("typed", "plane"),
    [("3 7", (2, 6)), ("3,7", (2, 6)), (" 7 - 3 ", (6, 2)), ("1–10", (0, 9)), ("pc", None), ("PCA", None)],
)
def test_a_plane_is_typed_as_two_dimensions_or_pc(typed, plane):
    assert parse_plane(typed, 10) == Plane(plane)
    assert parse_plane(Plane(plane).typed, 10) == Plane(plane)  # the dialog's pre-filled text reads back


@pytest.mark.parametrize(
    ("typed", "n_dims", "says"),
    [
        ("3", 10, "type two dimensions"),
        ("3 3", 10, "two different dimensions"),
        ("0 0", 10, "dimensions 1 to 10, not 0$"),
        pytest.param("1" * 40 + " 2", 10, "not 1+…1+$", id="a long number shortened"),
        ("0 2", 10, "dimensions 1 to 10, not 0"),
        ("2 11", 10, "dimensions 1 to 10, not 11"),
        ("x y", 10, "type two dimensions"),
        ("² 3", 10, "type two dimensions"),  # a digit int() does not read
        pytest.param("9" * 5000 + " 1", 10, "type two dimensions", id="more digits than int() converts"),
        ("pc", 2, "drawn as they are"),
        ("", 10, "type two dimensions"),
    ],
)
def test_a_plane_typed_wrong_is_refused_with_the_reason(typed, n_dims, says):
    with pytest.raises(ScenarioError, match=says):
        parse_plane(typed, n_dims)


def test_a_chosen_plane_joins_the_planes_it_fits():
    swapped = Plane((2, 0))
    assert planes_for(3, swapped) == (Plane((0, 1)), swapped, Plane((1, 2)))  # 1–3 drawn as 3–1
    assert planes_for(3, Plane(None)) == (Plane((0, 1)), Plane((0, 2)), Plane((1, 2)), Plane(None))
    assert planes_for(2, Plane((1, 0))) == (Plane((1, 0)),)
    assert planes_for(4, Plane((2, 6))) == (Plane(None), Plane((0, 1)))  # a 10-d choice, then a 4-d space


def test_principal_components_of_a_large_matrix_are_repeatable_and_labels_are_thinned():
    scenario = seeded_scenario(512, 768, seed=1)
    space = embedding_space(analyse(scenario))
    first = plane_data(space, Plane(None))
    assert plane_data(space, Plane(None)) == first
    texts = [label.text for label in first.labels]
    assert texts[0] == scenario.query_token
    assert len([label for label in first.labels if label.style != QUERY]) == LABELLED_LARGEST
    assert sum(len(m.xs) for m in first.markers if m.style not in (QUERY, CONTEXT, PATH)) == 512


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(("only",), ((1.0, 2.0, 3.0),), 0),
        Scenario(("a", "b"), ((1.0,), (2.0,)), 1),
        Scenario(("a", "b"), ((0.0, 0.0), (0.0, 0.0)), 0),
        Scenario(("a", "b", "c", "d"), ((1.0, 2.0, 3.0, 4.0),) * 4, 0),
        Scenario(("a", "b"), ((3e38, 3e38), (-3e38, 1.0)), 0),
    ],
    ids=["one token", "one dimension", "all zero", "identical 4-d", "near float32's limit"],
)
def test_edge_cases_give_finite_ranges(scenario):
    space = embedding_space(analyse(scenario))
    for plane in planes_for(scenario.n_dims):
        data = plane_data(space, plane)
        for low, high in (data.x_range, data.y_range):
            assert math.isfinite(low) and math.isfinite(high) and low < high


def test_a_mechanism_hands_its_own_point_sets():
    """What a trainable mechanism does: keys with weights and a query in a 2-d query/key space."""
    keys = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    space = VectorSpace(
        "query/key space",
        (
            PointSet("k⁽ⁱ⁾", TOKENS, keys, ("a", "b", "c"), weights=(0.7, 0.1, 0.2)),
            PointSet("q⁽²⁾", QUERY, [[0.9, 0.1]], ("q",)),
        ),
    )
    (plane,) = planes_for(2)
    data = plane_data(space, plane)
    assert data.title == "dims 1–2"
    assert markers(data, QUERY)[0].xs == pytest.approx((0.9,))
    assert [entry.text for entry in legend(space)][-1] == "q⁽²⁾"


def test_principal_components_of_a_large_matrix_match_an_exact_svd():
    """Subspace iteration (for matrices larger than PCA_EXACT_UP_TO) finds the same two directions
    as a full SVD when the data has structure, and the same shares of the variance."""
    from attn_tui.core.plot_data import _compute_principal_components

    generator = torch.Generator().manual_seed(1)
    scales = torch.tensor([5.0, 3.0, 1.0, 0.5]).repeat_interleave(192)
    inputs = torch.randn(512, 4, generator=generator) @ torch.randn(4, 768, generator=generator) * scales
    inputs += 0.01 * torch.randn(512, 768, generator=generator)
    centred = inputs - inputs.mean(dim=0)
    _, values, vt = torch.linalg.svd(centred, full_matrices=False)
    directions, axes = _compute_principal_components(inputs)
    assert (vt[:2] @ directions).abs().diagonal().tolist() == pytest.approx([1.0, 1.0], abs=1e-3)
    shares = (values[:2] ** 2 / centred.pow(2).sum()).tolist()
    assert axes == (f"PC 1 ({shares[0]:.0%})", f"PC 2 ({shares[1]:.0%})")


def test_trainable_attention_hands_a_query_key_space_and_a_value_space():
    """3.4 with the book's weights (d_out = 2): q⁽²⁾ and the keys exactly as computed, no projection;
    z⁽²⁾ = [0.3061, 0.8210] among the values."""
    from attn_tui.mechanisms import mechanism_named

    trainable = mechanism_named("trainable")
    scenario = SEED_EXAMPLE.with_mechanism("trainable", trainable.default_parameters(SEED_EXAMPLE))
    analysis = trainable.analyse(scenario)
    query_keys, values = trainable.vector_spaces(analysis)
    assert (query_keys.title, values.title) == ("query/key space", "value space")
    (plane,) = planes_for(2)
    data = plane_data(query_keys, plane)
    query = markers(data, QUERY)[0]
    assert (round(query.xs[0], 4), round(query.ys[0], 4)) == (0.4306, 1.4551)
    assert data.labels[0].text == "journey"
    z = markers(plane_data(values, plane), CONTEXT)[0]
    assert (round(z.xs[0], 4), round(z.ys[0], 4)) == (0.3061, 0.8210)
    walk = trainable.walkthrough(analysis)
    at_start = trainable.vector_spaces(analysis, walk.progress(0))
    assert not markers(plane_data(at_start[0], plane), QUERY)  # q⁽²⁾ not computed yet
    assert plane_data(at_start[0], plane).x_range == data.x_range  # the same axes all the walk
