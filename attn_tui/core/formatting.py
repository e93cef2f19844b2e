"""Number and formula formatting shared by every view (no torch, no Textual)."""

from __future__ import annotations

import math
from typing import Iterable

DEFAULT_DECIMALS = 4
"""The book prints 4 decimals."""

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: float, decimals: int = DEFAULT_DECIMALS) -> str:
    """Fixed decimals as the book prints them; inf and NaN spelled out, never hidden."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if abs(value) >= 1e6:
        # Keep columns narrow: 1e30 in fixed notation would be 36 characters.
        return f"{value:.{decimals}e}"
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # "-0.0000" reads as a sign error; it is zero at this precision
    return text


def format_operand(value: float) -> str:
    """A number as it was typed, for arithmetic written out: 0.43 rather than 0.4300.

    At most ``DEFAULT_DECIMALS`` decimals, trailing zeros dropped; scientific notation kept whole.
    """
    text = format_number(value)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_vector(values: Iterable[float]) -> str:
    """[0.4419, 0.6515, 0.5683]"""
    return "[" + ", ".join(format_number(value) for value in values) + "]"


def subscript(number: int) -> str:
    return str(number).translate(_SUBSCRIPTS)


def subscript_pair(first: int, second: int | str) -> str:
    """Two subscripts, e.g. the query and the token of ω₂₁; a comma between them when either is
    two digits or more (ω₂,₁₀), so that ω₂₁₀ never leaves ω₂₁,₀ or ω₂,₁₀ to guess. ``second`` may be
    a subscript letter (ᵢ, ⱼ)."""
    long = first >= 10 or (isinstance(second, int) and second >= 10)
    return subscript(first) + ("," if long else "") + (subscript(second) if isinstance(second, int) else second)


def superscript(number: int) -> str:
    return str(number).translate(_SUPERSCRIPTS)


def token_vector(index: int) -> str:
    """x⁽ⁱ⁾ for a 1-based token index."""
    return f"x⁽{superscript(index)}⁾"


def context_vector(index: int) -> str:
    """z⁽ⁱ⁾ for a 1-based token index."""
    return f"z⁽{superscript(index)}⁾"


def score_formula(query: int) -> str:
    """ω_qi = x⁽ⁱ⁾·x⁽q⁾ for a 1-based query index."""
    return f"ω{subscript_pair(query, 'ᵢ')} = x⁽ⁱ⁾·{token_vector(query)}"


def weight_formula(query: int) -> str:
    qi, qj = subscript_pair(query, "ᵢ"), subscript_pair(query, "ⱼ")
    return f"α{qi} = exp ω{qi} / Σⱼ exp ω{qj}"


def context_formula(query: int) -> str:
    return f"{context_vector(query)} = Σᵢ α{subscript_pair(query, 'ᵢ')} x⁽ⁱ⁾"
