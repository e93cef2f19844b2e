"""Section 3.5 on the vector plot: 3.4's query/key and value spaces, with the tokens the query may
not see set apart. A masked token (after the query) gets a hollow marker and no weight, so it
visibly does not pull z; in training, a token whose weight dropout zeroed gets a cross, and the
other markers follow the weights after dropout, the ones z is summed with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.plot_data import DROPPED, MASKED, VectorSpace
from attn_tui.mechanisms.trainable.plot import projection_spaces

if TYPE_CHECKING:
    from attn_tui.core.walkthrough import Progress
    from attn_tui.mechanisms.causal.analysis import Analysis
    from attn_tui.mechanisms.causal.compute import QueryCausalAttention
    from attn_tui.mechanisms.causal.walk import Known


def vector_spaces(analysis: Analysis, progress: Progress | None = None, of: str = "") -> tuple[VectorSpace, ...]:
    """q⁽ᑫ⁾ with every k⁽ⁱ⁾, then every v⁽ⁱ⁾ with z⁽ᑫ⁾, the masked and dropped tokens apart once a
    walk has applied the mask and dropout; ``of`` ends the titles (3.6 names its head)."""
    result = analysis.query
    known = None if progress is None else progress.known
    dropout_applied = known is None or known.dropout
    weights = result.dropped_weights if dropout_applied else result.weights
    return projection_spaces(analysis, progress, weights, excluded_tokens(result, known), of)


def excluded_tokens(result: QueryCausalAttention, known: Known | None = None) -> tuple[str, ...]:
    """Per token: MASKED after the query, DROPPED where dropout zeroed the weight, "" otherwise —
    as far as a walk has got (``known``; None: the live view, everything applied)."""
    if known is not None and not known.masked:
        return ()
    visible = result.visible.tolist()
    dropped = result.dropped.tolist() if known is None or known.dropout else [False] * len(visible)
    return tuple(MASKED if not seen else DROPPED if zeroed else "" for seen, zeroed in zip(visible, dropped))
