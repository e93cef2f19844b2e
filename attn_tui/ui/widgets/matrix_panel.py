"""The all-queries view: the n×n scores, the n×n weights as a heatmap, the n×d context vectors.

Row q of each matrix belongs to query token q; the current query's row is marked and bold, so it
reads the same as the single-query panels. Like them it only formats the analysis it is handed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from attn_tui.core.formatting import format_number
from attn_tui.core.graphemes import clip
from attn_tui.ui.heatmap import heat_style, scale_fraction
from attn_tui.ui.layout import label_width
from attn_tui.ui.widgets.panels import NOT_YET, Panel, body_shape, window

if TYPE_CHECKING:
    from torch import Tensor

    from attn_tui.mechanisms.simple.compute import Analysis

LABEL_WIDTH = 9
"""Row labels at least: the query mark and the token, then a space; longer labels get the room
the numbers leave, and are cut only beyond it."""
CELL_WIDTH = 7
"""A space and a number with 4 decimals."""
QUERY_MARK = "▶"
MAX_ROWS = 12
"""Rows (and token columns) shown around the query: a screen holds no more, and a 512-token
matrix would take seconds to lay out."""
MAX_COLUMNS = 12
"""Context-vector dimensions shown."""


class MatrixPanel(Panel):
    """Every query at once, as in the seed's matrix form."""

    DEFAULT_TITLE = "All queries"

    _cell_width = CELL_WIDTH
    """The widest matrix's cells, as last rendered."""

    _label_width = LABEL_WIDTH
    """The row labels' width, as last rendered."""

    _part_lines: tuple[int, ...] = ()
    """The first line of each matrix's title in the body, to scroll a walk's current one into view."""

    def render_body(self, analysis: Analysis) -> Group:
        # As wide as the widest matrix: a narrow terminal scrolls sideways instead of cropping.
        scenario = analysis.scenario
        widest = max(len(window(scenario.n_tokens, scenario.query, MAX_ROWS)), len(range(min(scenario.n_dims, MAX_COLUMNS))))
        rows = window(scenario.n_tokens, scenario.query, MAX_ROWS)
        longest = max(cell_len(scenario.tokens[i]) for i in rows) + len(QUERY_MARK) + 1
        self._label_width = label_width(longest, self.scrollable_content_region.width - self._cell_width * widest, LABEL_WIDTH)
        body = self._matrices(analysis)
        self.query_one(".panel-body").styles.min_width = self._label_width + self._cell_width * widest
        if self._progress is not None and self._progress.known.matrices:
            # A walk's step is about the last matrix it revealed: scroll it into view.
            first = self._part_lines[min(self._progress.known.matrices, len(self._part_lines)) - 1]
            self.call_after_refresh(self._show_lines, first, first + len(rows) + 2)
        return body

    def _show_lines(self, first: int, last: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if first < top or last > top + height:
            self.scroll_to(y=first if last - first > height else last - height, animate=False)

    def title_for(self, analysis: Analysis) -> str:
        return "All queries (matrix form)"

    def shape(self, body: object, width: int) -> object:
        # Wider numbers widen the matrices (and set a new minimum width, itself a new layout); a
        # note's text decides the body's width, as the body is as wide as its widest line.
        assert isinstance(body, Group)
        parts = [("text", part.plain) if isinstance(part, Text) else body_shape(part, width, self.app.console) for part in body.renderables]
        return (self._cell_width, *parts)

    def _matrices(self, analysis: Analysis) -> Group:
        matrices = analysis.all_queries
        scenario = analysis.scenario
        revealed = self.known(analysis).matrices
        n, d = scenario.n_tokens, scenario.n_dims
        self._cell_width = CELL_WIDTH
        rows = window(n, scenario.query, MAX_ROWS)
        tokens = window(n, scenario.query, MAX_ROWS)
        dims = range(min(d, MAX_COLUMNS))
        # Only the window is formatted: a 512-token scenario has 262,144 weights.
        weights = rows_of(matrices.weights, rows)
        heat = heat_fractions(matrices.weights, weights, tokens)
        matrix_lines = len(rows) + 1 + 1  # a title, a header row, the rows; then a blank line
        self._part_lines = tuple(k * (matrix_lines + 1) for k in range(3))
        parts = [
            Text(f"ω = X·Xᵀ  scores ({n}×{n})", style="bold underline"),
            self._matrix(analysis, rows, tokens, [scenario.tokens[k] for k in tokens], rows_of(matrices.scores, rows), revealed >= 1),
            Text(""),
            Text(f"A = softmax(ω) by row  weights ({n}×{n})", style="bold underline"),
            self._matrix(analysis, rows, tokens, [scenario.tokens[k] for k in tokens], weights, revealed >= 2, heat=heat),
            Text(""),
            Text(f"Z = A·X  context vectors ({n}×{d})", style="bold underline"),
            self._matrix(analysis, rows, dims, [f"dim {k + 1}" for k in dims], rows_of(matrices.context, rows), revealed >= 3),
        ]
        if len(rows) < n or len(dims) < d:
            parts.append(Text(window_note(rows, n, dims, d), style="italic"))
        return Group(*parts)

    def _matrix(
        self,
        analysis: Analysis,
        rows: range,
        columns: range,
        names: Sequence[str],
        values: list[list[float]],
        revealed: bool,
        heat: list[list[float]] | None = None,
        marks: Callable[[int, int], str | None] | None = None,
        *,
        number: Callable[[float], str] = format_number,
        least_cell_width: int = CELL_WIDTH,
        label_width: int | None = None,
    ) -> Table:
        """``marks(row, column)``: a sign to show instead of the number (3.5: −∞ for a masked score),
        or None for the number; a marked cell takes no heat colour, so it reads the same without colour.

        ``number`` writes a value (4 decimals); a compact matrix (3.6's heads side by side) passes
        a shorter one with its ``least_cell_width`` and ``label_width``, and keeps its column
        names cut to its cells however wide the panel."""
        scenario = analysis.scenario
        compact = label_width is not None
        label_width = self._label_width if label_width is None else label_width
        table = Table.grid(padding=0)
        table.add_column(no_wrap=True, width=label_width)

        def text(row: int, column: int, value: float) -> str:
            if not revealed:
                return NOT_YET
            mark = marks(row, column) if marks is not None else None
            return number(value) if mark is None else mark

        # A space and the widest number: a narrow panel scrolls sideways rather than cutting numbers short.
        texts = [[text(i, k, row_values[k]) for k in columns] for i, row_values in zip(rows, values)]
        cell_width = max([least_cell_width, *(len(text) + 1 for row in texts for text in row)])
        if not compact:
            # Column names in full when the panel has the room (a wide terminal), else cut with ….
            room = (self.scrollable_content_region.width - label_width) // max(1, len(columns))
            cell_width = max(cell_width, min(max(cell_len(name) for name in names) + 1, room))
        self._cell_width = max(self._cell_width, cell_width)
        headers = [Text(f" {clip(name, cell_width - 1)}", style="italic") for name in names]
        # A fixed width spares Rich measuring every cell; a header wider than its numbers (wide
        # characters) widens its column instead, as a minimum width lets it.
        fixed = all(header.cell_len <= cell_width for header in headers)
        for _ in columns:
            table.add_column(justify="right", no_wrap=True, **{"width" if fixed else "min_width": cell_width})
        table.add_row("", *headers)
        for i, row_values in zip(rows, values):
            is_query = i == scenario.query
            mark = QUERY_MARK if is_query else " "
            label = Text(clip(f"{mark}{scenario.tokens[i]}", label_width - 1), style="bold reverse" if is_query else "")
            cells = []
            for j, k in enumerate(columns):
                # A leading space inside the cell: the heatmap colour fills it too, keeping cells apart.
                text = " " + texts[i - rows.start][j].rjust(cell_width - 1)
                marked = marks is not None and marks(i, k) is not None
                style = heat_style(heat[i - rows.start][j]) if heat is not None and revealed and not marked else ""
                cells.append(Text(text, style=style))
            table.add_row(label, *cells, style="bold" if is_query else "")
        return table


def heat_fractions(matrix: Tensor, shown: list[list[float]], columns: range) -> list[list[float]]:
    """Where each shown value lies between the whole matrix's smallest and largest finite value:
    one scale for the whole matrix, so colours compare across rows too."""
    finite = matrix[matrix.isfinite()]
    low, high = (float(finite.min()), float(finite.max())) if finite.numel() else (0.0, 0.0)
    return [[scale_fraction(w, low, high) for w in (row[k] for k in columns)] for row in shown]


def rows_of(matrix: Tensor, rows: range) -> list[list[float]]:
    return matrix[rows.start : rows.stop].tolist()


def window_note(rows: range, n: int, dims: range, d: int) -> str:
    shown = f"tokens {rows.start + 1}–{rows.stop} of {n} (around the query)"
    if len(dims) < d:
        shown += f"; dimensions 1–{dims.stop} of {d}"
    return f"Showing {shown}. [ and ] move the query and the window."
