"""Section 3.3's walk: the seed's three loops and the matrix form, step by step, with the real numbers.

Plain data built from the simple mechanism's analysis, which already keeps every term: nothing here
computes attention again, it only reads and writes out (no Textual, no torch import of its own).

Stages follow the seed: (1) one dot product per token, (2) softmax — exp of each score, their sum,
each weight, (3) the context vector accumulated token by token, (4) the matrix form for every query
at once, checked against the loops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from attn_tui.core.formatting import context_vector, format_number, format_operand, format_vector, subscript_pair, token_vector
from attn_tui.core.walkthrough import Stage, Step, Walkthrough, factor, row_cells, terms, vector

if TYPE_CHECKING:
    from attn_tui.mechanisms.simple.compute import Analysis

EXP_OVERFLOW = 88.72
"""exp(ω) exceeds float32's largest number (3.4e38) from about here on."""


SCORES = Stage(
    1,
    "Scores",
    "Each score is a dot product: multiply the query's numbers with another token's, dimension by "
    "dimension, and add them up. The more two embeddings point the same way, the larger the score. "
    "A score on its own has no scale, though: 1.5 is neither high nor low until it is compared "
    "with the other scores. That is why the next stage normalises them.",
)
NORMALISATION = Stage(
    2,
    "Normalisation",
    "To compare the scores, turn them into weights that are positive and add up to 1. Softmax does "
    "it: exp makes every score positive and widens the gaps between them, and dividing by the sum of "
    "all the exps makes the weights add up to 1. (Dividing the raw scores by their sum also adds up "
    "to 1, but a negative score would give a negative weight.)",
)
CONTEXT = Stage(
    3,
    "Context vector",
    "The context vector mixes every embedding by its weight: start from zero and add αᵢ·x⁽ⁱ⁾ one "
    "token at a time. Tokens with more weight pull the sum towards themselves, so the result is the "
    "query's token seen in the light of the whole sentence.",
)
MATRIX = Stage(
    4,
    "Matrix form",
    "The three loops, for every query at once. X·Xᵀ holds every dot product, softmax by row turns "
    "each row into weights, and A·X mixes the embeddings for each query. Row q of each matrix is "
    "what the loops computed for query q — the last step checks it.",
    shows_matrix_view=True,
)

STAGES = (SCORES, NORMALISATION, CONTEXT, MATRIX)


@dataclass(frozen=True)
class Known:
    """How much of each result a walk has revealed so far (counts follow the token order)."""

    scores: int = 0
    """ω_q1 … ω_q,scores are known."""
    exp_scores: int = 0
    """exp ω_q1 … are known."""
    exp_sum: bool = False
    """Σⱼ exp ω_qj is known."""
    weights: int = 0
    """α_q1 … are known."""
    context_terms: int = 0
    """α_q1·x⁽¹⁾ … have been added to the context vector."""
    matrices: int = 0
    """Matrix form: 1 = ω = X·Xᵀ, 2 = also A = softmax(ω), 3 = also Z = A·X, 4 = also checked."""

    @classmethod
    def everything(cls, n_tokens: int) -> Known:
        """All results known: the live view, or the end of a walk."""
        return cls(n_tokens, n_tokens, True, n_tokens, n_tokens, MATRICES)


MATRICES = 4
"""Steps of the matrix stage: ω, A, Z and the check."""


def build_walkthrough(analysis: Analysis) -> Walkthrough:
    """Every step of the walk for the analysis' scenario and query."""
    scenario = analysis.scenario
    steps = [
        *_score_steps(analysis),
        *_normalisation_steps(analysis),
        *_context_steps(analysis),
        *_matrix_steps(analysis),
    ]
    return Walkthrough(
        scenario.query,
        scenario.query_token,
        scenario.n_tokens,
        tuple(steps),
        STAGES,
        nothing_known=Known(),
        introduction=_introduction(scenario.query, scenario.query_token),
    )


def _introduction(query: int, query_token: str) -> str:
    q = query + 1
    return (
        f"The query is {token_vector(q)} “{query_token}”. Three loops follow, as in the seed: a score "
        f"for every token, the scores normalised into weights, and the weighted sum that gives the "
        f"context vector {context_vector(q)}. Then the same in matrix form, for every query at once."
    )


# --- the stages ---


def _score_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    q = scenario.query
    query = scenario.embeddings[q]
    scores = analysis.query.scores.tolist()
    steps = []
    for i, (token, x_i, score) in enumerate(zip(scenario.tokens, scenario.embeddings, scores)):
        products = terms(range(len(x_i)), lambda k: f"{factor(x_i[k])}×{factor(query[k])}", " + ")
        symbol = f"ω{subscript_pair(q + 1, i + 1)}"
        dot = f"{token_vector(i + 1)}·{token_vector(q + 1)}"
        steps.append(
            Step(
                stage=SCORES,
                title=f"{symbol} = {dot}",
                computes=f"the score of “{token}” for the query “{scenario.query_token}”",
                cells=row_cells(i, q, n_dims=scenario.n_dims),
                rows=tuple(sorted({i, q})),
                reads_query=True,
                token=i,
                arithmetic=(f"{symbol} = {dot} = {products} = {format_number(score)}",),
                known=Known(scores=i + 1),
            )
        )
    return steps


def _normalisation_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    n = scenario.n_tokens
    q1 = scenario.query + 1
    result = analysis.query
    scores = result.scores.tolist()
    exps = result.exp_scores.tolist()
    exp_sum = float(result.exp_sum)
    naive = result.naive_weights.tolist()
    weights = result.weights.tolist()
    largest = max(scores)
    steps = []
    for i, (token, score, exp) in enumerate(zip(scenario.tokens, scores, exps)):
        note = ""
        if math.isinf(exp):
            note = (
                f"exp({format_number(score)}) is beyond float32's largest number (3.4e38; any ω above "
                f"{EXP_OVERFLOW} overflows), so it becomes inf."
            )
        steps.append(
            Step(
                stage=NORMALISATION,
                title=f"exp ω{subscript_pair(q1, i + 1)}",
                computes=f"exp of the score of “{token}”, positive whatever the score's sign",
                cells=frozenset(),
                rows=(),
                reads_query=False,
                token=i,
                arithmetic=(f"exp ω{subscript_pair(q1, i + 1)} = exp({format_number(score)}) = {format_number(exp)}",),
                known=Known(scores=n, exp_scores=i + 1),
                note=note,
            )
        )
    exp_terms = terms(exps, format_number, " + ")
    steps.append(
        Step(
            stage=NORMALISATION,
            title=f"Σⱼ exp ω{subscript_pair(q1, 'ⱼ')}",
            computes="the sum of all the exps, the softmax's denominator",
            cells=frozenset(),
            rows=(),
            reads_query=False,
            token=None,
            arithmetic=(f"Σⱼ exp ω{subscript_pair(q1, 'ⱼ')} = {exp_terms} = {format_number(exp_sum)}",),
            known=Known(scores=n, exp_scores=n, exp_sum=True),
            note="One exp overflowed, so the sum is inf too." if math.isinf(exp_sum) else "",
        )
    )
    for i, token in enumerate(scenario.tokens):
        symbol = f"α{subscript_pair(q1, i + 1)}"
        arithmetic = [
            f"{symbol} = exp ω{subscript_pair(q1, i + 1)} / Σⱼ exp ω{subscript_pair(q1, 'ⱼ')} = "
            f"{format_number(exps[i])} / {format_number(exp_sum)} = {format_number(naive[i])}"
        ]
        note = ""
        if not math.isfinite(exp_sum):
            # The naive quotient is lost (inf/inf = NaN, x/inf = 0); show the stable result used below.
            arithmetic.append(f"torch.softmax: {symbol} = {format_number(weights[i])}")
            note = (
                f"exp overflowed in float32, so exp/sum gives {format_number(naive[i])}. torch.softmax "
                f"subtracts the largest score ({format_number(largest)}) first: exp(ω − max ω) is at most 1 "
                "and never overflows, so its weights are right."
            )
        steps.append(
            Step(
                stage=NORMALISATION,
                title=symbol,
                computes=f"the attention weight of “{token}”: its share of the sum",
                cells=frozenset(),
                rows=(),
                reads_query=False,
                token=i,
                arithmetic=tuple(arithmetic),
                known=Known(scores=n, exp_scores=n, exp_sum=True, weights=i + 1),
                note=note,
            )
        )
    return steps


def _context_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    n = scenario.n_tokens
    q = scenario.query
    q1 = q + 1
    z = context_vector(q + 1)
    result = analysis.query
    weights = result.weights.tolist()
    weighted = result.weighted_inputs.tolist()
    running = result.running_context.tolist()
    steps = []
    for i, (token, x_i) in enumerate(zip(scenario.tokens, scenario.embeddings)):
        inputs = vector(x_i, format_operand)
        symbol = f"α{subscript_pair(q1, i + 1)}·{token_vector(i + 1)}"
        steps.append(
            Step(
                stage=CONTEXT,
                title=f"{z} += {symbol}",
                computes=f"“{token}”'s share of the context vector, added to the running sum",
                cells=row_cells(i, n_dims=scenario.n_dims),
                rows=(i,),
                reads_query=False,
                token=i,
                arithmetic=(
                    f"{symbol} = {format_number(weights[i])} × {inputs} = {vector(weighted[i])}",
                    f"{z} = {vector(running[i])}" + ("  (done)" if i == n - 1 else f"  (after {i + 1} of {n})"),
                ),
                known=Known(scores=n, exp_scores=n, exp_sum=True, weights=n, context_terms=i + 1),
            )
        )
    return steps


def _matrix_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    n, d = scenario.n_tokens, scenario.n_dims
    q = scenario.query
    row = f"row {q + 1} ({scenario.query_token})"
    everything = row_cells(*range(n), n_dims=d)
    matrices = analysis.all_queries
    loop = analysis.query
    done = Known(scores=n, exp_scores=n, exp_sum=True, weights=n, context_terms=n)

    def values(row_values: Sequence[float]) -> str:
        return terms(row_values, format_number, " ")

    row_sums = matrices.weights.sum(dim=-1).tolist()
    matrix_z = matrices.context[q].tolist()
    loop_z = loop.context.tolist()
    difference = max(abs(a - b) for a, b in zip(matrix_z, loop_z))
    same = format_vector(matrix_z) == format_vector(loop_z)

    def step(title: str, computes: str, arithmetic: tuple[str, ...], matrices_known: int) -> Step:
        return Step(
            stage=MATRIX,
            title=title,
            computes=computes,
            cells=everything,
            rows=tuple(range(n)),
            reads_query=True,
            token=None,
            arithmetic=arithmetic,
            known=replace(done, matrices=matrices_known),
        )

    return [
        step(
            "ω = X·Xᵀ",
            f"every token's score against every other, in one {n}×{n} matrix (row q for query q)",
            (
                f"ω = X·Xᵀ ({n}×{d} · {d}×{n} = {n}×{n}); ω[q, i] = x⁽q⁾·x⁽ⁱ⁾",
                f"{row}: {values(matrices.scores[q].tolist())}",
            ),
            1,
        ),
        step(
            "A = softmax(ω) by row",
            "every query's weights at once: softmax along each row",
            (
                "A = torch.softmax(ω, dim=-1)",
                f"{row}: {values(matrices.weights[q].tolist())}",
                f"row sums: {values(row_sums)}",
            ),
            2,
        ),
        step(
            "Z = A·X",
            f"every query's context vector at once, in one {n}×{d} matrix",
            (
                f"Z = A·X ({n}×{n} · {n}×{d} = {n}×{d}); Z[q] = Σᵢ A[q, i] x⁽ⁱ⁾",
                f"{row}: {vector(matrix_z)}",
            ),
            3,
        ),
        step(
            f"Z[{q + 1}] = {context_vector(q + 1)}",
            "the check: the matrix form's row for the query equals the loops' result",
            (
                f"Z[{q + 1}] = {vector(matrix_z)}",
                f"{context_vector(q + 1)} = {vector(loop_z)}  (the loops)",
                ("equal ✓" if same else "different ✗") + f"  (largest difference {difference:.1e})",
            ),
            4,
        ),
    ]
