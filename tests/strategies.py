"""Hypothesis strategies shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

printable_characters = st.characters(
    exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"), include_characters=" "
)
"""What str.isprintable accepts: no control, format, surrogate, private-use, unassigned or
separator characters, but the space. Drawing only these keeps filters from discarding most labels
(which fails Hypothesis's health check now and then)."""

labels = st.text(printable_characters, min_size=1, max_size=12).map(str.strip).filter(bool)
"""Token labels as a scenario accepts them: printable, not empty, no surrounding spaces."""
