"""Number and formula formatting shared by the views (attn_tui.core.formatting)."""

from __future__ import annotations

import pytest

from attn_tui.core.formatting import (
    context_formula,
    format_number,
    score_formula,
    subscript,
    superscript,
    weight_formula,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.954423, "0.9544"),  # the book's 4 decimals by default
        (1.0, "1.0000"),
        (-0.25, "-0.2500"),
        (float("nan"), "NaN"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (-0.00001, "0.0000"),  # zero at this precision: no stray minus sign
        (-0.0, "0.0000"),
        (1e30, "1.0000e+30"),  # scientific, so a column stays narrow
        (-1e30, "-1.0000e+30"),
    ],
)
def test_format_number(value, expected):
    """Fixed decimals like the book; inf/NaN spelled out; no "-0.0000"; huge values in e-notation."""
    assert format_number(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(1 / 3, 2, "0.33"), (0.5, 0, "0"), (-0.004, 2, "0.00"), (-0.3, 0, "0"), (1e30, 2, "1.00e+30")],
)
def test_format_number_decimals(value, decimals, expected):
    """The decimals parameter applies to fixed and scientific notation alike."""
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("number", "sub", "sup"),
    [(0, "₀", "⁰"), (2, "₂", "²"), (9, "₉", "⁹"), (12, "₁₂", "¹²"), (1234567890, "₁₂₃₄₅₆₇₈₉₀", "¹²³⁴⁵⁶⁷⁸⁹⁰")],
)
def test_subscript_and_superscript(number, sub, sup):
    """Every digit maps to its Unicode sub-/superscript, multi-digit numbers included."""
    assert (subscript(number), superscript(number)) == (sub, sup)


@pytest.mark.parametrize(
    ("formula", "query", "expected"),
    [
        (score_formula, 2, "ω₂ᵢ = x⁽ⁱ⁾·x⁽²⁾"),
        (weight_formula, 2, "α₂ᵢ = exp ω₂ᵢ / Σⱼ exp ω₂ⱼ"),
        (context_formula, 2, "z⁽²⁾ = Σᵢ α₂ᵢ x⁽ⁱ⁾"),
        # Past 9 a comma separates the query's index from the token's (issue 11, item 11).
        (score_formula, 12, "ω₁₂,ᵢ = x⁽ⁱ⁾·x⁽¹²⁾"),
        (weight_formula, 12, "α₁₂,ᵢ = exp ω₁₂,ᵢ / Σⱼ exp ω₁₂,ⱼ"),
        (context_formula, 12, "z⁽¹²⁾ = Σᵢ α₁₂,ᵢ x⁽ⁱ⁾"),
    ],
)
def test_formulas(formula, query, expected):
    """The book's notation for a 1-based query index, one- or two-digit."""
    assert formula(query) == expected


def test_two_subscripts_take_a_comma_once_an_index_has_two_digits():
    from attn_tui.core.formatting import score_formula, subscript_pair

    assert subscript_pair(2, 1) == "₂₁"
    assert subscript_pair(2, 10) == "₂,₁₀"
    assert subscript_pair(21, 1) == "₂₁,₁"
    assert subscript_pair(12, "ᵢ") == "₁₂,ᵢ"
    assert score_formula(2) == "ω₂ᵢ = x⁽ⁱ⁾·x⁽²⁾"
