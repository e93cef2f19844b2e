"""The book's chapter 3 (3.4–3.6) for the compute tests: its inputs, its printed numbers
(`/work/shared/reference/chapter3-values.md`), and its modules as the book writes them.

The modules are copied from the book's code (ch03.ipynb) on purpose, not built from attn_tui:
they are the independent side of the cross-checks (weights drawn by the book's own constructors,
context vectors from the book's own forward passes).
"""

from __future__ import annotations

import torch
from torch import nn

BOOK_INPUTS = [
    [0.43, 0.15, 0.89],  # Your
    [0.55, 0.87, 0.66],  # journey
    [0.57, 0.85, 0.64],  # starts
    [0.22, 0.58, 0.33],  # with
    [0.77, 0.25, 0.10],  # one
    [0.05, 0.80, 0.55],  # step
]
JOURNEY = 1


def book_inputs() -> torch.Tensor:
    return torch.tensor(BOOK_INPUTS, dtype=torch.float32)


def assert_book_digits(actual: torch.Tensor, printed) -> None:
    """``actual`` rounds to the book's 4 printed decimals (−inf where the book prints −inf)."""
    torch.testing.assert_close(actual, torch.tensor(printed, dtype=torch.float32), atol=5e-5, rtol=0)


# --- printed values ---------------------------------------------------------------------------

# 3.4.1, seed 123, torch.rand(3, 2) for query, key, value.
W_QUERY = [[0.2961, 0.5166], [0.2517, 0.6886], [0.0740, 0.8665]]
W_KEY = [[0.1366, 0.1025], [0.1841, 0.7264], [0.3153, 0.6871]]
W_VALUE = [[0.0756, 0.1966], [0.3164, 0.4017], [0.1186, 0.8274]]
QUERY_2 = [0.4306, 1.4551]
ATTN_SCORE_22 = 1.8524
ATTN_SCORES_2 = [1.2705, 1.8524, 1.8111, 1.0795, 0.5577, 1.5440]
ATTN_WEIGHTS_2 = [0.1500, 0.2264, 0.2199, 0.1311, 0.0906, 0.1820]
CONTEXT_VEC_2 = [0.3061, 0.8210]
SELF_ATTENTION_V1 = [[0.2996, 0.8053], [0.3061, 0.8210], [0.3058, 0.8203], [0.2948, 0.7939], [0.2927, 0.7891], [0.2990, 0.8040]]
SELF_ATTENTION_V2 = [
    [-0.0739, 0.0713], [-0.0748, 0.0703], [-0.0749, 0.0702], [-0.0760, 0.0685], [-0.0763, 0.0679], [-0.0754, 0.0693],
]  # fmt: skip

INF = float("inf")

# 3.5.1, SelfAttention_v2's projections (seed 789).
CAUSAL_WEIGHTS = [
    [1.0000, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.5517, 0.4483, 0.0, 0.0, 0.0, 0.0],
    [0.3800, 0.3097, 0.3103, 0.0, 0.0, 0.0],
    [0.2758, 0.2460, 0.2462, 0.2319, 0.0, 0.0],
    [0.2175, 0.1983, 0.1984, 0.1888, 0.1971, 0.0],
    [0.1935, 0.1663, 0.1666, 0.1542, 0.1666, 0.1529],
]
MASKED_SCORES = [
    [0.2899, -INF, -INF, -INF, -INF, -INF],
    [0.4656, 0.1723, -INF, -INF, -INF, -INF],
    [0.4594, 0.1703, 0.1731, -INF, -INF, -INF],
    [0.2642, 0.1024, 0.1036, 0.0186, -INF, -INF],
    [0.2183, 0.0874, 0.0882, 0.0177, 0.0786, -INF],
    [0.3408, 0.1270, 0.1290, 0.0198, 0.1290, 0.0078],
]
TRIL_WEIGHTS = [
    [0.1921, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
    [0.2041, 0.1659, 0.0000, 0.0000, 0.0000, 0.0000],
    [0.2036, 0.1659, 0.1662, 0.0000, 0.0000, 0.0000],
    [0.1869, 0.1667, 0.1668, 0.1571, 0.0000, 0.0000],
    [0.1830, 0.1669, 0.1670, 0.1588, 0.1658, 0.0000],
    [0.1935, 0.1663, 0.1666, 0.1542, 0.1666, 0.1529],
]

# 3.5.2, p = 0.5, torch.manual_seed(123) just before the call.
DROPOUT_ONES = [
    [2.0, 2.0, 0.0, 2.0, 2.0, 0.0],
    [0.0, 0.0, 0.0, 2.0, 0.0, 2.0],
    [2.0, 2.0, 2.0, 2.0, 0.0, 2.0],
    [0.0, 2.0, 2.0, 0.0, 0.0, 2.0],
    [0.0, 2.0, 0.0, 2.0, 0.0, 2.0],
    [0.0, 2.0, 2.0, 2.0, 2.0, 0.0],
]
DROPOUT_WEIGHTS = [
    [2.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
    [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
    [0.7599, 0.6194, 0.6206, 0.0000, 0.0000, 0.0000],
    [0.0000, 0.4921, 0.4925, 0.0000, 0.0000, 0.0000],
    [0.0000, 0.3966, 0.0000, 0.3775, 0.0000, 0.0000],
    [0.0000, 0.3327, 0.3331, 0.3084, 0.3331, 0.0000],
]

# 3.5.3, CausalAttention, seed 123, d_out 2, dropout 0.
CAUSAL_ATTENTION = [[-0.4519, 0.2216], [-0.5874, 0.0058], [-0.6300, -0.0632], [-0.5675, -0.0843], [-0.5526, -0.0981], [-0.5299, -0.1081]]

# 3.6.1, MultiHeadAttentionWrapper, seed 123, d_out 2 per head, 2 heads.
WRAPPER = [
    [-0.4519, 0.2216, 0.4772, 0.1063],
    [-0.5874, 0.0058, 0.5891, 0.3257],
    [-0.6300, -0.0632, 0.6202, 0.3860],
    [-0.5675, -0.0843, 0.5478, 0.3589],
    [-0.5526, -0.0981, 0.5321, 0.3428],
    [-0.5299, -0.1081, 0.5077, 0.3493],
]

# 3.6.2, MultiHeadAttention, seed 123, d_out 2, 2 heads.
MULTIHEAD = [[0.3190, 0.4858], [0.2943, 0.3897], [0.2856, 0.3593], [0.2693, 0.3873], [0.2639, 0.3928], [0.2575, 0.4028]]


# --- the book's modules ---------------------------------------------------------------------


class SelfAttention_v1(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.W_query = nn.Parameter(torch.rand(d_in, d_out))
        self.W_key = nn.Parameter(torch.rand(d_in, d_out))
        self.W_value = nn.Parameter(torch.rand(d_in, d_out))

    def forward(self, x):
        keys = x @ self.W_key
        queries = x @ self.W_query
        values = x @ self.W_value
        attn_scores = queries @ keys.T
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        return attn_weights @ values


class SelfAttention_v2(nn.Module):
    def __init__(self, d_in, d_out, qkv_bias=False):
        super().__init__()
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)

    def forward(self, x):
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        attn_scores = queries @ keys.T
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        return attn_weights @ values


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
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        attn_weights = self.dropout(attn_weights)
        return attn_weights @ values


class MultiHeadAttentionWrapper(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.heads = nn.ModuleList([CausalAttention(d_in, d_out, context_length, dropout, qkv_bias) for _ in range(num_heads)])

    def forward(self, x):
        return torch.cat([head(x) for head in self.heads], dim=-1)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        keys = keys.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        values = values.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        queries = queries.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        attn_scores = queries @ keys.transpose(2, 3)
        attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        attn_weights = self.dropout(attn_weights)
        context_vec = (attn_weights @ values).transpose(1, 2)
        context_vec = context_vec.contiguous().view(b, num_tokens, self.d_out)
        return self.out_proj(context_vec)
