"""Section 3.3 on the vector plot: one space, the embeddings, with the query and z."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.formatting import token_vector
from attn_tui.core.plot_data import QUERY, TOKENS, PointSet, VectorSpace, revealed_weights, weighted_sum_sets

if TYPE_CHECKING:
    from attn_tui.core.walkthrough import Progress
    from attn_tui.mechanisms.simple.compute import Analysis


def vector_spaces(analysis: Analysis, progress: Progress | None = None) -> tuple[VectorSpace, ...]:
    """Every x⁽ⁱ⁾, the query, and z⁽q⁾ — in a walk, what it has reached: the weights once computed,
    the running sum as it grows."""
    scenario = analysis.scenario
    result = analysis.query
    q = scenario.query
    weights = revealed_weights(result.weights, progress)
    return (
        VectorSpace(
            "embedding space",
            (
                PointSet("x⁽ⁱ⁾", TOKENS, analysis.inputs, scenario.tokens, weights),
                PointSet(f"query {token_vector(q + 1)}", QUERY, analysis.inputs[q : q + 1], (scenario.query_token,)),
                *weighted_sum_sets(result.running_context, result.context, q, progress),
            ),
        ),
    )
