"""Section 3.5's numbers for one scenario: the masked attention for every query (matrix form) and
for the query term by term (loop form), with the dropout the scenario's settings ask for."""

from __future__ import annotations

from dataclasses import dataclass

from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.causal.compute import CausalAttention, QueryCausalAttention, attend_one_query_causal, causal_attention
from attn_tui.mechanisms.terms import DropoutSetting
from attn_tui.mechanisms.trainable import analysis as trainable


@dataclass(frozen=True)
class Analysis(trainable.Analysis):
    """3.4's analysis with the mask and dropout: ``all_queries`` is a
    :class:`~attn_tui.mechanisms.causal.compute.CausalAttention`, ``query`` a
    :class:`~attn_tui.mechanisms.causal.compute.QueryCausalAttention`."""

    dropout: DropoutSetting
    """p, seed and training, as the scenario's settings say."""

    all_queries: CausalAttention  # type: ignore[assignment]
    query: QueryCausalAttention  # type: ignore[assignment]


def dropout_setting(scenario: Scenario) -> DropoutSetting:
    from attn_tui.mechanisms.causal import CAUSAL, DROPOUT_P, DROPOUT_SEED, TRAINING

    return DropoutSetting(
        p=float(CAUSAL.setting(scenario, DROPOUT_P.name)),
        seed=int(CAUSAL.setting(scenario, DROPOUT_SEED.name)),
        training=bool(CAUSAL.setting(scenario, TRAINING.name)),
    )


def analyse(scenario: Scenario, previous: Analysis | None = None) -> Analysis:
    """The numbers for ``scenario``; ``previous`` saves converting and computing what is unchanged."""
    inputs, weights, _ = trainable.inputs_and_weights(scenario, previous)
    dropout = dropout_setting(scenario)
    # What the change left as it was is lent (an edit of W_q computes neither K nor V; another
    # query, nothing): the same numbers as computed afresh.
    earlier = previous.all_queries if isinstance(previous, Analysis) else None
    all_queries = causal_attention(inputs, *weights, dropout, previous=earlier)
    return Analysis(
        scenario=scenario,
        inputs=inputs,
        weights=weights,  # type: ignore[arg-type]
        all_queries=all_queries,
        # The loop form reuses the matrix form's keys and values (the same inputs and weights).
        query=attend_one_query_causal(inputs, *weights, scenario.query, dropout, matrix=all_queries),
        dropout=dropout,
    )
