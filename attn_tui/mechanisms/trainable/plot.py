"""Section 3.4 on the vector plot: the query/key space, where each score is the dot product of
q⁽ᑫ⁾ with a key (with d_out = 2 the geometry is exact, no projection), and the value space, where
z is the weighted average of the values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.formatting import superscript
from attn_tui.core.plot_data import QUERY, TOKENS, PointSet, VectorSpace, revealed_weights, weighted_sum_sets

if TYPE_CHECKING:
    from attn_tui.core.walkthrough import Progress
    from attn_tui.mechanisms.trainable.analysis import Analysis


def vector_spaces(analysis: Analysis, progress: Progress | None = None) -> tuple[VectorSpace, ...]:
    """q⁽ᑫ⁾ with every k⁽ⁱ⁾, then every v⁽ⁱ⁾ with z⁽ᑫ⁾ — in a walk, what it has reached."""
    scenario = analysis.scenario
    result = analysis.query
    q, n = scenario.query, scenario.n_tokens
    weights = revealed_weights(result.weights, progress)
    keys_known = n if progress is None else progress.known.keys
    query_known = progress is None or progress.known.query >= analysis.d_out
    running = result.weighted_values.running
    query = PointSet(f"q⁽{superscript(q + 1)}⁾", QUERY, result.query.reshape(1, -1), (scenario.query_token,), shown=None if query_known else 0)
    return (
        VectorSpace(
            "query/key space",
            (PointSet("k⁽ⁱ⁾", TOKENS, result.keys, scenario.tokens, weights, shown=keys_known), query),
        ),
        VectorSpace(
            "value space",
            (
                PointSet("v⁽ⁱ⁾", TOKENS, result.values, scenario.tokens, weights, shown=keys_known),
                *weighted_sum_sets(running, running[-1], q, progress),
            ),
        ),
    )
