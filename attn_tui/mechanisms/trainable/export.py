"""Section 3.4's exports: a runnable torch snippet (a ``SelfAttention_v1``-style module holding the
weights on screen) and a CSV of the panels with Q, K and V (no Textual)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from attn_tui.core.export import CsvRows
from attn_tui.core.formatting import context_vector, subscript, superscript
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.trainable.analysis import WEIGHT_NAMES

if TYPE_CHECKING:  # the analysis imports torch
    from attn_tui.mechanisms.trainable.analysis import Analysis


def matrix_lines(rows: tuple[tuple[float, ...], ...], indent: str = "    ") -> str:
    # repr: every float32 value round-trips exactly, so the snippet prints the screen's digits.
    return "\n".join(f"{indent}[{', '.join(repr(float(v)) for v in row)}]," for row in rows)


def python_snippet(scenario: Scenario) -> str:
    """Python/torch code that rebuilds the module with the weights on screen and prints its numbers."""
    q = scenario.query + 1
    sub, sup = subscript(q), superscript(q)
    tokens = ", ".join(repr(token) for token in scenario.tokens)
    weights = "\n".join(
        f"{name} = torch.tensor([\n{matrix_lines(scenario.matrix(name))}\n], dtype=torch.float32)" for name in WEIGHT_NAMES
    )
    return f"""\
# Self-attention with trainable weights (Raschka, ch. 3.4), exported from attn-tui.
# Paste into python (needs torch): it prints the numbers on screen.
import torch
import torch.nn as nn

class SelfAttention_v1(nn.Module):
    def __init__(self, W_q, W_k, W_v):
        super().__init__()
        self.W_query = nn.Parameter(W_q)  # d_in×d_out, used as x @ W (3.4.1)
        self.W_key = nn.Parameter(W_k)
        self.W_value = nn.Parameter(W_v)

    def forward(self, x):
        keys = x @ self.W_key
        queries = x @ self.W_query
        values = x @ self.W_value
        attn_scores = queries @ keys.T  # ω
        attn_weights = torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1)
        return attn_weights @ values

tokens = [{tokens}]
inputs = torch.tensor([
{matrix_lines(scenario.embeddings)}
], dtype=torch.float32)
{weights}
query_index = {scenario.query}  # 0-based: token {q}, {scenario.query_token!r}
sa_v1 = SelfAttention_v1(W_q, W_k, W_v)
with torch.no_grad():
    query = inputs[query_index] @ W_q  # q⁽{sup}⁾
    keys, values = inputs @ W_k, inputs @ W_v
    scores = keys @ query  # ω{sub}ᵢ = q⁽{sup}⁾·k⁽ⁱ⁾
    weights = torch.softmax(scores / keys.shape[-1]**0.5, dim=-1)  # α{sub}ᵢ
    context = weights @ values  # {context_vector(q)} = Σᵢ α{sub}ᵢ v⁽ⁱ⁾
    all_contexts = sa_v1(inputs)
show = lambda values: " ".join(f"{{v:.4f}}" if abs(v) < 1e6 else f"{{v:.4e}}" for v in values.tolist())
print("query:  ", tokens[query_index], "q =", show(query))
print("scores: ", show(scores))
print("scaled: ", show(scores / keys.shape[-1]**0.5))
print("weights:", show(weights))
print("context:", show(context))
print("every query (SelfAttention_v1):")
for name, z in zip(tokens, all_contexts): print(f"  {{name!r}}:", show(z))
"""


def panels_csv(analysis: Analysis, *, every_query: bool = False, more: Callable[[CsvRows, int], None] | None = None) -> str:
    """The panels as CSV: each token's key and value, the query's q, scores, scaled scores, weights
    and context (every query's with ``every_query``); ``more(rows, q)`` adds a mechanism's own rows
    for query q before its context (3.5: the weights after dropout)."""
    scenario = analysis.scenario
    result = analysis.all_queries
    rows = CsvRows()
    for q in range(scenario.n_tokens) if every_query else (scenario.query,):
        query = scenario.tokens[q]
        rows.per_dimension("q", query, result.queries[q])
        for token, key, value in zip(scenario.tokens, result.keys, result.values):
            rows.per_dimension("k", query, key, token)
            rows.per_dimension("v", query, value, token)
        if q == scenario.query:  # the query's own panels come from the loop form, as shown
            loop = analysis.query
            scores, scaled, weights, context = loop.scores, loop.scaled_scores, loop.weights, loop.context
        else:
            scores, scaled, weights, context = result.scores[q], result.scaled_scores[q], result.weights[q], result.context[q]
        rows.per_token("score", query, scenario.tokens, scores)
        rows.per_token("scaled score", query, scenario.tokens, scaled)
        rows.per_token("weight", query, scenario.tokens, weights)
        if more is not None:
            more(rows, q)
        rows.per_dimension("context", query, context)
    return rows.text()
