"""Section 3.6 on the vector plot: the shown head (H) as 3.5 draws it, its query/key space and its
value space, the titles naming the head; then the module's output, every token's z⁽ⁱ⁾ with the
query's z⁽ᑫ⁾, after out_proj (MultiHeadAttention) or as the heads concatenated (the wrapper). With
the book's d_out 2 and two heads, each head's spaces are 1-d and the output is the 2-d picture."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.formatting import context_vector
from attn_tui.core.plot_data import CONTEXT, TOKENS, PointSet, VectorSpace
from attn_tui.mechanisms.causal.plot import vector_spaces as causal_spaces

if TYPE_CHECKING:
    from attn_tui.core.walkthrough import Progress
    from attn_tui.mechanisms.multihead.analysis import Analysis


def vector_spaces(analysis: Analysis, progress: Progress | None = None) -> tuple[VectorSpace, ...]:
    """The shown head's query/key and value spaces, then the output space."""
    return (*causal_spaces(analysis, progress, of=f", head {analysis.head + 1}"), output_space(analysis, progress))


def output_space(analysis: Analysis, progress: Progress | None = None) -> VectorSpace:
    """Every token's output (the module's n rows) and the query's z⁽ᑫ⁾ — in a walk, once its last
    stage puts the heads together (the outputs), and at its end (z⁽ᑫ⁾, out_proj's last step)."""
    from attn_tui.mechanisms.multihead.walk import HEADS

    scenario = analysis.scenario
    q = scenario.query
    reached = progress is None or progress.stage is HEADS
    done = progress is None or progress.position == progress.end
    split = analysis.variant == "split"
    how = "concat·W_out + b_out" if split else "concat(heads)"
    return VectorSpace(
        "output, after out_proj" if split else "output, heads concatenated",
        (
            PointSet("z⁽ⁱ⁾ every token", TOKENS, analysis.output, scenario.tokens, weights=(), shown=None if reached else 0),
            # The query's row of the output, the very numbers the heads panel prints.
            PointSet(f"{context_vector(q + 1)} = {how}", CONTEXT, analysis.every_head_query.context.reshape(1, -1), shown=None if done else 0),
        ),
    )
