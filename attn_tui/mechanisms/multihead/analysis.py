"""Section 3.6's numbers for one scenario: every head at once (matrix form) and for the query
(loop form), in the scenario's variant; the shown head also as a 3.5 analysis, so that 3.5's
panels and walk show it as they show causal attention."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import torch

from attn_tui.core.compute import embeddings_tensor, matrix_tensor
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.causal import analysis as causal
from attn_tui.mechanisms.causal.compute import CausalAttention
from attn_tui.mechanisms.multihead.compute import (
    attend_one_query_multihead,
    attend_one_query_wrapper,
    multihead_attention,
    split_heads,
    wrapper_attention,
)

PER_HEAD = ("w_query", "w_key", "w_value", "queries", "keys", "values", "scores", "scaled_scores", "weights", "dropped_weights", "context")
"""The fields of the heads' CausalAttention with a leading head dimension."""


@dataclass(frozen=True)
class Analysis(causal.Analysis):
    """3.5's analysis of the shown head (``weights``, ``all_queries``, ``query`` are that head's,
    d_out is its d_head), with every head and what follows them."""

    variant: str
    """"split" (MultiHeadAttention) or "wrapper" (MultiHeadAttentionWrapper)."""
    head: int
    """The shown head, 0-based."""
    every_head: Any
    """The matrix form of all heads: a MultiHeadAttention or WrapperAttention of the compute core."""
    every_head_query: Any
    """The loop form for the query: a QueryMultiHeadAttention or QueryWrapperAttention."""
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


def head_of(heads: CausalAttention, head: int) -> CausalAttention:
    """Head ``head`` of the batched heads, as one causal head."""
    values = {field.name: getattr(heads, field.name) for field in fields(heads)}
    for name in PER_HEAD:
        values[name] = values[name][head]
    if values["dropout_multiplier"] is not None:
        values["dropout_multiplier"] = values["dropout_multiplier"][head]
    return CausalAttention(**values)


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
    from attn_tui.mechanisms.multihead import HEAD, MULTIHEAD, SPLIT, head_names

    if previous is not None and not isinstance(previous, Analysis):
        previous = None
    inputs = embeddings_tensor(scenario, previous)
    tensors = _tensors(scenario, previous)
    dropout = causal.dropout_setting(scenario)
    variant = MULTIHEAD.variant(scenario)
    heads = MULTIHEAD.heads(scenario)
    head = min(int(MULTIHEAD.setting(scenario, HEAD.name)), heads) - 1
    # Only the query or the shown head changed (the same tensors and settings): every head's
    # matrix form is still the one computed.
    unchanged = (
        previous is not None
        and previous.inputs is inputs
        and previous.tensors.keys() == tensors.keys()
        and all(previous.tensors[name] is tensor for name, tensor in tensors.items())
        and (previous.dropout, previous.variant, previous.num_heads) == (dropout, variant, heads)
    )
    if variant == SPLIT:
        qkv = (tensors["W_q"], tensors["W_k"], tensors["W_v"])
        out = (tensors["W_out"], tensors["b_out"][0])
        every_head = previous.every_head if unchanged else multihead_attention(inputs, *qkv, *out, heads, dropout)  # type: ignore[union-attr]
        every_head_query = attend_one_query_multihead(inputs, *qkv, *out, heads, scenario.query, dropout, matrix=every_head)
        shown_weights = tuple(split_heads(w, heads)[head] for w in qkv)
    else:
        per_head = [tuple(tensors[name] for name in head_names(k + 1)) for k in range(heads)]
        every_head = previous.every_head if unchanged else wrapper_attention(inputs, per_head, dropout)  # type: ignore[union-attr]
        every_head_query = attend_one_query_wrapper(inputs, per_head, scenario.query, dropout, matrix=every_head)
        shown_weights = per_head[head]
    return Analysis(
        scenario=scenario,
        inputs=inputs,
        weights=shown_weights,  # type: ignore[arg-type]
        all_queries=head_of(every_head.heads, head),
        query=every_head_query.heads[head],
        dropout=dropout,
        variant=variant,
        head=head,
        every_head=every_head,
        every_head_query=every_head_query,
        tensors=tensors,
    )
