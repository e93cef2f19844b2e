"""Section 3.6, multi-head attention: several causal heads (3.5) side by side, both of the book's
variants — ``MultiHeadAttention`` (one W_q, W_k, W_v split into heads, then ``out_proj``) and
``MultiHeadAttentionWrapper`` (independent heads, concatenated).

The unit's pieces: :mod:`.compute` (pure torch), :mod:`.analysis` (the shown head as a 3.5
analysis, and every head), :mod:`.walk`, :mod:`.export`, :mod:`.plot` (its vector spaces),
:mod:`.panels` (Textual) and the declaration below. Heads, the shown head and 3.5's dropout settings are settings; the variant is
a parameter named "variant", chosen with the weights (W).
"""

from __future__ import annotations

from typing import Any

from attn_tui.core.parameters import Parameters, WeightMatrix
from attn_tui.core.scenario import ScenarioError
from attn_tui.mechanisms.base import Initialisation, MatrixSpec, Parts, Setting
from attn_tui.mechanisms.causal import DROPOUT_P, DROPOUT_SEED, KEEP_FACTOR_NOTE, TRAINING, CausalAttentionMechanism

SPLIT = "split"
"""``MultiHeadAttention`` (3.6.2)."""
WRAPPER = "wrapper"
"""``MultiHeadAttentionWrapper`` (3.6.1)."""

INITIALISATIONS = (
    Initialisation(SPLIT, "MultiHeadAttention (3.6.2): one W split into heads, then out_proj", 123),
    Initialisation(WRAPPER, "MultiHeadAttentionWrapper (3.6.1): independent heads, d_out each", 123),
)
HEADS = Setting("heads", "heads", 2, 1, 64, "h; MultiHeadAttention needs d_out divisible by h")
HEAD = Setting("head", "head shown", 1, 1, 64, "the head the panels show (H: the next)")
SETTINGS = (HEADS, HEAD, DROPOUT_P, DROPOUT_SEED, TRAINING)
SPLIT_MATRICES = (
    MatrixSpec("W_q", "W_q (query, all heads' columns)"),
    MatrixSpec("W_k", "W_k (key, all heads' columns)"),
    MatrixSpec("W_v", "W_v (value, all heads' columns)"),
    MatrixSpec("W_out", "W_out (out_proj.weight.T)", row_label="in"),
    MatrixSpec("b_out", "b_out (out_proj.bias)", row_label="bias"),
)
DEFAULT_D_OUT = 2
MAX_D_OUT = 768


def head_names(head: int) -> tuple[str, str, str]:
    """The wrapper's matrices of head ``head`` (1-based): W_q.1, W_k.1, W_v.1."""
    return (f"W_q.{head}", f"W_k.{head}", f"W_v.{head}")


def _rows(tensor: Any) -> tuple[tuple[float, ...], ...]:
    return tuple(map(tuple, tensor.tolist()))


class MultiHeadMechanism(CausalAttentionMechanism):
    """3.5's causal heads, h of them; the panels show one head (H), the concatenation and out_proj."""

    def variant(self, scenario: Any) -> str:
        variant = scenario.parameters.get("variant", SPLIT)
        return variant if variant in (SPLIT, WRAPPER) else SPLIT

    def heads(self, scenario: Any) -> int:
        return int(self.setting(scenario, HEADS.name))

    def matrix_specs(self, scenario: Any) -> tuple[MatrixSpec, ...]:
        if self.variant(scenario) == SPLIT:
            return SPLIT_MATRICES
        return tuple(
            MatrixSpec(name, f"{name} (head {head}, {kind})")
            for head in range(1, self.heads(scenario) + 1)
            for name, kind in zip(head_names(head), ("query", "key", "value"))
        )

    def default_parameters(self, scenario: Any) -> Parameters:
        return self.initialise(scenario, SPLIT, 123, DEFAULT_D_OUT)

    def initialise(self, scenario: Any, initialisation: str, seed: int, d_out: int) -> Parameters:
        heads = self.heads(scenario)
        settings = tuple((setting.name, self.setting(scenario, setting.name)) for setting in self.settings)
        return Parameters((("variant", initialisation), *self._weights(scenario.n_dims, initialisation, seed, d_out, heads), *settings))

    def _weights(self, d_in: int, variant: str, seed: int, d_out: int, heads: int) -> tuple[tuple[str, WeightMatrix], ...]:
        from attn_tui.mechanisms.weights import multihead_weights, wrapper_heads_weights

        if variant == SPLIT:
            if d_out % heads:
                raise ScenarioError(f"d_out ({d_out}) must be divisible by the number of heads ({heads}): each head gets d_out / heads columns")
            weights = multihead_weights(d_in, d_out, heads, seed)
            return (
                *((name, WeightMatrix(_rows(w))) for name, w in zip(("W_q", "W_k", "W_v"), weights[:3])),
                ("W_out", WeightMatrix(_rows(weights.w_out), follows_inputs=False)),
                ("b_out", WeightMatrix((tuple(weights.b_out.tolist()),), follows_inputs=False)),
            )
        per_head = wrapper_heads_weights(d_in, d_out, heads, seed)
        return tuple((name, WeightMatrix(_rows(w))) for head, weights in enumerate(per_head, 1) for name, w in zip(head_names(head), weights))

    def d_out(self, scenario: Any) -> int:
        first = "W_q" if self.variant(scenario) == SPLIT else "W_q.1"
        return scenario.parameters.matrix(first).shape[1]

    def check_settings(self, scenario: Any, values: dict) -> None:
        heads = int(values.get(HEADS.name, self.heads(scenario)))
        head = int(values.get(HEAD.name, self.setting(scenario, HEAD.name)))
        if self.variant(scenario) == SPLIT and self.d_out(scenario) % heads:
            raise ScenarioError(
                f"d_out ({self.d_out(scenario)}) must be divisible by the number of heads ({heads}): "
                "each head gets d_out / heads columns (W draws weights of another d_out)"
            )
        if head > heads:
            raise ScenarioError(f"the head shown must be from 1 to {heads}, not {head}")

    def with_settings(self, scenario: Any, values: dict) -> Parameters:
        parameters = super().with_settings(scenario, values)
        heads = int(values.get(HEADS.name, self.heads(scenario)))
        before = self.heads(scenario)
        if self.variant(scenario) != WRAPPER or heads == before:
            return parameters
        # The wrapper's heads each have their own weights: a new head gets the one the book's
        # seed-123 wrapper would build in its place; a removed head's weights go.
        from attn_tui.mechanisms.weights import wrapper_heads_weights

        drawn = wrapper_heads_weights(scenario.n_dims, self.d_out(scenario), heads, 123) if heads > before else ()
        kept = tuple((name, value) for name, value in parameters.items() if not name.startswith("W_") or int(name.rpartition(".")[2]) <= heads)
        added = tuple((name, WeightMatrix(_rows(w))) for head in range(before + 1, heads + 1) for name, w in zip(head_names(head), drawn[head - 1]))
        return Parameters(kept + added)


MULTIHEAD = MultiHeadMechanism(
    name="multihead",
    section="3.6",
    title="multi-head attention",
    summary="h causal heads side by side, concatenated (then out_proj)",
    matrices=SPLIT_MATRICES,
    compares="the shown head's two ways of masking side by side (as 3.5)",
    compare_note="As in 3.5: the book's two ways of masking agree, for every head.",
    initialisations=INITIALISATIONS,
    max_d_out=MAX_D_OUT,
    settings=SETTINGS,
    redraw_setting=DROPOUT_SEED.name,
    redraw_note="A new dropout mask for every head.",
    switch_setting=TRAINING.name,
    switch_note=KEEP_FACTOR_NOTE,
    cycle_setting=HEAD.name,
    cycle_limit_setting=HEADS.name,
    parts=Parts(
        __name__,
        analyse=".analysis:analyse",
        walkthrough=".walk:build_walkthrough",
        panels=(
            ".panels:HeadProjectionsPanel",
            ".panels:HeadWeightsPanel",
            ".panels:HeadsPanel",
        ),
        matrix_view=".panels:HeadsMatrixPanel",
        vector_spaces=".plot:vector_spaces",
        python_snippet=".export:python_snippet",
        panels_csv=".export:panels_csv",
    ),
)
"""The registry's 3.6."""
