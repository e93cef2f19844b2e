"""Section 3.6's numbers for one scenario: every head at once (matrix form), in the scenario's
variant, and the shown head also as a 3.5 analysis (its matrix form, and its loop form for the
query), so that 3.5's panels and walk show it as they show causal attention."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from attn_tui.core.compute import embeddings_tensor, matrix_tensor
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.causal import analysis as causal
from attn_tui.mechanisms.multihead.compute import (
    MultiHeadAttention,
    QueryRows,
    WrapperAttention,
    attend_one_query_head,
    multihead_attention,
    query_rows,
    wrapper_attention,
)


@dataclass(frozen=True)
class Analysis(causal.Analysis):
    """3.5's analysis of the shown head (``weights``, ``all_queries``, ``query`` are that head's,
    d_out is its d_head), with every head and what follows them."""

    variant: str
    """"split" (MultiHeadAttention) or "wrapper" (MultiHeadAttentionWrapper)."""
    head: int
    """The shown head, 0-based."""
    every_head: MultiHeadAttention | WrapperAttention
    """The matrix form of all heads (``every_head.heads[k]`` is head k's)."""
    every_head_query: QueryRows
    """Every head's context vector and the output for the query, rows of ``every_head``."""
    tensors: dict[str, torch.Tensor]
    """Every matrix of the scenario as a tensor, by name (reused when unchanged)."""

    @property
    def weight_names(self) -> tuple[str, str, str]:
        from attn_tui.mechanisms.multihead import head_names

        return super().weight_names if self.variant == "split" else head_names(self.head + 1)

    @property
    def column_offset(self) -> int:
        return self.head * self.d_out if self.variant == "split" else 0

    @property
    def num_heads(self) -> int:
        return self.every_head.num_heads

    @property
    def output(self) -> torch.Tensor:
        """n×(h·d_head): the module's output for every token (after out_proj for "split")."""
        return self.every_head.context


def _tensors(scenario: Scenario, previous: Analysis | None) -> dict[str, torch.Tensor]:
    """Every matrix as a float32 tensor; an unchanged one (the same rows) is the last tensor."""
    tensors = {}
    for name, value in scenario.parameters.items():
        if not hasattr(value, "rows"):
            continue
        before = previous.scenario.parameters.get(name) if previous is not None else None
        reused = previous.tensors.get(name) if previous is not None and before is not None else None
        tensors[name] = matrix_tensor(value.rows, reused, before.rows if reused is not None else None)
    return tensors


def analyse(scenario: Scenario, previous: Analysis | None = None) -> Analysis:
    """The numbers for ``scenario``; ``previous`` lends every head an edit left as it was (an edit
    of one cell of W_q changes one head), and all of them to a change of the query or of the
    head shown. Only the shown head gets its loop form (every term, for the panels and the walk)."""
    from attn_tui.mechanisms.multihead import HEAD, MULTIHEAD, SPLIT, head_names

    if previous is not None and not isinstance(previous, Analysis):
        previous = None
    inputs = embeddings_tensor(scenario, previous)
    tensors = _tensors(scenario, previous)
    dropout = causal.dropout_setting(scenario)
    variant = MULTIHEAD.variant(scenario)
    heads = MULTIHEAD.heads(scenario)
    head = min(int(MULTIHEAD.setting(scenario, HEAD.name)), heads) - 1
    earlier = previous.every_head if previous is not None and previous.variant == variant else None
    every_head: MultiHeadAttention | WrapperAttention
    if variant == SPLIT:
        qkv = (tensors["W_q"], tensors["W_k"], tensors["W_v"])
        out = (tensors["W_out"], tensors["b_out"][0])
        every_head = multihead_attention(inputs, *qkv, *out, heads, dropout, previous=earlier)  # type: ignore[arg-type]
    else:
        per_head = [tuple(tensors[name] for name in head_names(k + 1)) for k in range(heads)]
        every_head = wrapper_attention(inputs, per_head, dropout, previous=earlier)  # type: ignore[arg-type]
    shown = every_head.heads[head]
    return Analysis(
        scenario=scenario,
        inputs=inputs,
        weights=(shown.w_query, shown.w_key, shown.w_value),
        all_queries=shown,
        query=attend_one_query_head(every_head.heads, head, scenario.query),
        dropout=dropout,
        variant=variant,
        head=head,
        every_head=every_head,
        every_head_query=query_rows(every_head, scenario.query),
        tensors=tensors,
    )
