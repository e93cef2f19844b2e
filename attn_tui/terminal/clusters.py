"""Text as the terminal's cells: one grapheme per cell, and which ones terminals disagree on.

Textual lays the screen out with Rich's widths, so the cell-diff writer (``wire``) must split a
segment exactly as Rich measures it: a base character with its zero-width marks (combining
accents, a virama, a vowel sign, a variation selector, a ZWJ and what it joins) is one cell of
Rich's width. Terminals do not all agree with Rich: tmux gives a Devanagari vowel sign such as
``ि`` a column of its own, ``❤️`` one column instead of two, and a terminal that shapes conjuncts
may give ``स्ते`` a width of its own. :func:`may_disagree` names those cells, so that the writer
never relies on the cursor position after one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import get_character_cell_size, split_graphemes

_MARKS_AND_FORMAT = frozenset({"Mn", "Mc", "Me", "Cf"})
_UNSETTLED = frozenset({"Cc", "Cs", "Co", "Cn"})
"""Controls, surrogates, private use and unassigned code points: asked of wcwidth every time."""
NARROW = frozenset({"N", "Na", "H", "A"})
"""East Asian widths of characters one column wide (ambiguous ones too, as Rich and wcwidth count them)."""
SETTLED_BELOW = 0x1F000
"""Below this, a narrow character is one column in Rich's table and in wcwidth's alike."""


@lru_cache(maxsize=4096)
def terminal_cells(text: str) -> tuple[tuple[str, int], ...]:
    """``text`` as (grapheme, width in cells) pairs, as Rich (and so Textual) measures it.

    A grapheme of width 0 can only come first: marks that belong to a character drawn before
    this text (Textual may split a cluster between two styles)."""
    if text.isascii() and text.isprintable():
        return tuple((character, 1) for character in text)
    spans, _ = split_graphemes(text)
    return tuple((text[start:end], width) for start, end, width in spans)


@lru_cache(maxsize=4096)
def may_disagree(grapheme: str) -> bool:
    """Whether terminals may draw ``grapheme`` in another number of columns than Rich counts.

    Any grapheme of several code points (marks, conjuncts, ZWJ sequences, variation selectors),
    a lone mark or format character, and a character whose width two well-kept tables (Rich's
    and wcwidth's) disagree on, such as a lone regional indicator."""
    if len(grapheme) != 1:
        return len(grapheme) > 1
    if grapheme.isascii() and grapheme.isprintable():
        return False  # one column in every terminal and table
    category = unicodedata.category(grapheme)
    if category in _MARKS_AND_FORMAT:
        return True
    if category not in _UNSETTLED and ord(grapheme) < SETTLED_BELOW and unicodedata.east_asian_width(grapheme) in NARROW:
        # Box drawing, arrows, Greek, super- and subscripts: the app's own characters, on every
        # frame. Both tables give them one column (a test checks every such code point), and
        # wcwidth, 23 modules, stays off the start-up path.
        return False
    from wcwidth import wcwidth

    return wcwidth(grapheme) != get_character_cell_size(grapheme)
