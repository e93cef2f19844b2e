"""Quote what a person typed, or a file held, in a one-line message: at most ~40 characters.

A CSV cell of 5,000 digits, a pasted paragraph or a long JSON value must not make a message
thousands of characters wide: the quote keeps its start and its end (where a typo usually shows)
and puts ``…`` between, cut between grapheme clusters.
"""

from __future__ import annotations

from attn_tui.core.graphemes import shorten

QUOTE_LIMIT = 40
"""Grapheme clusters of the value kept in a message (the quotes aside)."""


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as a message shows it: text in quotes (control characters escaped, as ``repr``
    writes them), anything else as ``repr``; longer than ``limit`` clusters, shortened with ``…``."""
    if isinstance(value, str):
        return repr(shorten(value, limit))
    return shorten(repr(value), limit)
