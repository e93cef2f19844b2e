"""The panels' tables, drawn without Rich's table machinery: the same characters in the same
styles, at a fraction of the cost.

Rich renders a table cell by cell (padding, measuring, wrapping, cropping each one), which was most
of a key press at 64×64. The panels' tables are simple: a ``Table.grid`` whose columns all have a
fixed width and never wrap, one line per row. :func:`fast_body` lays such tables out directly,
row by row, into a :class:`PanelBody` that Textual draws as strips at once. The notes under
them (a window's "tokens 1–16 of 512", why a column is NaN) are wrapped once and drawn line by
line, as Rich draws them without its rendering pipeline around each. Anything else (a table Rich
would shrink in ways not imitated here) is left to Rich.
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

from attn_tui.terminal.textual_internals import column_cells, has_spans, rich_column_widths
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

    def __init__(self, table: Table, lines: list[list[Segment]], width: int) -> None:
        self.table = table
        self.lines = lines
        self.width = width

    def fitted(self, width: int, console: Console) -> TableLines | None:
        """The table laid out in ``width`` cells: as it is, or with its columns shrunk as Rich
        shrinks them (3.4's projections are wider than the right column at 100×30); None if
        unsure."""
        return self if self.width <= width else _lay_out(self.table, console, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        fitted = self.fitted(options.max_width, console)
        if fitted is None:
            yield self.table
            return
        for line in fitted.lines:
            yield from line
            yield _NEW_LINE

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)


def wraps_plainly(text: Text) -> bool:
    """True if ``text`` is drawn as :func:`wrap_text` wraps it: left-justified, folded, ending in a
    new line (what a panel's notes are)."""
    return text.justify in (None, "default", "left") and text.overflow in (None, "fold") and not text.no_wrap and text.end == "\n"


def wrap_text(text: Text, console: Console, width: int) -> list[Text]:
    """``text``'s lines at ``width``, wrapped as Rich wraps it to draw it (see :func:`wraps_plainly`)."""
    return list(text.wrap(console, max(1, width), justify="default", overflow="fold", tab_size=text.tab_size or 8))


def text_strip(line: Text, console: Console, base: Style, width: int) -> Strip:
    """One wrapped line of text in ``base`` style, as Rich draws it."""
    if has_spans(line):  # each segment's style includes the line's own
        strip = Strip([Segment(text, base + style if style else base) for text, style, _ in line.render(console, end="")])
    else:  # the line's own style is left to the caller (Rich's Text.render)
        strip = Strip([Segment(line.plain, base + console.get_style(line.style) if line.style else base)])
    return strip if strip.cell_length <= width else strip.crop(0, width)


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
        self._console = widget.app.console
        self._wrapped: dict[tuple[int, int], list[Text]] = {}

    def render_strips(self, width: int, height: int | None, style: VisualStyle, options: RenderOptions) -> list[Strip]:
        base = style.rich_style
        strips: list[Strip] = []
        for part, rich in zip(self._parts, self._rich):
            fitted = self._fitted(part, width)
            if fitted is not None:
                strips.extend(
                    Strip([Segment(text, base + segment_style) for text, segment_style, _ in line], fitted.width)
                    for line in fitted.lines
                )
            elif (lines := self._text_lines(part, width)) is not None:
                strips.extend(text_strip(line, self._console, base, width) for line in lines)
            else:  # a table the fast path cannot shrink, or text drawn in other ways
                strips.extend(rich.render_strips(width, None, style, options))
        return strips if height is None else strips[:height]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((rich.get_optimal_width(rules, container_width) for rich in self._rich), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        heights = []
        for part, rich in zip(self._parts, self._rich):
            fitted = self._fitted(part, width)
            if fitted is not None:
                heights.append(len(fitted.lines))
            elif (lines := self._text_lines(part, width)) is not None:
                heights.append(len(lines))
            else:
                heights.append(rich.get_height(rules, width))
        return sum(heights)

    def _fitted(self, part: RenderableType, width: int) -> TableLines | None:
        return part.fitted(width, self._console) if isinstance(part, TableLines) else None

    def _text_lines(self, part: RenderableType, width: int) -> list[Text] | None:
        """``part``'s lines at ``width`` if it is a note this visual wraps itself, else None; a
        layout asks for them, then the paint: wrapped once."""
        if not isinstance(part, Text) or width <= 0 or not wraps_plainly(part):
            return None
        key = (id(part), width)
        if key not in self._wrapped:
            self._wrapped[key] = wrap_text(part, self._console, width)
        return self._wrapped[key]


def fast_body(body: RenderableType, widget: Widget) -> RenderableType:
    """``body`` (a table, or a Group of tables and notes) with its simple tables laid out here
    (see the module), for ``widget``; unchanged when there is none. A table turns out too wide
    only when drawn (the widget's width may change before then): Rich draws that one."""
    console = widget.app.console
    laid_out = [_fast_table(part, console) if isinstance(part, Table) else part for part in _parts(body)]
    if not any(isinstance(part, TableLines) for part in laid_out):
        return body
    return PanelBody(widget, laid_out)


def _parts(body: RenderableType) -> list[RenderableType]:
    """What ``body`` draws one under another, nested Groups opened: a windowed table with its note
    is a Group inside the weights panel's Group with the overflow note (at 512×768), and a table
    left inside one was drawn by Rich, cell by cell."""
    if isinstance(body, Group):
        return [part for renderable in body.renderables for part in _parts(renderable)]
    return [body]


def _fast_table(table: Table, console: Console) -> RenderableType:
    lines = _lay_out(table, console)
    return table if lines is None else lines


def _lay_out(table: Table, console: Console, width: int | None = None) -> TableLines | None:
    """``table`` laid out row by row, in ``width`` cells if it is wider (None: at its own width);
    None if it is not simple enough to draw exactly as Rich would."""
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
        return None
    columns = table.columns
    last = len(columns) - 1
    widths: list[int] = []  # content widths
    pads: list[int] = []
    for index, column in enumerate(columns):
        if column.width is None or not column.no_wrap or column.style or column.justify not in ("left", "right"):
            return None
        pad = 0 if index == last else table.padding[1]
        # Rich gives an empty column one cell: of padding if it has any, else of content.
        content = column.width if column.width + pad else 1
        widths.append(content)
        pads.append(pad)
    total = sum(widths) + sum(pads)
    if width is not None and total > width:
        shrunk = rich_column_widths(table, console, width)
        # A column shrunk to nothing is not drawn at all (3.4's "│" between keys and values).
        kept = [index for index, cells in enumerate(shrunk) if cells]
        columns = [columns[index] for index in kept]
        pads = [pads[index] for index in kept]
        widths = [shrunk[index] - pad for index, pad in zip(kept, pads)]
        if not widths or min(widths) <= 0:
            return None  # a column shrunk into its padding: Rich's own rules
        total = sum(shrunk)
    get_style = console.get_style
    null = Style.null()
    cells_by_column = [column_cells(column) for column in columns]
    lines: list[list[Segment]] = []
    for row_index, row in enumerate(table.rows):
        row_style = get_style(row.style) if row.style else null
        line: list[Segment] = []
        for column, cells, cell_width, pad in zip(columns, cells_by_column, widths, pads):
            segment = _cell(cells[row_index], column.justify, column.overflow, cell_width, row_style, get_style)
            if segment is None:
                return None
            line.append(segment)
            if pad:
                line.append(Segment(" " * pad, row_style))
        lines.append(line)
    return TableLines(table, lines, total)


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

