"""Section 3.5, causal attention: the mask (a token sees only itself and the tokens before it), the
book's two ways of applying it, and dropout on the weights.

The unit's pieces, as 3.4's: :mod:`.compute` (pure torch), :mod:`.analysis`, :mod:`.walk`,
:mod:`.export`, :mod:`.plot` (its vector spaces), :mod:`.panels` (Textual) and the declaration below. The weights are 3.4's three
matrices (:data:`~attn_tui.mechanisms.trainable.WEIGHT_MATRICES`); dropout's p, seed and the
training flag are settings, kept in the scenario's parameters with the matrices.
"""

from __future__ import annotations

from typing import Any

from attn_tui.core.parameters import Parameters
from attn_tui.mechanisms.base import Initialisation, Parts, Setting
from attn_tui.mechanisms.trainable import MAX_D_OUT, WEIGHT_MATRICES, TrainableAttention, weight_parameters

INITIALISATIONS = (
    # 3.5.1 prints the mask on SelfAttention_v2's weights; 3.5.3's CausalAttention draws the same
    # three nn.Linear after seed 123.
    Initialisation("linear", "nn.Linear, seed 789 (SelfAttention_v2, as 3.5.1)", 789),
    Initialisation("causal", "nn.Linear, seed 123 (CausalAttention, 3.5.3)", 123),
    Initialisation("rand", "torch.rand (3.4.1, SelfAttention_v1)", 123),
)

DROPOUT_P = Setting("dropout_p", "dropout p", 0.5, 0.0, 0.9, "the chance of dropping each weight (training only); 3.5.2 uses 0.5")
DROPOUT_SEED = Setting("dropout_seed", "dropout seed", 123, 0, 2**63 - 1, "torch.manual_seed right before the draw; D re-draws with the next")
TRAINING = Setting("training", "training", False, help="on: module.train(), dropout acts; off: module.eval(), it does nothing (T)")
SETTINGS = (DROPOUT_P, DROPOUT_SEED, TRAINING)

KEEP_FACTOR_NOTE = (
    "Dropout zeroes each weight with chance p and multiplies the survivors by 1/(1−p): a weight "
    "survives with chance 1−p, so its expected value, and each row's expected sum, stay as before."
)


class CausalAttentionMechanism(TrainableAttention):
    """3.4's weights and projections; a mask and dropout after the scaled scores."""

    def initialise(self, scenario: Any, initialisation: str, seed: int, d_out: int) -> Parameters:
        from attn_tui.mechanisms.weights import linear_weights, rand_weights

        make = {"rand": rand_weights, "linear": linear_weights, "causal": linear_weights}[initialisation]
        weights = weight_parameters(make(scenario.n_dims, d_out, seed))
        # New weights keep the dropout settings: the mask is a separate choice (o, D, T).
        for setting in self.settings:
            weights = weights.replacing(setting.name, self.setting(scenario, setting.name))
        return weights


CAUSAL = CausalAttentionMechanism(
    name="causal",
    section="3.5",
    title="causal attention",
    summary="a token attends only to itself and the tokens before it; dropout on the weights",
    matrices=WEIGHT_MATRICES,
    compares="the book's two ways of masking side by side, with their largest difference",
    compare_note=(
        "First way: softmax over every token, zero the later ones (× tril), divide each row by its sum. "
        "Second: −∞ before the softmax. They agree: dividing by the visible share cancels the masked "
        "tokens' part of the softmax's denominator."
    ),
    initialisations=INITIALISATIONS,
    max_d_out=MAX_D_OUT,
    settings=SETTINGS,
    redraw_setting=DROPOUT_SEED.name,
    redraw_note="A new dropout mask (the seed fixes it: edits elsewhere keep it).",
    switch_setting=TRAINING.name,
    switch_note=KEEP_FACTOR_NOTE,
    parts=Parts(
        __name__,
        analyse=".analysis:analyse",
        walkthrough=".walk:build_walkthrough",
        panels=(
            "attn_tui.mechanisms.trainable.panels:ProjectionsPanel",
            ".panels:CausalWeightsPanel",
            "attn_tui.mechanisms.trainable.panels:ScaledContextPanel",
        ),
        matrix_view=".panels:CausalMatrixPanel",
        vector_spaces=".plot:vector_spaces",
        python_snippet=".export:python_snippet",
        panels_csv=".export:panels_csv",
    ),
)
"""The registry's 3.5."""
