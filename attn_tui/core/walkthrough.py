"""The walkthrough: the seed's computation as an ordered list of steps, with the real numbers.

Plain data built from an :class:`~attn_tui.core.compute.Analysis`, which already keeps every term;
nothing here computes attention again, it only reads and writes out. No Textual, and no torch import
of its own (the app imports this module before torch has loaded), so a notebook can print a walk.

Stages follow the seed: (1) one dot product per token, (2) softmax — exp of each score, their sum,
each weight, (3) the context vector accumulated token by token, (4) the matrix form for every query
at once, checked against the loops.

A walk *position* counts the steps done: 0 is the start (nothing computed yet) and
``len(steps)`` the end, so ``steps[position - 1]`` is the step just taken.
"""

from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

from attn_tui.core.formatting import (
    context_vector,
    format_number,
    format_operand,
    format_vector,
    subscript_pair,
    token_vector,
)

if TYPE_CHECKING:
    from attn_tui.core.compute import Analysis

Cell = tuple[int, int]
"""(token, dimension), both 0-based: one number of the embedding grid."""

EXP_OVERFLOW = 88.72
"""exp(ω) exceeds float32's largest number (3.4e38) from about here on."""


@dataclass(frozen=True)
class Stage:
    number: int
    """1-based, in the seed's order."""
    name: str
    explanation: str
    """Why this stage exists, in a few sentences, following the seed's narrative."""


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


@dataclass(frozen=True)
class Progress:
    """Where a walk stands, as the views need it: what they may show and the step just taken."""

    position: int
    end: int
    step: Step | None
    """None at the start, before the first step."""
    known: Known

    @property
    def stage(self) -> Stage | None:
        return self.step.stage if self.step is not None else None

    def reads(self, *stages: Stage) -> int | None:
        """The token the current step is about, if the step belongs to one of ``stages``."""
        step = self.step
        return step.token if step is not None and step.stage in stages else None


@dataclass(frozen=True)
class Step:
    """One step of the walk: what it computes, what it reads, and the arithmetic written out."""

    stage: Stage
    title: str
    """Short, e.g. "ω₂₁ = x⁽¹⁾·x⁽²⁾"."""
    computes: str
    """In words, e.g. "the score of “Your” for the query “journey”"."""
    cells: frozenset[Cell]
    """Grid cells the step reads, for the grid to emphasise."""
    rows: tuple[int, ...]
    """Token rows whose embeddings the step reads (0-based)."""
    reads_query: bool
    """True when the step reads the query's embedding."""
    token: int | None
    """The token whose term this step computes (0-based), or None for a step about all tokens."""
    arithmetic: tuple[str, ...]
    """The computation with the actual numbers, one line each."""
    known: Known
    """What is known once this step is done."""
    note: str = ""
    """A remark on this step's numbers, e.g. why exp overflowed."""


@dataclass(frozen=True)
class Walkthrough:
    query: int
    """The query token (0-based)."""
    query_token: str
    n_tokens: int
    steps: tuple[Step, ...]

    @property
    def end(self) -> int:
        """The last position: every step done."""
        return len(self.steps)

    def clamp(self, position: int) -> int:
        return max(0, min(self.end, position))

    def step_at(self, position: int) -> Step | None:
        """The step just taken at ``position``; None at the start."""
        position = self.clamp(position)
        return self.steps[position - 1] if position else None

    def known_at(self, position: int) -> Known:
        step = self.step_at(position)
        return step.known if step is not None else Known()

    def progress(self, position: int) -> Progress:
        position = self.clamp(position)
        return Progress(position, self.end, self.step_at(position), self.known_at(position))

    def stage_start(self, stage: Stage) -> int:
        """The position right after the first step of ``stage``."""
        return next(index for index, step in enumerate(self.steps, 1) if step.stage == stage)

    def next_stage(self, position: int) -> int:
        """The first step of the next stage (the end from the last stage)."""
        step = self.step_at(position)
        following = [s for s in STAGES if step is None or s.number > step.stage.number]
        return self.stage_start(following[0]) if following else self.end

    def previous_stage(self, position: int) -> int:
        """Back to the first step of this stage, or of the previous one if already there."""
        step = self.step_at(position)
        if step is None:
            return 0
        start = self.stage_start(step.stage)
        if position > start:
            return start
        earlier = [s for s in STAGES if s.number < step.stage.number]
        return self.stage_start(earlier[-1]) if earlier else 0

    def intro(self) -> str:
        """What the start position says, before anything is computed."""
        q = self.query + 1
        return (
            f"The query is {token_vector(q)} “{self.query_token}”. Three loops follow, as in the seed: a score "
            f"for every token, the scores normalised into weights, and the weighted sum that gives the "
            f"context vector {context_vector(q)}. Then the same in matrix form, for every query at once."
        )


def build_walkthrough(analysis: Analysis) -> Walkthrough:
    """Every step of the walk for the analysis' scenario and query."""
    scenario = analysis.scenario
    steps = [
        *_score_steps(analysis),
        *_normalisation_steps(analysis),
        *_context_steps(analysis),
        *_matrix_steps(analysis),
    ]
    return Walkthrough(scenario.query, scenario.query_token, scenario.n_tokens, tuple(steps))


# --- the stages ---


T = TypeVar("T")

MAX_TERMS = 8
"""Longer sums and vectors show their first four and last two terms: a 768-term line helps nobody."""


def _terms(values: Sequence[T], write: Callable[[T], str], separator: str) -> str:
    """``values`` written and joined; beyond MAX_TERMS the middle is left out, saying how much."""
    if len(values) <= MAX_TERMS:
        return separator.join(write(v) for v in values)
    return separator.join([*(write(v) for v in values[:4]), f"… {len(values) - 6} more …", *(write(v) for v in values[-2:])])


def _vector(values: Sequence[float], write: Callable[[float], str] = format_number) -> str:
    """[0.4419, 0.6515, 0.5683], abbreviated when long."""
    return "[" + _terms(values, write, ", ") + "]"


def _row_cells(*rows: int, n_dims: int) -> frozenset[Cell]:
    if len(rows) == 1:
        return _one_row_cells(rows[0], n_dims)
    return frozenset().union(*(_one_row_cells(row, n_dims) for row in rows))


@lru_cache(maxsize=1024)
def _one_row_cells(row: int, n_dims: int) -> frozenset[Cell]:
    # Cached: a 512×768 walk reads each row in several steps; building the sets again per step
    # took most of a second per edit.
    return frozenset((row, dim) for dim in range(n_dims))


def _factor(value: float) -> str:
    """An operand of a product; negatives in parentheses, so "0.5×(-0.2)" cannot be misread."""
    text = format_operand(value)
    return f"({text})" if text.startswith("-") else text


def _score_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    q = scenario.query
    query = scenario.embeddings[q]
    scores = analysis.query.scores.tolist()
    steps = []
    for i, (token, x_i, score) in enumerate(zip(scenario.tokens, scenario.embeddings, scores)):
        products = _terms(range(len(x_i)), lambda k: f"{_factor(x_i[k])}×{_factor(query[k])}", " + ")
        symbol = f"ω{subscript_pair(q + 1, i + 1)}"
        dot = f"{token_vector(i + 1)}·{token_vector(q + 1)}"
        steps.append(
            Step(
                stage=SCORES,
                title=f"{symbol} = {dot}",
                computes=f"the score of “{token}” for the query “{scenario.query_token}”",
                cells=_row_cells(i, q, n_dims=scenario.n_dims),
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
    terms = _terms(exps, format_number, " + ")
    steps.append(
        Step(
            stage=NORMALISATION,
            title=f"Σⱼ exp ω{subscript_pair(q1, 'ⱼ')}",
            computes="the sum of all the exps, the softmax's denominator",
            cells=frozenset(),
            rows=(),
            reads_query=False,
            token=None,
            arithmetic=(f"Σⱼ exp ω{subscript_pair(q1, 'ⱼ')} = {terms} = {format_number(exp_sum)}",),
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
    terms = result.weighted_inputs.tolist()
    running = result.running_context.tolist()
    steps = []
    for i, (token, x_i) in enumerate(zip(scenario.tokens, scenario.embeddings)):
        inputs = _vector(x_i, format_operand)
        symbol = f"α{subscript_pair(q1, i + 1)}·{token_vector(i + 1)}"
        steps.append(
            Step(
                stage=CONTEXT,
                title=f"{z} += {symbol}",
                computes=f"“{token}”'s share of the context vector, added to the running sum",
                cells=_row_cells(i, n_dims=scenario.n_dims),
                rows=(i,),
                reads_query=False,
                token=i,
                arithmetic=(
                    f"{symbol} = {format_number(weights[i])} × {inputs} = {_vector(terms[i])}",
                    f"{z} = {_vector(running[i])}" + ("  (done)" if i == n - 1 else f"  (after {i + 1} of {n})"),
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
    everything = _row_cells(*range(n), n_dims=d)
    matrices = analysis.all_queries
    loop = analysis.query
    done = Known(scores=n, exp_scores=n, exp_sum=True, weights=n, context_terms=n)

    def values(row_values: Sequence[float]) -> str:
        return _terms(row_values, format_number, " ")

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
                f"{row}: {_vector(matrix_z)}",
            ),
            3,
        ),
        step(
            f"Z[{q + 1}] = {context_vector(q + 1)}",
            "the check: the matrix form's row for the query equals the loops' result",
            (
                f"Z[{q + 1}] = {_vector(matrix_z)}",
                f"{context_vector(q + 1)} = {_vector(loop_z)}  (the loops)",
                ("equal ✓" if same else "different ✗") + f"  (largest difference {difference:.1e})",
            ),
            4,
        ),
    ]
