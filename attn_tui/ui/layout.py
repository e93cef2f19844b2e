"""How the terminal's rows are shared between the panels: the one place that fits the layout.

It only does arithmetic on sizes the widgets measured (lines their text takes at their width);
the app hands it those sizes and applies the answer. Widths are left to the stylesheet
(`app.tcss`, with the breakpoints of :data:`HORIZONTAL_BREAKPOINTS`): what CSS can say, it says.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_WIDTH, MIN_HEIGHT = 80, 24
"""Below this the layout cannot show the grid and all three panels."""

WIDE, VERY_WIDE = 120, 180
"""Terminal widths from which there is room to spare (a projector in a lecture hall)."""
HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide"), (VERY_WIDE, "-very-wide")]
"""Screen classes by terminal width (Textual sets them; app.tcss uses them): a large terminal
gives the left column, and so the walk's explanation, half the width."""

GRID_SPACING = {0: (0, 20), WIDE: (10, 30), VERY_WIDE: (12, 40)}
"""By breakpoint: the grid's least column width (0: as wide as its numbers) and longest label."""

CHROME_ROWS = 2
"""The header and the footer."""
BORDER_ROWS = 2
"""A panel's top and bottom border."""

PANEL_ROWS = 16
"""Tokens a per-token panel lists at most, around the query: a 512-token table would take a
second to lay out on every key."""
MIN_PANEL_ROWS = 3
"""Tokens listed at least, however short the screen."""
WINDOW_NOTE_ROWS = 1
"""A panel listing a window of the tokens says which in a note this many lines long."""
CONTEXT_SHARE = 4
"""A long context vector may take up to 1/CONTEXT_SHARE of the column before tokens are dropped
from the lists; past that it scrolls, with a count of the values below."""

MIN_GRID_HEIGHT = BORDER_ROWS + 1 + 1 + 1
"""The grid's borders, its header row, one token (the cursor's row always shows) and a scroll bar."""
QUERY_BAR_LINES = 4
"""Lines of token chips in the query bar when there is room."""


TALL = 30
"""Terminal heights from which a mechanism may show a panel it leaves out at 80×24 (3.6's
projections): below, the single-query panels would each list fewer tokens than 80×24 holds."""
VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall")]
"""Screen classes by terminal height, as :data:`HORIZONTAL_BREAKPOINTS` by width."""


def grid_spacing(width: int) -> tuple[int, int]:
    """The grid's least column width and longest label on a terminal ``width`` columns wide."""
    return GRID_SPACING[max(breakpoint for breakpoint in GRID_SPACING if width >= breakpoint)]


def label_width(longest: int, room: int, least: int) -> int:
    """A column of labels: as wide as the ``longest``, within the ``room`` the numbers leave, never
    under ``least``."""
    return max(least, min(longest, room))


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


def too_small_notice(width: int, height: int) -> str:
    """What a too small terminal shows instead of the layout (keys wait meanwhile)."""
    return (
        f"Terminal too small: {width}×{height}, need {MIN_WIDTH}×{MIN_HEIGHT}.\n"
        "Enlarge the window (keys wait until then), or press Ctrl+Q to quit."
    )


@dataclass(frozen=True)
class RightColumn:
    """The single-query panels' share of a column."""

    rows: int
    """Tokens the scores and the weights each list."""
    context_height: int
    """The context panel's height, borders included."""


def fit_right_column(height: int, n_tokens: int, fixed_lines: int, context_lines: int, listing: int = 2) -> RightColumn:
    """Share a screen ``height`` rows tall between the ``listing`` panels that list the tokens (in
    simple attention the scores and the weights) and the context vector under them.

    ``fixed_lines`` are the listing panels' lines besides their token rows and window notes
    (headings, the Σ row, the overflow note); ``context_lines`` those the whole context vector takes.
    The context panel always keeps at least one line of numbers: it is never pushed off screen.
    """
    column = height - CHROME_ROWS
    panels_chrome = listing * BORDER_ROWS + fixed_lines
    context_wanted = BORDER_ROWS + min(context_lines, context_lines_at_most(height))
    rows = _rows_that_fit(column - panels_chrome - context_wanted, n_tokens, listing)
    notes = listing * WINDOW_NOTE_ROWS if rows < n_tokens else 0
    rest = column - panels_chrome - listing * rows - notes
    context_height = max(BORDER_ROWS + 1, min(BORDER_ROWS + context_lines, rest))
    return RightColumn(rows, context_height)


def context_lines_at_most(height: int) -> int:
    """Lines the context panel (the last under the listing panels) is given at most on a screen
    ``height`` rows tall, when the listing panels could use more: a panel whose lines matter
    unequally (3.6's heads, then z) chooses which to show within them."""
    return max(1, (height - CHROME_ROWS) // CONTEXT_SHARE)


def _rows_that_fit(room: int, n_tokens: int, listing: int = 2) -> int:
    """Token rows for each of ``listing`` panels in ``room`` lines, a window note each if not all fit."""
    listing = max(1, listing)
    rows = min(PANEL_ROWS, n_tokens, room // listing)
    if rows < n_tokens:
        rows = min(rows, (room - listing * WINDOW_NOTE_ROWS) // listing)
    return max(MIN_PANEL_ROWS, rows) if n_tokens >= MIN_PANEL_ROWS else max(1, rows)


def fit_query_bar_lines(height: int, others: int) -> int:
    """Lines of chips the query bar may take in a column of a screen ``height`` rows tall whose
    other widgets under the grid (message, a walk's explanation) need ``others`` rows."""
    room = height - CHROME_ROWS - others - MIN_GRID_HEIGHT - BORDER_ROWS
    return max(1, min(QUERY_BAR_LINES, room))


def fit_grid_height(height: int, below_grid: int) -> int:
    """The grid's height in a column of a screen ``height`` rows tall, when the widgets under it
    (query bar, message, a walk's explanation) need ``below_grid`` rows."""
    return max(MIN_GRID_HEIGHT, height - CHROME_ROWS - below_grid)
