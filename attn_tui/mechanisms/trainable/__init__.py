"""Section 3.4, self-attention with trainable weights: queries, keys and values from W_q, W_k, W_v,
scores scaled by √d_k.

The unit's pieces: :mod:`.compute` (the pure torch computation, loop and matrix form),
:mod:`.analysis` (its analysis of a scenario), :mod:`.walk` (the walkthrough's steps),
:mod:`.export` (snippet and CSV), :mod:`.panels` (its views, Textual) and the initialisations below.
"""

from __future__ import annotations

from typing import Any, Sequence

from attn_tui.core.parameters import Parameters, WeightMatrix
from attn_tui.mechanisms.base import Initialisation, MatrixSpec, Mechanism, Parts

WEIGHT_MATRICES = (
    MatrixSpec("W_q", "W_q (query)"),
    MatrixSpec("W_k", "W_k (key)"),
    MatrixSpec("W_v", "W_v (value)"),
)

INITIALISATIONS = (
    Initialisation("rand", "torch.rand (3.4.1, SelfAttention_v1)", 123),
    Initialisation("linear", "nn.Linear, shown as weight.T (SelfAttention_v2)", 789),
)
DEFAULT_D_OUT = 2
MAX_D_OUT = 64


def weight_parameters(weights: Sequence[Any]) -> Parameters:
    """Three d_in×d_out tensors as the scenario's W_q, W_k, W_v (float32 values, exact in float64)."""
    return Parameters(tuple((spec.name, WeightMatrix(tuple(map(tuple, w.tolist())))) for spec, w in zip(WEIGHT_MATRICES, weights)))


class TrainableAttention(Mechanism):
    def default_parameters(self, scenario: Any) -> Parameters:
        init = self.initialisations[0]
        return self.initialise(scenario, init.name, init.default_seed, DEFAULT_D_OUT)

    def initialise(self, scenario: Any, initialisation: str, seed: int, d_out: int) -> Parameters:
        from attn_tui.mechanisms.weights import linear_weights, rand_weights

        make = {"rand": rand_weights, "linear": linear_weights}[initialisation]
        return weight_parameters(make(scenario.n_dims, d_out, seed))

    def d_out(self, scenario: Any) -> int:
        return scenario.parameters.matrix("W_q").shape[1]


TRAINABLE = TrainableAttention(
    name="trainable",
    section="3.4",
    title="trainable self-attention",
    summary="q, k, v from W_q, W_k, W_v; scores scaled by √d_k",
    matrices=WEIGHT_MATRICES,
    compares="the weights with and without the √d_k scaling side by side",
    compare_note=(
        "Without √d_k, scores grow with the keys' width and softmax turns one-hot (one weight near 1): "
        "dividing by √d_k keeps their spread. Try W with d_out 64."
    ),
    initialisations=INITIALISATIONS,
    max_d_out=MAX_D_OUT,
    parts=Parts(
        __name__,
        analyse=".analysis:analyse",
        walkthrough=".walk:build_walkthrough",
        panels=(
            ".panels:ProjectionsPanel",
            ".panels:AttentionPanel",
            ".panels:ScaledContextPanel",
        ),
        matrix_view=".panels:TrainableMatrixPanel",
        vector_spaces=".plot:vector_spaces",
        python_snippet=".export:python_snippet",
        panels_csv=".export:panels_csv",
    ),
)
