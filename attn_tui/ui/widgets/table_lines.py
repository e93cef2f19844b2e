"""The panels' tables, drawn without Rich's table machinery: the same characters in the same
styles, at a fraction of the cost.

Rich renders a table cell by cell (padding, measuring, wrapping, cropping each one), which was most
of a key press at 64×64. The panels' tables are simple: a ``Table.grid`` whose columns all have a
fixed width and never wrap, one line per row. :func:`fast_body` lays such tables out directly,
row by row, into a :class:`PanelBody` that Textual draws as strips at once; anything else is left
to Rich. A table drawn narrower than it is wide is shrunk column by column as Rich would (its own
arithmetic decides the widths), and its cells cut to them here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.css.styles import RulesMap
from textual.strip import Strip

from attn_tui.terminal.textual_internals import has_spans, rich_column_widths
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, RichVisual, Visual

from attn_tui.core.graphemes import ELLIPSIS, clip

if TYPE_CHECKING:
    from textual.widget import Widget

_NEW_LINE = Segment.line()
_UNSAFE = frozenset("[:")
"""In a plain string cell Rich would read markup ``[…]`` or emoji codes ``:…:``."""


class TableLines:
    """A table already laid out: one list of segments per row."""

    def __init__(self, table: Table, console: Console, lines: list[list[Segment]], width: int) -> None:
        self.table = table
        self.console = console
        self.lines = lines
        self.width = width
        self._narrower: dict[int, TableLines | None] = {}
        """The table shrunk to widths below its own, by width: measured, then drawn, it is shrunk once."""

    def at(self, width: int) -> TableLines | None:
        """The table laid out to be drawn ``width`` cells wide; None when only Rich can shrink it."""
        if width >= self.width:
            return self
        if width not in self._narrower:
            self._narrower[width] = _shrunk(self.table, self.console, width)
        return self._narrower[width]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        laid_out = self.at(options.max_width)
        if laid_out is None:
            yield self.table
            return
        for line in laid_out.lines:
            yield from line
            yield _NEW_LINE

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)


class PanelBody:
    """A panel's body: its parts one under another (like a Rich ``Group``), tables laid out."""

    def __init__(self, widget: Widget, parts: list[RenderableType]) -> None:
        self.widget = widget
        self.parts = parts

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.parts

    def visualize(self) -> Visual:
        return _PanelBodyVisual(self.widget, self.parts)


class _PanelBodyVisual(Visual):
    """Laid-out tables become strips at once; anything else is rendered as Textual always does."""

    def __init__(self, widget: Widget, parts: list[RenderableType]) -> None:
        self._parts = parts
        self._rich = [RichVisual(widget, part) for part in parts]

    def render_strips(self, width: int, height: int | None, style: VisualStyle, options: RenderOptions) -> list[Strip]:
        base = style.rich_style
        strips: list[Strip] = []
        for part, rich in zip(self._parts, self._rich):
            laid_out = part.at(width) if isinstance(part, TableLines) else None
            if laid_out is not None:
                strips.extend(
                    Strip([Segment(text, base + segment_style) for text, segment_style, _ in line], laid_out.width)
                    for line in laid_out.lines
                )
            else:  # a note that wraps, or a table only Rich can shrink
                strips.extend(rich.render_strips(width, None, style, options))
        return strips if height is None else strips[:height]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((rich.get_optimal_width(rules, container_width) for rich in self._rich), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        heights = 0
        for part, rich in zip(self._parts, self._rich):
            laid_out = part.at(width) if isinstance(part, TableLines) else None
            heights += len(laid_out.lines) if laid_out is not None else rich.get_height(rules, width)
        return heights


def fast_body(body: RenderableType, widget: Widget) -> RenderableType:
    """``body`` (a table, or a Group of tables and notes) with its simple tables laid out here
    (see the module), for ``widget``; unchanged when there is none. A table turns out too wide
    only when drawn (the widget's width may change before then): Rich draws that one."""
    parts = list(body.renderables) if isinstance(body, Group) else [body]
    console = widget.app.console
    laid_out = [_fast_table(part, console) if isinstance(part, Table) else part for part in parts]
    if not any(isinstance(part, TableLines) for part in laid_out):
        return body
    return PanelBody(widget, laid_out)


def _fast_table(table: Table, console: Console) -> RenderableType:
    lines = _lay_out(table, console)
    return table if lines is None else lines


def _lay_out(table: Table, console: Console) -> TableLines | None:
    if not _simple(table):
        return None
    pads = _paddings(table)
    # Rich gives an empty column one cell: of padding if it has any, else of content.
    widths = [column.width if column.width + pad else 1 for column, pad in zip(table.columns, pads)]
    return _rows(table, console, widths, pads)


def _shrunk(table: Table, console: Console, width: int) -> TableLines | None:
    """``table`` shrunk to ``width`` cells as Rich shrinks it (its own arithmetic chooses the
    columns' widths), each cell cut to its column; a column squeezed to nothing is left out, as
    Rich leaves it. None when a column is squeezed into its own padding: Rich draws that its own way."""
    pads = _paddings(table)
    totals = rich_column_widths(table, console, width)
    if any(0 < total <= pad for total, pad in zip(totals, pads)):
        return None
    pads = [pad if total else 0 for total, pad in zip(totals, pads)]
    return _rows(table, console, [total - pad for total, pad in zip(totals, pads)], pads)


def _simple(table: Table) -> bool:
    """A grid of fixed-width columns that never wrap, one line per row: laid out here."""
    if (
        table.box is not None
        or table.show_header
        or table.show_footer
        or table.expand
        or table.width is not None
        or table.min_width is not None
        or table.row_styles
        or table.style not in ("", "none", None)
        or table.padding not in ((0, 1, 0, 1), (0, 0, 0, 0))
        or not table.collapse_padding
        or table.pad_edge
    ):
        return False
    return all(column.width is not None and column.no_wrap and not column.style and column.justify in ("left", "right") for column in table.columns)


def _paddings(table: Table) -> list[int]:
    """The padding after each column's content (collapsed, none after the last)."""
    last = len(table.columns) - 1
    return [0 if index == last else table.padding[1] for index in range(len(table.columns))]


def _rows(table: Table, console: Console, widths: list[int], pads: list[int]) -> TableLines | None:
    """Every row, each cell in its column's content width and padding; None if a cell is not plain."""
    columns = table.columns
    get_style = console.get_style
    null = Style.null()
    cells_by_column = [column._cells for column in columns]
    lines: list[list[Segment]] = []
    for row_index, row in enumerate(table.rows):
        row_style = get_style(row.style) if row.style else null
        line: list[Segment] = []
        for column, cells, width, pad in zip(columns, cells_by_column, widths, pads):
            if not width + pad:
                continue  # squeezed out of a shrunk table
            segment = _cell(cells[row_index], column.justify, column.overflow, width, row_style, get_style)
            if segment is None:
                return None
            line.append(segment)
            if pad:
                line.append(Segment(" " * pad, row_style))
        lines.append(line)
    return TableLines(table, console, lines, sum(widths) + sum(pads))


def _cell(cell: object, justify: str, overflow: str, width: int, row_style: Style, get_style) -> Segment | None:
    """One cell, justified in ``width`` cells, as Rich would draw it; None if unsure."""
    if isinstance(cell, Text):
        if has_spans(cell) or cell.end != "\n" or cell.justify or cell.overflow or cell.no_wrap is not None:
            return None
        plain = cell.plain
        style = row_style + get_style(cell.style) if cell.style else row_style
    elif isinstance(cell, str):
        if _UNSAFE.intersection(cell):
            return None
        plain = cell
        style = row_style
    else:
        return None
    if not plain.isprintable():
        return None  # tabs and control characters: Rich's own rules
    length = cell_len(plain)
    if length > width and overflow != "ignore":
        # e.g. a long token cut with "…"; between grapheme clusters, never inside one.
        plain = clip(plain, width, ELLIPSIS if overflow == "ellipsis" else "")
        length = cell_len(plain)
    if justify == "right":
        if plain != plain.rstrip():
            return None
        return Segment(" " * (width - length) + plain, style)
    return Segment(plain + " " * (width - length), style)

