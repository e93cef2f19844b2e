"""Section 3.5's exports: a runnable snippet building the book's ``CausalAttention`` with the
weights and dropout on screen, and 3.4's CSV with the masked scores and the weights after dropout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.export import CsvRows
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.trainable import export as trainable
from attn_tui.mechanisms.trainable.analysis import WEIGHT_NAMES

if TYPE_CHECKING:  # the analysis imports torch
    from attn_tui.mechanisms.causal.analysis import Analysis


CAUSAL_ATTENTION_CLASS = '''\
class CausalAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, qkv_bias=False):
        super().__init__()
        self.d_out = d_out
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        attn_scores = queries @ keys.transpose(1, 2)
        attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1)
        self.last_weights = attn_weights  # kept to print them below
        attn_weights = self.dropout(attn_weights)
        self.last_dropped = attn_weights
        return attn_weights @ values

'''
"""The book's CausalAttention (3.5.3), keeping its last weights before and after dropout to print them."""


def python_snippet(scenario: Scenario) -> str:
    """Python/torch code that rebuilds ``CausalAttention`` with the weights on screen and prints its numbers."""
    from attn_tui.mechanisms.causal.analysis import dropout_setting

    dropout = dropout_setting(scenario)
    tokens = ", ".join(repr(token) for token in scenario.tokens)
    weights = "\n".join(
        f"{name} = torch.tensor([\n{trainable.matrix_lines(scenario.matrix(name))}\n], dtype=torch.float32)" for name in WEIGHT_NAMES
    )
    mode = "train" if dropout.training else "eval"
    return f"""\
# Causal attention (Raschka, ch. 3.5), exported from attn-tui.
# Paste into python (needs torch): it prints the numbers on screen.
import torch
import torch.nn as nn

{CAUSAL_ATTENTION_CLASS}tokens = [{tokens}]
inputs = torch.tensor([
{trainable.matrix_lines(scenario.embeddings)}
], dtype=torch.float32)
# The screen's W is d_in×d_out, used as x @ W; nn.Linear keeps W.T and computes x @ weight.T.
{weights}
query_index = {scenario.query}  # 0-based: token {scenario.query + 1}, {scenario.query_token!r}
ca = CausalAttention(inputs.shape[1], W_q.shape[1], inputs.shape[0], dropout={dropout.p!r})
with torch.no_grad():
    for linear, W in ((ca.W_query, W_q), (ca.W_key, W_k), (ca.W_value, W_v)):
        linear.weight.copy_(W.T)
    ca.{mode}()  # training: dropout acts; eval: it does nothing
    torch.manual_seed({dropout.seed})  # the dropout mask's seed, right before the forward pass
    all_contexts = ca(inputs.unsqueeze(0))[0]
show = lambda values: " ".join(f"{{v:.4f}}" for v in values.tolist())
print("weights:", show(ca.last_weights[0, query_index]))
print("after dropout:", show(ca.last_dropped[0, query_index]))
print("context:", show(all_contexts[query_index]))
print("every query (CausalAttention):")
for name, z in zip(tokens, all_contexts): print(f"  {{name!r}}:", show(z))
"""


def panels_csv(analysis: Analysis, *, every_query: bool = False) -> str:
    """3.4's CSV, with each query's masked scaled scores and weights after dropout."""
    scenario = analysis.scenario
    matrices = analysis.all_queries

    def masked_and_dropped(rows: CsvRows, q: int) -> None:
        query = scenario.tokens[q]
        rows.per_token("masked scaled score", query, scenario.tokens, matrices.scaled_scores[q].masked_fill(matrices.mask[q], float("-inf")))
        rows.per_token("weight after dropout", query, scenario.tokens, matrices.dropped_weights[q])

    return trainable.panels_csv(analysis, every_query=every_query, more=masked_and_dropped)  # type: ignore[arg-type]
