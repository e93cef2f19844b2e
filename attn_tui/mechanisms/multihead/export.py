"""Section 3.6's exports: a snippet building the book's ``MultiHeadAttention`` or
``MultiHeadAttentionWrapper`` with the weights on screen, and a CSV of every head and the output."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.export import CsvRows
from attn_tui.core.scenario import Scenario
from attn_tui.mechanisms.causal.export import CAUSAL_ATTENTION_CLASS
from attn_tui.mechanisms.trainable.export import matrix_lines

if TYPE_CHECKING:  # the analysis imports torch
    from attn_tui.mechanisms.multihead.analysis import Analysis

WRAPPER_CLASSES = CAUSAL_ATTENTION_CLASS + '''class MultiHeadAttentionWrapper(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.heads = nn.ModuleList([CausalAttention(d_in, d_out, context_length, dropout, qkv_bias) for _ in range(num_heads)])

    def forward(self, x):
        return torch.cat([head(x) for head in self.heads], dim=-1)
'''

MULTIHEAD_ATTENTION = '''\
class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
        self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        queries = self.W_query(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        values = self.W_value(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        attn_scores = queries @ keys.transpose(2, 3)
        attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf)
        attn_weights = self.dropout(torch.softmax(attn_scores / keys.shape[-1]**0.5, dim=-1))
        context_vec = (attn_weights @ values).transpose(1, 2).contiguous().view(b, num_tokens, self.d_out)
        return self.out_proj(context_vec)
'''


def _tensor(name: str, rows) -> str:
    return f"{name} = torch.tensor([\n{matrix_lines(rows)}\n], dtype=torch.float32)"


def python_snippet(scenario: Scenario) -> str:
    """Python/torch code that rebuilds the module on screen and prints every token's output."""
    from attn_tui.mechanisms.causal.analysis import dropout_setting
    from attn_tui.mechanisms.multihead import MULTIHEAD, SPLIT, head_names

    dropout = dropout_setting(scenario)
    heads = MULTIHEAD.heads(scenario)
    tokens = ", ".join(repr(token) for token in scenario.tokens)
    if MULTIHEAD.variant(scenario) == SPLIT:
        classes = MULTIHEAD_ATTENTION
        weights = "\n".join(_tensor(name, scenario.matrix(name)) for name in ("W_q", "W_k", "W_v", "W_out", "b_out"))
        build = f"""\
module = MultiHeadAttention(inputs.shape[1], W_q.shape[1], inputs.shape[0], {dropout.p!r}, num_heads={heads})
with torch.no_grad():
    for linear, W in ((module.W_query, W_q), (module.W_key, W_k), (module.W_value, W_v), (module.out_proj, W_out)):
        linear.weight.copy_(W.T)
    module.out_proj.bias.copy_(b_out[0])"""
    else:
        classes = WRAPPER_CLASSES
        weights = "\n".join(_tensor(name, scenario.matrix(name)) for head in range(1, heads + 1) for name in head_names(head))
        per_head = ", ".join(f"({', '.join(name.replace('.', '_') for name in head_names(head))})" for head in range(1, heads + 1))
        weights = weights.replace("W_q.", "W_q_").replace("W_k.", "W_k_").replace("W_v.", "W_v_")
        build = f"""\
module = MultiHeadAttentionWrapper(inputs.shape[1], W_q_1.shape[1], inputs.shape[0], {dropout.p!r}, num_heads={heads})
with torch.no_grad():
    for head, (W_q, W_k, W_v) in zip(module.heads, [{per_head}]):
        for linear, W in ((head.W_query, W_q), (head.W_key, W_k), (head.W_value, W_v)):
            linear.weight.copy_(W.T)"""
    return f"""\
# Multi-head attention (Raschka, ch. 3.6), exported from attn-tui.
# Paste into python (needs torch): it prints the numbers on screen.
import torch
import torch.nn as nn

{classes}
tokens = [{tokens}]
inputs = torch.tensor([
{matrix_lines(scenario.embeddings)}
], dtype=torch.float32)
# The screen's W is d_in×d_out, used as x @ W; nn.Linear keeps W.T and computes x @ weight.T.
{weights}
{build}
module.{"train" if dropout.training else "eval"}()
torch.manual_seed({dropout.seed})  # the dropout masks' seed, right before the forward pass
with torch.no_grad():
    outputs = module(inputs.unsqueeze(0))[0]
show = lambda values: " ".join(f"{{v:.4f}}" for v in values.tolist())
query_index = {scenario.query}  # 0-based: token {scenario.query + 1}, {scenario.query_token!r}
print("context:", show(outputs[query_index]))
print("every query:")
for name, z in zip(tokens, outputs): print(f"  {{name!r}}:", show(z))
"""


def panels_csv(analysis: Analysis, *, every_query: bool = False) -> str:
    """Each head's weights and context, and the module's output, for the query (every query's with
    ``every_query``)."""
    scenario = analysis.scenario
    every = analysis.every_head
    rows = CsvRows()
    for q in range(scenario.n_tokens) if every_query else (scenario.query,):
        query = scenario.tokens[q]
        for k in range(analysis.num_heads):
            head = every.heads[k]
            rows.per_token(f"head {k + 1} weight", query, scenario.tokens, head.weights[q])
            rows.per_token(f"head {k + 1} weight after dropout", query, scenario.tokens, head.dropped_weights[q])
            rows.per_dimension(f"head {k + 1} context", query, head.context[q])
        rows.per_dimension("context", query, analysis.output[q])
    return rows.text()
