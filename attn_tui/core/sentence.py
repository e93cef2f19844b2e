"""Your own sentence as a scenario: tokenise, build a vocabulary, embed with a seeded
``torch.nn.Embedding`` — the steps of the book's chapter 2, reproducible from the seed.

No Textual here. torch is imported only when embeddings are built, so the app's dialog can split
a sentence while torch is still loading.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from attn_tui.core.scenario import Scenario, ScenarioError
from attn_tui.core.quoting import quote

SPLIT_PATTERN = re.compile(r"""([,.:;?_!"()\']|--|\s)""")
"""The book's chapter 2 tokenizer: split at whitespace and at , . : ; ? _ ! " ( ) ' and --,
keeping the punctuation as tokens. It never splits inside a word, so a vowel sign or an accent
(which ``\\w`` does not match) stays with its letters in every script."""
SPLIT_RULE = "split at spaces and at , . : ; ? _ ! \" ( ) ' -- (the book's chapter 2 tokenizer)"
"""The rule in words, for the sentence dialog."""

DEFAULT_SEED = 123
"""The book's seed (``torch.manual_seed(123)`` in chapter 2)."""
DEFAULT_DIM = 3
"""Three dimensions, as in the seed's example."""

MAX_TOKENS = 512
MAX_DIM = 768
"""Bounds that keep a typo (a pasted book, a dimension of 10**9) from freezing the app."""
MAX_SEED = 2**63 - 1
"""torch seeds are 64-bit; keep them non-negative."""


def tokenize(sentence: str) -> tuple[str, ...]:
    """Words and punctuation marks, in order: "Hello, world." → Hello , world .

    As the book: ``re.split`` with :data:`SPLIT_PATTERN`, empty pieces dropped. NFC first, so a
    word typed with combining accents is the same vocabulary entry as its precomposed spelling."""
    pieces = SPLIT_PATTERN.split(unicodedata.normalize("NFC", sentence))
    return tuple(piece.strip() for piece in pieces if piece.strip())


def vocabulary(tokens: Sequence[str]) -> dict[str, int]:
    """Each distinct token's id, numbered in order of first appearance."""
    ids: dict[str, int] = {}
    for token in tokens:
        ids.setdefault(token, len(ids))
    return ids


def parse_dim(text: str) -> int:
    """The embedding dimension a person typed: a whole number from 1 to MAX_DIM."""
    value = _parse_int(text, "the dimension")
    if not 1 <= value <= MAX_DIM:
        raise ScenarioError(f"the dimension must be between 1 and {MAX_DIM}, not {value}")
    return value


def parse_seed(text: str) -> int:
    """The random seed a person typed: a whole number from 0 to 2⁶³−1."""
    value = _parse_int(text, "the seed")
    if not 0 <= value <= MAX_SEED:
        raise ScenarioError(f"the seed must be between 0 and {MAX_SEED}, not {value}")
    return value


def _parse_int(text: str, what: str) -> int:
    stripped = text.strip()
    if not stripped:
        raise ScenarioError(f"{what} is empty: type a whole number")
    try:
        return int(stripped)
    except ValueError:
        raise ScenarioError(f"{what} {quote(stripped)} is not a whole number") from None


def check_tokens(tokens: Sequence[str]) -> None:
    """Refuse a sentence without tokens or with more than MAX_TOKENS."""
    if not tokens:
        raise ScenarioError("the sentence has no tokens: type a few words")
    if len(tokens) > MAX_TOKENS:
        raise ScenarioError(f"the sentence has {len(tokens)} tokens: at most {MAX_TOKENS}")


def embedding_table(vocab_size: int, dim: int, seed: int) -> list[list[float]]:
    """The weights of ``torch.nn.Embedding(vocab_size, dim)`` initialised under ``seed``.

    The same numbers as ``torch.manual_seed(seed); torch.nn.Embedding(vocab_size, dim)`` in the
    book, but drawn from a private generator: the process-wide seed stays untouched (several
    sessions may share one process).
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    weight = torch.empty(vocab_size, dim).normal_(generator=generator)
    layer = torch.nn.Embedding(vocab_size, dim, _weight=weight)
    with torch.no_grad():
        return layer(torch.arange(vocab_size)).tolist()


def embed(tokens: Sequence[str], dim: int, seed: int) -> tuple[tuple[float, ...], ...]:
    """One embedding row per token; equal tokens get equal rows (one vocabulary entry each)."""
    ids = vocabulary(tokens)
    table = embedding_table(len(ids), dim, seed)
    return tuple(tuple(table[ids[token]]) for token in tokens)


def scenario_from_sentence(sentence: str, dim: int = DEFAULT_DIM, seed: int = DEFAULT_SEED) -> Scenario:
    """The sentence's tokens with seeded embeddings; the query is the second token (as
    "journey" in the book), or the only one."""
    tokens = tokenize(sentence)
    check_tokens(tokens)
    return Scenario(tokens=tokens, embeddings=embed(tokens, dim, seed), query=min(1, len(tokens) - 1))


def randomised(scenario: Scenario, seed: int) -> Scenario:
    """The same tokens, dimensions and query with fresh embeddings drawn under ``seed``, as if
    the tokens had been typed as a sentence: equal labels still get equal rows."""
    return scenario.with_embeddings(embed(scenario.tokens, scenario.n_dims, seed))
