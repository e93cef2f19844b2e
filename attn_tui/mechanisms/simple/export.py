"""Section 3.3's exports: a runnable torch snippet and a CSV of the panels (no Textual).

The snippet is plain Python a person pastes into `python` or a notebook; it prints the numbers the
panels show. Embedding values are written with ``repr`` so they round-trip exactly, and the
computation is the one :mod:`attn_tui.mechanisms.simple.attention` does, in the seed's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.export import CsvRows
from attn_tui.core.formatting import context_vector, subscript, superscript
from attn_tui.core.scenario import Scenario

if TYPE_CHECKING:  # compute imports torch
    from attn_tui.mechanisms.simple.compute import Analysis


def python_snippet(scenario: Scenario) -> str:
    """Python/torch code that recomputes and prints the scenario's scores, weights and context."""
    q = scenario.query + 1
    sub, sup = subscript(q), superscript(q)
    rows = "\n".join(f"    [{', '.join(repr(float(v)) for v in row)}]," for row in scenario.embeddings)
    tokens = ", ".join(repr(token) for token in scenario.tokens)
    return f"""\
# Simple self-attention (Raschka, ch. 3.3), exported from attn-tui.
# Paste into python (needs torch): it prints the numbers on screen.
import torch
tokens = [{tokens}]
inputs = torch.tensor([
{rows}
], dtype=torch.float32)
query_index = {scenario.query}  # 0-based: token {q}, {scenario.query_token!r}
query = inputs[query_index]
scores = inputs @ query  # ω{sub}ᵢ = x⁽ⁱ⁾·x⁽{sup}⁾
weights = torch.softmax(scores, dim=0)  # α{sub}ᵢ = exp ω{sub}ᵢ / Σⱼ exp ω{sub}ⱼ
context = weights @ inputs  # {context_vector(q)} = Σᵢ α{sub}ᵢ x⁽ⁱ⁾
# Every query at once (the matrix form): one row per query token.
all_scores = inputs @ inputs.T
all_weights = torch.softmax(all_scores, dim=-1)
all_contexts = all_weights @ inputs
show = lambda values: " ".join(f"{{v:.4f}}" if abs(v) < 1e6 else f"{{v:.4e}}" for v in values.tolist())
print("query:  ", tokens[query_index])
print("scores: ", show(scores))
print("weights:", show(weights))
print("context:", show(context))
print("every query (rows: scores | weights | context):")
for name, s, w, z in zip(tokens, all_scores, all_weights, all_contexts): print(f"  {{name!r}}:", show(s), "|", show(w), "|", show(z))

"""


def panels_csv(analysis: Analysis, *, every_query: bool = False) -> str:
    """The panels as CSV, one number per row: scores and weights per token, context per dimension.

    ``every_query`` exports the matrix view (every token as the query) instead of the current query.
    Values are float32 written in their shortest exact form.
    """
    scenario = analysis.scenario
    result = analysis.all_queries
    queries = range(scenario.n_tokens) if every_query else (scenario.query,)
    rows = CsvRows()
    for q in queries:
        query = scenario.tokens[q]
        if q == scenario.query:
            # The query's own panels come from the loop form, exactly as the panels show them.
            scores, weights, context = analysis.query.scores, analysis.query.weights, analysis.query.context
        else:
            scores, weights, context = result.scores[q], result.weights[q], result.context[q]
        rows.per_token("score", query, scenario.tokens, scores)
        rows.per_token("weight", query, scenario.tokens, weights)
        rows.per_dimension("context", query, context)
    return rows.text()
