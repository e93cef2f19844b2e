"""Section 3.4's walk: projections, scores, scaling, softmax and the context, then the matrix form.

Plain data built from the trainable mechanism's analysis, which keeps every term: nothing here
computes attention again, it only reads and writes out (no Textual, no torch import of its own).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Sequence

from attn_tui.core.formatting import context_vector, format_number, format_vector, subscript, subscript_pair, superscript, token_vector
from attn_tui.core.walkthrough import Cell, Stage, Step, Walkthrough, factor, row_cells, terms, vector

if TYPE_CHECKING:
    from attn_tui.mechanisms.trainable.analysis import Analysis

QUERY = Stage(
    1,
    "Query",
    "Simple attention compared the embeddings themselves. Here each token first gets three new "
    "vectors from trainable weight matrices: a query q = x·W_q (what this token looks for), a key "
    "k = x·W_k (what it offers to be found by) and a value v = x·W_v (what it passes on). Each number "
    "of q⁽ⁱ⁾ is a dot product of the embedding with one column of W_q.",
)
KEYS_VALUES = Stage(
    2,
    "Keys and values",
    "Every token, the query's own included, gets a key and a value the same way, with W_k and W_v. "
    "Training adjusts these matrices so that keys match the queries that should attend to them.",
)
SCORES = Stage(
    3,
    "Scores",
    "A score is now the dot product of the query q⁽ᑫ⁾ with a token's key k⁽ⁱ⁾ — not of the embeddings. "
    "Queries and keys live in a d_out-dimensional space the weights choose.",
)
SCALING = Stage(
    4,
    "Scaling by √d_k",
    "Before the softmax every score is divided by √d_k, the square root of the keys' width. Dot "
    "products of longer vectors grow larger, and softmax of large numbers is nearly one-hot: one "
    "weight near 1, the others near 0, and tiny gradients in training. Dividing by √d_k keeps their "
    "spread about the same whatever d_k is (press c to compare).",
)
SOFTMAX = Stage(
    5,
    "Softmax",
    "As in simple attention, exp makes every scaled score positive and dividing by the sum makes "
    "the weights add up to 1.",
)
CONTEXT = Stage(
    6,
    "Context vector",
    "The context vector mixes the values, not the embeddings: start from zero and add αᵢ·v⁽ⁱ⁾ one "
    "token at a time. It has d_out numbers, like the values.",
)
MATRIX = Stage(
    7,
    "Matrix form",
    "All of it for every query at once, as SelfAttention_v1's forward does: Q = X·W_q, K = X·W_k, "
    "V = X·W_v, ω = Q·Kᵀ, A = softmax(ω/√d_k) by row, Z = A·V. Row q of Z is what the steps "
    "computed for query q — the last step checks it.",
    shows_matrix_view=True,
)

STAGES = (QUERY, KEYS_VALUES, SCORES, SCALING, SOFTMAX, CONTEXT, MATRIX)
MATRICES = 4
"""Steps of the matrix stage: Q, K, V; ω; A and Z; the check."""


@dataclass(frozen=True)
class Known:
    """How much of each result a walk has revealed so far (counts follow the token order)."""

    query: int = 0
    """q⁽ᑫ⁾₁ … are known."""
    keys: int = 0
    """k⁽¹⁾, v⁽¹⁾ … are known."""
    scores: int = 0
    scaled: bool = False
    """ω/√d_k of every token is known."""
    exp_sum: bool = False
    weights: int = 0
    context_terms: int = 0
    matrices: int = 0

    @classmethod
    def everything(cls, n_tokens: int, d_out: int) -> Known:
        """All results known: the live view, or the end of a walk."""
        return cls(d_out, n_tokens, n_tokens, True, True, n_tokens, n_tokens, MATRICES)


def query_vector(index: int) -> str:
    """q⁽ⁱ⁾ for a 1-based token index."""
    return f"q⁽{superscript(index)}⁾"


def key_vector(index: int) -> str:
    return f"k⁽{superscript(index)}⁾"


def value_vector(index: int) -> str:
    return f"v⁽{superscript(index)}⁾"


def build_walkthrough(analysis: Analysis) -> Walkthrough:
    scenario = analysis.scenario
    steps = [
        *_query_steps(analysis),
        *_key_value_steps(analysis),
        *_score_steps(analysis),
        _scaling_step(analysis),
        *_softmax_steps(analysis),
        *_context_steps(analysis),
        *_matrix_steps(analysis),
    ]
    q = scenario.query + 1
    introduction = (
        f"The query is {token_vector(q)} “{scenario.query_token}”. First its query vector {query_vector(q)} "
        f"= {token_vector(q)}·W_q, then every token's key and value, the scores {query_vector(q)}·k⁽ⁱ⁾ "
        f"scaled by √d_k, their softmax, and the context vector {context_vector(q)} = Σᵢ αᵢ v⁽ⁱ⁾. Then the "
        f"same in matrix form. The grid shows what a step reads: g switches it to W_q, W_k or W_v."
    )
    return Walkthrough(scenario.query, scenario.query_token, scenario.n_tokens, tuple(steps), STAGES, Known(), introduction)


def _weight(value: float) -> str:
    """A weight in a product, with the book's 4 decimals (0.0740, not 0.074); negatives in parentheses."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def _weight_cells(analysis: Analysis) -> frozenset[Cell]:
    """Every cell of the weights the analysis uses (in 3.6's split W, only this head's columns)."""
    offset = analysis.column_offset
    return frozenset((row, offset + column) for row in range(analysis.scenario.n_dims) for column in range(analysis.d_out))


def _column_cells(column: int, n_rows: int) -> frozenset[Cell]:
    return frozenset((row, column) for row in range(n_rows))


def _query_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    q = scenario.query
    x = scenario.embeddings[q]
    w_q = analysis.weights[0].tolist()  # this head's columns, in 3.6
    values = analysis.query.query.tolist()
    steps = []
    for j, value in enumerate(values):
        products = terms(range(len(x)), lambda k: f"{factor(x[k])}×{_weight(w_q[k][j])}", " + ")
        symbol = f"{query_vector(q + 1)}{subscript(j + 1)}"
        steps.append(
            Step(
                stage=QUERY,
                title=f"{symbol} = {token_vector(q + 1)}·W_q[:, {j + 1}]",
                computes=f"number {j + 1} of the query vector of “{scenario.query_token}”",
                cells=row_cells(q, n_dims=scenario.n_dims),
                rows=(q,),
                reads_query=True,
                token=None,
                arithmetic=(f"{symbol} = {products} = {format_number(value)}",),
                known=Known(query=j + 1),
                matrix_cells=((analysis.weight_names[0], _column_cells(analysis.column_offset + j, len(w_q))),),
            )
        )
    return steps


def _key_value_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    d_out = analysis.d_out
    keys = analysis.query.keys.tolist()
    values = analysis.query.values.tolist()
    everything = _weight_cells(analysis)
    steps = []
    for i, token in enumerate(scenario.tokens):
        x = token_vector(i + 1)
        steps.append(
            Step(
                stage=KEYS_VALUES,
                title=f"{key_vector(i + 1)}, {value_vector(i + 1)}",
                computes=f"the key and the value of “{token}”",
                cells=row_cells(i, n_dims=scenario.n_dims),
                rows=(i,),
                reads_query=False,
                token=i,
                arithmetic=(
                    f"{key_vector(i + 1)} = {x}·W_k = {vector(keys[i])}",
                    f"{value_vector(i + 1)} = {x}·W_v = {vector(values[i])}",
                ),
                known=Known(query=d_out, keys=i + 1),
                matrix_cells=((analysis.weight_names[1], everything), (analysis.weight_names[2], everything)),
            )
        )
    return steps


def _score_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    q = scenario.query
    n, d_out = scenario.n_tokens, analysis.d_out
    query = analysis.query.query.tolist()
    keys = analysis.query.keys.tolist()
    scores = analysis.query.scores.tolist()
    steps = []
    for i, token in enumerate(scenario.tokens):
        products = terms(range(d_out), lambda j: f"{_weight(query[j])}×{_weight(keys[i][j])}", " + ")
        symbol = f"ω{subscript_pair(q + 1, i + 1)}"
        dot = f"{query_vector(q + 1)}·{key_vector(i + 1)}"
        steps.append(
            Step(
                stage=SCORES,
                title=f"{symbol} = {dot}",
                computes=f"the score of “{token}” for the query “{scenario.query_token}”",
                cells=frozenset(),
                rows=(),
                reads_query=False,
                token=i,
                arithmetic=(f"{symbol} = {dot} = {products} = {format_number(scores[i])}",),
                known=Known(query=d_out, keys=n, scores=i + 1),
            )
        )
    return steps


def _scaling_step(analysis: Analysis) -> Step:
    scenario = analysis.scenario
    n, d_out = scenario.n_tokens, analysis.d_out
    q1 = scenario.query + 1
    scale = analysis.query.scale
    scores = analysis.query.scores.tolist()
    scaled = analysis.query.scaled_scores.tolist()
    return Step(
        stage=SCALING,
        title=f"ω{subscript_pair(q1, 'ᵢ')} / √d_k",
        computes="every score divided by √d_k, the square root of the keys' width",
        cells=frozenset(),
        rows=(),
        reads_query=False,
        token=None,
        arithmetic=(
            f"√d_k = √{d_out} = {format_number(scale)}",
            f"ω{subscript_pair(q1, 'ᵢ')} / √d_k = " + terms(range(n), lambda i: f"{format_number(scores[i])}/{format_number(scale)} = {format_number(scaled[i])}", ", "),
        ),
        known=Known(query=d_out, keys=n, scores=n, scaled=True),
    )


def _softmax_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    n, d_out = scenario.n_tokens, analysis.d_out
    q1 = scenario.query + 1
    softmax = analysis.query.softmax
    scaled = softmax.scores.tolist()
    exps = softmax.exp.tolist()
    exp_sum = float(softmax.exp_sum)
    weights = softmax.weights.tolist()
    before = Known(query=d_out, keys=n, scores=n, scaled=True)
    overflow = "exp overflowed in float32; torch.softmax subtracts the largest scaled score first, so its weights stay right." if softmax.overflowed else ""
    steps = [
        Step(
            stage=SOFTMAX,
            title=f"Σⱼ exp(ω{subscript_pair(q1, 'ⱼ')}/√d_k)",
            computes="the softmax's denominator: the sum of the exps of the scaled scores",
            cells=frozenset(),
            rows=(),
            reads_query=False,
            token=None,
            arithmetic=(f"Σⱼ exp(ω{subscript_pair(q1, 'ⱼ')}/√d_k) = " + terms(exps, format_number, " + ") + f" = {format_number(exp_sum)}",),
            known=replace(before, exp_sum=True),
            note=overflow,
        )
    ]
    for i, token in enumerate(scenario.tokens):
        symbol = f"α{subscript_pair(q1, i + 1)}"
        steps.append(
            Step(
                stage=SOFTMAX,
                title=symbol,
                computes=f"the attention weight of “{token}”: its share of the sum",
                cells=frozenset(),
                rows=(),
                reads_query=False,
                token=i,
                arithmetic=(
                    f"{symbol} = exp({format_number(scaled[i])}) / {format_number(exp_sum)} = "
                    f"{format_number(exps[i])} / {format_number(exp_sum)} = {format_number(weights[i])}",
                ),
                known=replace(before, exp_sum=True, weights=i + 1),
                note=overflow,
            )
        )
    return steps


def _context_steps(analysis: Analysis, weights: list[float] | None = None) -> list[Step]:
    """``weights``: what multiplies the values when it is not the softmax's result (3.5: after dropout)."""
    scenario = analysis.scenario
    n, d_out = scenario.n_tokens, analysis.d_out
    q = scenario.query
    q1 = q + 1
    z = context_vector(q + 1)
    weights = analysis.query.weights.tolist() if weights is None else weights
    values = analysis.query.values.tolist()
    weighted = analysis.query.weighted_values.terms.tolist()
    running = analysis.query.weighted_values.running.tolist()
    done = Known(query=d_out, keys=n, scores=n, scaled=True, exp_sum=True, weights=n)
    steps = []
    for i, token in enumerate(scenario.tokens):
        symbol = f"α{subscript_pair(q1, i + 1)}·{value_vector(i + 1)}"
        steps.append(
            Step(
                stage=CONTEXT,
                title=f"{z} += {symbol}",
                computes=f"“{token}”'s share of the context vector, added to the running sum",
                cells=frozenset(),
                rows=(),
                reads_query=False,
                token=i,
                arithmetic=(
                    f"{symbol} = {format_number(weights[i])} × {vector(values[i])} = {vector(weighted[i])}",
                    f"{z} = {vector(running[i])}" + ("  (done)" if i == n - 1 else f"  (after {i + 1} of {n})"),
                ),
                known=replace(done, context_terms=i + 1),
            )
        )
    return steps


MatrixStep = Callable[[str, str, "tuple[str, ...]", int], Step]
"""Makes one step of a matrix stage: title, what it computes, its arithmetic, the matrices revealed."""


def matrix_step_maker(analysis: Analysis, stage: Stage, done: Known) -> MatrixStep:
    """Steps of the matrix stage ``stage``: each reads every token's row and every weight, and
    reveals ``done`` with its count of matrices."""
    scenario = analysis.scenario
    n, d = scenario.n_tokens, scenario.n_dims
    everything = row_cells(*range(n), n_dims=d)
    every_weight = _weight_cells(analysis)
    weights_read = tuple((name, every_weight) for name in analysis.weight_names)

    def step(title: str, computes: str, arithmetic: tuple[str, ...], known: int) -> Step:
        return Step(stage, title, computes, everything, tuple(range(n)), True, None, arithmetic, replace(done, matrices=known), matrix_cells=weights_read)

    return step


def matrix_check_step(analysis: Analysis, step: MatrixStep, known: int) -> Step:
    """The last step of a matrix stage: the matrix form's row for the query equals the loop form's result."""
    q = analysis.scenario.query
    matrix_z = analysis.all_queries.context[q].tolist()
    loop_z = analysis.query.context.tolist()
    difference = max(abs(a - b) for a, b in zip(matrix_z, loop_z))
    same = format_vector(matrix_z) == format_vector(loop_z)
    return step(
        f"Z[{q + 1}] = {context_vector(q + 1)}",
        "the check: the matrix form's row for the query equals the steps' result",
        (
            f"Z[{q + 1}] = {vector(matrix_z)}",
            f"{context_vector(q + 1)} = {vector(loop_z)}  (the steps)",
            ("equal ✓" if same else "different ✗") + f"  (largest difference {difference:.1e})",
        ),
        known,
    )


def matrix_row_values(row_values: Sequence[float]) -> str:
    """One row of a matrix in a step's arithmetic; −∞ for a masked score (3.5)."""
    return terms(row_values, lambda v: "−∞" if v == float("-inf") else format_number(v), " ")


def _matrix_steps(analysis: Analysis) -> list[Step]:
    scenario = analysis.scenario
    n, d, d_out = scenario.n_tokens, scenario.n_dims, analysis.d_out
    q = scenario.query
    row = f"row {q + 1} ({scenario.query_token})"
    matrices = analysis.all_queries
    matrix_z = matrices.context[q].tolist()
    step = matrix_step_maker(analysis, MATRIX, Known.everything(n, d_out))
    values = matrix_row_values
    return [
        step(
            "Q = X·W_q, K = X·W_k, V = X·W_v",
            f"every token's query, key and value at once: three {n}×{d_out} matrices",
            (f"({n}×{d} · {d}×{d_out} = {n}×{d_out}) each", f"Q {row}: {vector(matrices.queries[q].tolist())}"),
            1,
        ),
        step(
            "ω = Q·Kᵀ",
            f"every query's score against every key, in one {n}×{n} matrix",
            (f"ω = Q·Kᵀ ({n}×{d_out} · {d_out}×{n} = {n}×{n})", f"{row}: {values(matrices.scores[q].tolist())}"),
            2,
        ),
        step(
            "A = softmax(ω/√d_k), Z = A·V",
            f"every query's weights, then every context vector, in one {n}×{d_out} matrix",
            (
                f"A = torch.softmax(ω / {format_number(matrices.scale)}, dim=-1); {row}: {values(matrices.weights[q].tolist())}",
                f"Z = A·V ({n}×{n} · {n}×{d_out} = {n}×{d_out}); {row}: {vector(matrix_z)}",
            ),
            3,
        ),
        matrix_check_step(analysis, step, 4),
    ]
