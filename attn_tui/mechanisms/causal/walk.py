"""Section 3.5's walk: 3.4's projections, scores and scaling, then the mask, the softmax of what is
left, dropout, the context and the matrix form.

Plain data from the causal analysis, which keeps every term: 3.4's step writers are reused for
what the two sections share, re-staged into this walk's stages and its record of what is known.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from attn_tui.core.formatting import context_vector, format_number, subscript, token_vector
from attn_tui.core.walkthrough import Stage, Step, Walkthrough, terms, vector
from attn_tui.mechanisms.trainable import walk as trainable
from attn_tui.mechanisms.trainable.walk import KEYS_VALUES, QUERY, SCALING, SCORES

if TYPE_CHECKING:
    from attn_tui.mechanisms.causal.analysis import Analysis

MINUS_INFINITY = "−∞"
"""How a masked score is written: the book's -inf."""
MASKED = "—"
"""A weight the mask removed (a token after the query): it is 0, and never a number to compare."""
DROPPED = "×"
"""A weight dropout zeroed, in the matrix view; the panels write it out as "0 (dropped)"."""

MASK = Stage(
    5,
    "Causal mask",
    "A language model predicts the next token, so a token may only look at itself and the tokens "
    "before it. The scores of the later tokens (above the diagonal of ω) become −∞ before the "
    "softmax: exp(−∞) = 0, so they get no weight and add nothing to the sum.",
)
SOFTMAX = Stage(
    6,
    "Softmax of what is left",
    "The softmax now runs over the visible tokens only: their weights sum to 1. The book's first "
    "way — softmax over every token, zero the later ones, divide by the sum — gives the same numbers "
    "(press c): the division cancels the masked tokens' share of the denominator.",
)
DROPOUT = Stage(
    7,
    "Dropout",
    "In training, dropout zeroes each weight with chance p and multiplies the survivors by "
    "1/(1−p). A weight survives with chance 1−p, so its expected value — and each row's expected "
    "sum — stays what it was. In evaluation (T switches) dropout does nothing.",
)
CONTEXT = Stage(
    8,
    "Context vector",
    "As in 3.4, the context vector adds αᵢ·v⁽ⁱ⁾ one token at a time — with the weights after "
    "dropout, and nothing from the masked tokens.",
)
MATRIX = Stage(
    9,
    "Matrix form",
    "All of it for every query at once, as CausalAttention's forward does: ω = Q·Kᵀ, "
    "ω.masked_fill(triu(ones, 1), −∞), A = softmax(ω/√d_k), dropout(A), Z = A·V.",
    shows_matrix_view=True,
)

STAGES = (QUERY, KEYS_VALUES, SCORES, SCALING, MASK, SOFTMAX, DROPOUT, CONTEXT, MATRIX)
MATRICES = 5
"""Steps of the matrix stage: Q, K, V; masked ω; A; dropout and Z; the check."""


@dataclass(frozen=True)
class Known(trainable.Known):
    """3.4's record, and whether the mask and dropout have been applied."""

    masked: bool = False
    dropout: bool = False

    @classmethod
    def everything(cls, n_tokens: int, d_out: int) -> Known:
        return replace(super().everything(n_tokens, d_out), masked=True, dropout=True, matrices=MATRICES)


def _restaged(steps: Sequence[Step], stage: Stage | None = None, **known: bool) -> list[Step]:
    """3.4's steps in this walk: its stage (when given) and its record of what is known."""
    return [replace(step, stage=stage or step.stage, known=Known(**vars(step.known), **known)) for step in steps]


def build_walkthrough(analysis: Analysis) -> Walkthrough:
    scenario = analysis.scenario
    q = scenario.query + 1
    steps = [
        *_restaged(trainable._query_steps(analysis)),  # type: ignore[arg-type]
        *_restaged(trainable._key_value_steps(analysis)),  # type: ignore[arg-type]
        *_restaged(trainable._score_steps(analysis)),  # type: ignore[arg-type]
        *_restaged([trainable._scaling_step(analysis)]),  # type: ignore[arg-type]
        _mask_step(analysis),
        *_softmax_steps(analysis),
        _dropout_step(analysis),
        *_context_steps(analysis),
        *_matrix_steps(analysis),
    ]
    introduction = (
        f"The query is {token_vector(q)} “{scenario.query_token}”. As in 3.4: its query vector, every "
        f"token's key and value, the scores scaled by √d_k. Then the causal mask hides the tokens "
        f"after “{scenario.query_token}”, the softmax spreads the weight over the rest, dropout acts "
        f"(in training), and the context vector {context_vector(q)} adds up the values."
    )
    return Walkthrough(scenario.query, scenario.query_token, scenario.n_tokens, tuple(steps), STAGES, Known(), introduction)


def _everything_before_softmax(analysis: Analysis) -> Known:
    n, d_out = analysis.scenario.n_tokens, analysis.d_out
    return Known(query=d_out, keys=n, scores=n, scaled=True, masked=True)


def _mask_step(analysis: Analysis) -> Step:
    scenario = analysis.scenario
    q = scenario.query
    qs = subscript(q + 1)
    scaled = analysis.query.scaled_scores.tolist()
    shown = terms(range(scenario.n_tokens), lambda i: format_number(scaled[i]) if i <= q else MINUS_INFINITY, ", ")
    later = scenario.n_tokens - q - 1
    return Step(
        stage=MASK,
        title=f"ω{qs}ᵢ/√d_k → {MINUS_INFINITY} after “{scenario.query_token}”",
        computes=f"the mask: the {later} token{'s' if later != 1 else ''} after the query get {MINUS_INFINITY}" if later else "the mask: the query is the last token, so it sees every token",
        cells=frozenset(),
        rows=(),
        reads_query=False,
        token=None,
        arithmetic=(f"masked ω{qs}ᵢ/√d_k = {shown}",),
        known=_everything_before_softmax(analysis),
    )


def _softmax_steps(analysis: Analysis) -> list[Step]:
    q = analysis.scenario.query
    steps = _restaged(trainable._softmax_steps(analysis), SOFTMAX, masked=True)  # type: ignore[arg-type]
    qs = subscript(q + 1)
    # 3.4's writer would print exp(-inf); a masked token's weight is 0 by the mask, said so.
    for index, step in enumerate(steps):
        if step.token is not None and step.token > q:
            token = analysis.scenario.tokens[step.token]
            steps[index] = replace(
                step,
                computes=f"“{token}” comes after the query: masked",
                arithmetic=(f"α{qs}{subscript(step.token + 1)} = exp({MINUS_INFINITY}) / Σ = 0  (masked)",),
            )
    return steps


def _dropout_step(analysis: Analysis) -> Step:
    scenario = analysis.scenario
    q = scenario.query
    qs = subscript(q + 1)
    dropout = analysis.dropout
    weights = analysis.query.weights.tolist()
    after = analysis.query.dropped_weights.tolist()
    dropped = analysis.query.dropped.tolist()
    known = replace(_everything_before_softmax(analysis), exp_sum=True, weights=scenario.n_tokens, dropout=True)
    if not dropout.active:
        why = "evaluation mode (module.eval()): T switches to training" if not dropout.training else "p = 0: nothing is dropped"
        arithmetic: tuple[str, ...] = (f"dropout does nothing: {why}. The weights stay as they are.",)
    else:
        factor = format_number(dropout.keep_factor)

        def one(i: int) -> str:
            symbol = f"α{qs}{subscript(i + 1)}"
            return f"{symbol}: {format_number(weights[i])} → " + ("0 (dropped)" if dropped[i] else f"×{factor} = {format_number(after[i])}")

        arithmetic = (
            f"p = {dropout.p:g}, torch.manual_seed({dropout.seed}); survivors × 1/(1−p) = {factor}",
            *(one(i) for i in range(q + 1)),
            f"Σ after dropout = {format_number(sum(after))} (expected: {format_number(sum(weights))})",
        )
    return Step(
        stage=DROPOUT,
        title="dropout(α)" if dropout.active else "dropout: off",
        computes="which weights dropout zeroes, and the survivors scaled by 1/(1−p)",
        cells=frozenset(),
        rows=(),
        reads_query=False,
        token=None,
        arithmetic=arithmetic,
        known=known,
        note="A survivor is scaled by 1/(1−p) so that the expected value of every weight stays the same." if dropout.active else "",
    )


def _context_steps(analysis: Analysis) -> list[Step]:
    steps = trainable._context_steps(analysis, weights=analysis.query.dropped_weights.tolist())  # type: ignore[arg-type]
    return _restaged(steps, CONTEXT, masked=True, dropout=True)


def _matrix_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    n, d_out = scenario.n_tokens, analysis.d_out
    q = scenario.query
    row = f"row {q + 1} ({scenario.query_token})"
    matrices = analysis.all_queries
    step = trainable.matrix_step_maker(analysis, MATRIX, Known.everything(n, d_out))  # type: ignore[arg-type]
    values = trainable.matrix_row_values
    dropout = analysis.dropout
    return [
        step(
            "Q = X·W_q, K = X·W_k, V = X·W_v",
            f"every token's query, key and value at once: three {n}×{d_out} matrices",
            (f"Q {row}: {vector(matrices.queries[q].tolist())}",),
            1,
        ),
        step(
            "ω.masked_fill(triu(ones, 1), −∞)",
            f"every score, then {MINUS_INFINITY} above the diagonal: query i may not see token j > i",
            (f"ω = Q·Kᵀ masked; {row}: {values(matrices.masked_scores[q].tolist())}",),
            2,
        ),
        step(
            "A = softmax(ω/√d_k)",
            "every query's weights: 0 above the diagonal, each row summing to 1",
            (f"A {row}: {values(matrices.weights[q].tolist())}",),
            3,
        ),
        step(
            "dropout(A), Z = A·V" if dropout.active else "Z = A·V",
            "the weights after dropout, then every context vector" if dropout.active else "every context vector (dropout is off)",
            (
                *((f"dropout(A) {row}: {values(matrices.dropped_weights[q].tolist())}",) if dropout.active else ()),
                f"Z {row}: {vector(matrices.context[q].tolist())}",
            ),
            4,
        ),
        trainable.matrix_check_step(analysis, step, 5),  # type: ignore[arg-type]
    ]
