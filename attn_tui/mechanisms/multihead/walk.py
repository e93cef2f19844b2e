"""Section 3.6's walk: the shown head as 3.5 walks it (its own W_q, W_k, W_v and √d_head), then
the heads concatenated and, in MultiHeadAttention, ``out_proj``. Plain data from the analysis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.formatting import context_vector, format_number, token_vector
from attn_tui.core.walkthrough import Stage, Step, Walkthrough, terms, vector
from attn_tui.mechanisms.causal import walk as causal
from attn_tui.mechanisms.causal.walk import Known

if TYPE_CHECKING:
    from attn_tui.mechanisms.multihead.analysis import Analysis

HEADS = Stage(
    10,
    "Heads together",
    "Every head computed its own context vector from its own queries, keys and values. Their "
    "outputs are put side by side (concatenated); MultiHeadAttention then mixes them with out_proj, "
    "one more trainable matrix with a bias: z = concat·W_out + b_out. H shows another head.",
)
STAGES = (*causal.STAGES, HEADS)


def build_walkthrough(analysis: Analysis) -> Walkthrough:
    head_walk = causal.build_walkthrough(analysis)
    scenario = analysis.scenario
    q = scenario.query + 1
    steps = (*head_walk.steps, *_heads_steps(analysis))
    introduction = (
        f"Head {analysis.head + 1} of {analysis.num_heads}, step by step as in 3.5, with its own "
        f"weights and √d_head; the query is {token_vector(q)} “{scenario.query_token}”. Then every "
        f"head's context vector side by side" + (", and out_proj." if analysis.variant == "split" else ".")
    )
    return Walkthrough(scenario.query, scenario.query_token, scenario.n_tokens, steps, STAGES, Known(), introduction)


def _heads_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    q = scenario.query
    done = Known.everything(scenario.n_tokens, analysis.d_out)
    rows = analysis.every_head_query
    heads = [context.tolist() for context in rows.head_contexts]
    concatenated = rows.context.tolist() if analysis.variant == "wrapper" else rows.concatenated.tolist()
    step = Step(
        stage=HEADS,
        title="concat(z₁, …, z_h)",
        computes=f"every head's context vector for “{scenario.query_token}”, side by side",
        cells=frozenset(),
        rows=(),
        reads_query=False,
        token=None,
        arithmetic=(
            *(f"head {k + 1}: {vector(z)}" for k, z in enumerate(heads[:8])),
            *((f"… {len(heads) - 8} more heads",) if len(heads) > 8 else ()),
            f"concat = {vector(concatenated)}",
        ),
        known=done,
    )
    if analysis.variant != "split":
        return [step]
    b_out = rows.b_out.tolist()  # type: ignore[union-attr]
    out = rows.context.tolist()
    sums = rows.out_terms.sum(dim=0).tolist()
    projection = Step(
        stage=HEADS,
        title=f"{context_vector(q + 1)} = concat·W_out + b_out",
        computes="out_proj: a trainable d_out×d_out matrix mixes the heads, then its bias is added",
        cells=frozenset(),
        rows=(),
        reads_query=False,
        token=None,
        arithmetic=(
            f"concat·W_out = {vector(sums)}",
            f"+ b_out = {vector(b_out)}",
            f"{context_vector(q + 1)} = " + terms(range(len(out)), lambda k: f"{format_number(sums[k])} + {format_number(b_out[k])} = {format_number(out[k])}", ", "),
        ),
        known=done,
        matrix_cells=(("W_out", frozenset((r, c) for r in range(len(out)) for c in range(len(out)))), ("b_out", frozenset((0, c) for c in range(len(out))))),
    )
    return [step, projection]
