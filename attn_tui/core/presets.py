"""Ready-made scenarios: the seed's example and a few that each show one thing about attention.

Plain data, no torch, no Textual. Each can be restored at any time (preset picker, palette).
"""

from __future__ import annotations

from dataclasses import dataclass

from attn_tui.core.scenario import SEED_EXAMPLE, Scenario


@dataclass(frozen=True)
class Preset:
    key: str
    """A short stable name (for tests and the palette)."""
    name: str
    """What the picker shows."""
    lesson: str
    """What to look at, in one sentence."""
    scenario: Scenario


def _seed_with(row: int, values: tuple[float, ...]) -> Scenario:
    """The seed's example with token ``row``'s embedding replaced."""
    return SEED_EXAMPLE.with_embeddings(SEED_EXAMPLE.embeddings[:row] + (values,) + SEED_EXAMPLE.embeddings[row + 1 :])


JOURNEY = SEED_EXAMPLE.embeddings[1]

PRESETS: tuple[Preset, ...] = (
    Preset(
        "book",
        "Your journey starts with one step",
        "The book's example (Raschka ch. 3.3): six tokens, 3-d embeddings, query journey.",
        SEED_EXAMPLE,
    ),
    Preset(
        "orthogonal",
        "A token orthogonal to the query",
        "with · journey = 0, yet its weight is exp(0)/Σ, not 0: softmax never gives zero.",
        # (0.87, -0.55, 0) · (0.55, 0.87, 0.66) = 0.87×0.55 − 0.55×0.87 = 0 exactly.
        _seed_with(3, (JOURNEY[1], -JOURNEY[0], 0.0)),
    ),
    Preset(
        "identical",
        "Two identical tokens",
        "Both step rows are equal, so every query gives them the same score and weight.",
        Scenario(
            tokens=("step", "by", "step"),
            embeddings=((0.05, 0.80, 0.55), (0.22, 0.58, 0.33), (0.05, 0.80, 0.55)),
            query=1,
        ),
    ),
    Preset(
        "overflow",
        "A large query: softmax_naive overflows",
        "journey's row ×10 gives ω₂₂ = 149.5: exp overflows float32. Press c to compare.",
        _seed_with(1, tuple(round(10 * value, 4) for value in JOURNEY)),
    ),
    Preset(
        "zero-query",
        "A zero query: uniform weights",
        "Every score is 0, so every weight is 1/6 and z is the plain mean of the rows.",
        _seed_with(1, (0.0, 0.0, 0.0)),
    ),
    Preset(
        "one-hot",
        "One-hot embeddings",
        "Each token is orthogonal to the others: only the query's own score is 1.",
        Scenario(
            tokens=("a", "b", "c", "d"),
            embeddings=tuple(tuple(1.0 if i == k else 0.0 for k in range(4)) for i in range(4)),
            query=0,
        ),
    ),
)
"""In the picker's order; the first is the seed's example."""


def preset(key: str) -> Preset:
    """The preset called ``key``."""
    for candidate in PRESETS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
