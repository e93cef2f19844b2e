"""Section 3.4 on the vector plot: the query/key space, where each score is the dot product of
q⁽ᑫ⁾ with a key (with d_out = 2 the geometry is exact, no projection), and the value space, where
z is the weighted average of the values.

:func:`projection_spaces` is the drawing every later section shares (3.5 with its masked tokens
apart, 3.6 for the shown head): only which weights and which tokens are set apart differ."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from attn_tui.core.formatting import superscript
from attn_tui.core.plot_data import QUERY, TOKENS, PointSet, VectorSpace, revealed_weights, weighted_sum_sets

if TYPE_CHECKING:
    import torch

    from attn_tui.core.walkthrough import Progress
    from attn_tui.mechanisms.trainable.analysis import Analysis


def vector_spaces(analysis: Analysis, progress: Progress | None = None) -> tuple[VectorSpace, ...]:
    """q⁽ᑫ⁾ with every k⁽ⁱ⁾, then every v⁽ⁱ⁾ with z⁽ᑫ⁾ — in a walk, what it has reached."""
    return projection_spaces(analysis, progress, analysis.query.weights)


def projection_spaces(
    analysis: Analysis,
    progress: Progress | None,
    weights: torch.Tensor,
    excluded: Sequence[str] = (),
    of: str = "",
) -> tuple[VectorSpace, VectorSpace]:
    """The query/key space and the value space of ``analysis``' query.

    ``weights`` choose the tokens' markers (once a walk has computed them); ``excluded`` sets
    tokens apart (3.5: masked, dropped); ``of`` ends the spaces' titles (3.6: ", head 2").
    """
    scenario = analysis.scenario
    result = analysis.query
    q, n = scenario.query, scenario.n_tokens
    shown_weights = revealed_weights(weights, progress)
    keys_known = n if progress is None else progress.known.keys
    query_known = progress is None or progress.known.query >= analysis.d_out
    running = result.weighted_values.running
    query = PointSet(f"q⁽{superscript(q + 1)}⁾", QUERY, result.query.reshape(1, -1), (scenario.query_token,), shown=None if query_known else 0)
    return (
        VectorSpace(
            f"query/key space{of}",
            (PointSet("k⁽ⁱ⁾", TOKENS, result.keys, scenario.tokens, shown_weights, shown=keys_known, excluded=excluded), query),
        ),
        VectorSpace(
            f"value space{of}",
            (
                PointSet("v⁽ⁱ⁾", TOKENS, result.values, scenario.tokens, shown_weights, shown=keys_known, excluded=excluded),
                *weighted_sum_sets(running, running[-1], q, progress),
            ),
        ),
    )
