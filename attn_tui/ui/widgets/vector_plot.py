"""The vector plot: every vector of a space as a point, drawn with textual-plotext.

It draws what :mod:`attn_tui.core.plot_data` computes and decides nothing about the numbers. The
app imports this module the first time the plot opens: plotext stays off the start-up path (so its
private parts are reached here, not from ``terminal/textual_internals.py``, which start-up imports):
``Figure._set_sizes`` and ``_build_matrix``, the cell matrix ``monitor.matrix`` (``marker``,
``fullground``, ``style``, ``background``; its class ``plotext._matrix.matrix_class`` and how it
fills them, ``set_matrices``) and ``plotext._utility``'s ``colors_to_ansi``, ``no_color`` and ``space``;
``tests/app/test_plot_app.py`` checks by name that they still exist.
"""

from __future__ import annotations

import math
from functools import lru_cache

from plotext._matrix import matrix_class
from plotext._utility import colors_to_ansi, no_color, space
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.app import ComposeResult
from textual.geometry import Size
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual_plotext import PlotextPlot

from attn_tui.core.plot_data import (
    CONTEXT,
    DROPPED,
    HIGH,
    LABEL_ALL_UP_TO,
    LOW,
    MASKED,
    MID,
    PATH,
    PLAIN,
    QUERY,
    Plane,
    PlaneData,
    VectorSpace,
    dimension,
    legend,
    plane_data,
    planes_for,
)
from attn_tui.ui.widgets.direct_lines import DirectLines

COLOURS = {
    HIGH: (255, 176, 0),
    MID: (200, 150, 80),
    LOW: (128, 128, 128),
    PLAIN: (190, 190, 190),
    QUERY: (0, 200, 255),
    CONTEXT: (255, 80, 200),
    PATH: (255, 80, 200),
    MASKED: (110, 110, 110),
    DROPPED: (200, 70, 70),
}
"""Brighter for larger weights; the shapes differ too (see plot_data.GLYPHS), for NO_COLOR."""

PLANE_MIN_WIDTH = 30
"""Columns a plane needs to be readable: the three planes of 3-d side by side from 3× this."""

MAX_PLANES = 3


class PlanePlot(DirectLines, PlotextPlot):
    """One plane of the space, its lines painted directly (see attn_tui.ui.widgets.direct_lines):
    every line changes with an edit."""

    _data: PlaneData | None = None
    _drawn: tuple[object, list[Strip]] | None = None
    """The lines last built, and for which size and theme: plotext takes milliseconds."""
    _ticks_set = False
    """The figure has y ticks of a plane's own (a 1-d space's token rows)."""
    _theme = ""
    """The plotext theme the figure has."""

    def draw(self, data: PlaneData) -> None:
        if data != self._data:  # e.g. a walk step that changes nothing here
            self._data = data
            self._drawn = None
            self.refresh()

    def render_line(self, y: int) -> Strip:
        # The Line API, from plotext's own cell matrix: no ANSI text to write and parse again (a
        # third of the time each, with plotext's drawing the last third).
        width, height = self.size
        key = (width, height, self.app.theme)  # the data: draw() forgets the lines when it changes
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, self._build_lines(width, height))
        lines = self._drawn[1]
        return lines[y] if 0 <= y < len(lines) else Strip.blank(width)

    def _build_lines(self, width: int, height: int) -> list[Strip]:
        if self._data is None or width < 1 or height < 1:
            return []
        plt = self.plt
        if self._data.y_ticks is None and self._ticks_set:
            plt.clear_figure()  # plotext's only way back to choosing the y ticks itself
            self._theme = ""
        self._ticks_set = self._data.y_ticks is not None
        plt.plotsize(width, height)
        plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
        theme = self._get_plotext_theme_name(self.app.theme)
        if theme != self._theme:  # plotext sets every colour of the figure anew: only on a change
            plt.theme(theme)
            self._theme = theme
        self._build(self._data)
        if not isinstance(plt.monitor.matrix, _CellMatrix):  # a new figure (clear_figure) has plotext's own
            plt.monitor.matrix = _CellMatrix()
        plt._set_sizes()
        plt._build_matrix()
        matrix = plt.monitor.matrix
        rows = reversed(range(matrix.rows))  # plotext's row 0 is the bottom
        return [_strip(matrix.marker[row], matrix.fullground[row], matrix.style[row], matrix.background[row]) for row in rows]

    def _build(self, data: PlaneData) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title(data.title)
        plt.xlabel(data.x_axis)
        plt.ylabel(data.y_axis)
        plt.xlim(*data.x_range)
        plt.ylim(*data.y_range)
        if data.y_ticks is not None:
            plt.yticks(*data.y_ticks)
        for marker in data.markers:
            colour = COLOURS.get(marker.style, COLOURS[PLAIN])
            if marker.line:
                plt.plot(marker.xs, marker.ys, marker="braille", color=colour)
            else:
                plt.scatter(marker.xs, marker.ys, marker=marker.glyph, color=colour)
        for text, x, y, alignment, colour in _placed_labels(data, self.size.width, self.size.height):
            plt.text(text, x, y, color=colour, alignment=alignment)


class _CellMatrix(matrix_class):
    """plotext's cell matrix, its blank matrices filled a row at a time: plotext asks each cell
    whether it is on the canvas, a third of the time a plane takes to draw."""

    def set_matrices(self) -> None:
        columns, rows = range(self.cols), range(self.rows)
        canvas_row = [self.canvas_color if column in self.Cols_canvas else self.axes_color for column in columns]
        axes_row = [self.axes_color] * self.cols
        self.marker = [[space] * self.cols for _ in rows]
        self.fullground = [[no_color] * self.cols for _ in rows]
        self.background = [list(canvas_row if row in self.Rows_canvas else axes_row) for row in rows]  # each row its own list
        self.style = [[no_color] * self.cols for _ in rows]


def _strip(characters: list[str], foreground: list[object], style: list[object], background: list[object]) -> Strip:
    """One row of plotext's cell matrix as a strip: a segment per run of cells alike. The runs are
    found by comparing neighbours in one pass, and joined by slicing (most of a row is one run of
    blank canvas; grouping cell by cell took a quarter of a redraw)."""
    colours = list(zip(foreground, style, background))
    ends = [index for index in range(1, len(colours)) if colours[index] != colours[index - 1]]
    starts = [0, *ends]
    ends.append(len(colours))
    return Strip([Segment("".join(characters[start:end]), _style(colours[start])) for start, end in zip(starts, ends)])


@lru_cache(maxsize=256)
def _style(colours: tuple[object, object, object]) -> Style:
    """A plotext cell's colours (foreground, style, background) as a Rich style, read from the ANSI
    codes plotext itself would write for them."""
    text = Text.from_ansi(colors_to_ansi(*colours) + "x")
    return Style.combine(span.style for span in text.spans if isinstance(span.style, Style))


Y_TICKS_WIDTH, FRAME_ROWS = 8, 5
"""Roughly what plotext takes around the canvas: tick labels and frame left (its own numbers; a
plane's own ticks take their length and two), title, ticks and axis title below. Labels are placed
in cells from it; a cell off is harmless."""


def _placed_labels(data: PlaneData, width: int, height: int) -> list[tuple[str, float, float, str, tuple[int, int, int]]]:
    """The labels that fit (most important first, see plot_data), each a cell right of its point,
    else left of it; the text, x, y, alignment and colour.

    A label never covers another, nor the query's or z's marker (with a few tokens, no marker at
    all: a token hidden under a label would look missing); when neither side is free it is left out.
    """
    ticks_width = max(map(len, data.y_ticks[1]), default=0) + 2 if data.y_ticks is not None else Y_TICKS_WIDTH
    columns, rows = max(1, width - ticks_width - 1), max(1, height - FRAME_ROWS)
    (x0, x1), (y0, y1) = data.x_range, data.y_range
    cell_x = (x1 - x0) / columns

    def cell(x: float, y: float) -> tuple[int, set[int]]:
        column = round((x - x0) / cell_x) if cell_x > 0 else 0
        exact_row = (y - y0) / (y1 - y0) * (rows - 1) if y1 > y0 else 0.0
        # Near the middle between two rows, plotext may choose either: keep clear of both.
        return column, {math.floor(exact_row + 0.25), math.ceil(exact_row - 0.25)}

    points = sum(len(marker.xs) for marker in data.markers if not marker.line)
    kept_clear: dict[int, set[int]] = {}
    for marker in data.markers:
        if marker.line or (points > LABEL_ALL_UP_TO + 2 and marker.style not in (QUERY, CONTEXT)):
            continue  # the running sum's thin line may be crossed; in a cloud of points, only ◆ and ★ stay clear
        for x, y in zip(marker.xs, marker.ys):
            column, near_rows = cell(x, y)
            for row in near_rows:
                kept_clear.setdefault(row, set()).add(column)
    taken: dict[int, list[tuple[int, int]]] = {}
    named: set[tuple[str, int, float]] = set()
    placed = []
    for label in data.labels:
        column, near_rows = cell(label.x, label.y)
        if (label.text, column, label.y) in named:
            continue  # the query's token under the query: its name once
        named.add((label.text, column, label.y))
        length = cell_len(label.text)
        sides = ((column + 1, label.x + cell_x, "left"), (column - 1 - length, label.x - cell_x, "right"))
        for start, x, alignment in sides:
            if start < 0 or start + length > columns:
                continue
            span = (start - 1, start + length + 1)  # a cell of room each side: the estimate may be a cell off
            if any(a < span[1] and span[0] < b for row in near_rows for a, b in taken.get(row, [])):
                continue
            if any(start <= clear < start + length for row in near_rows for clear in kept_clear.get(row, ())):
                continue
            for row in near_rows:
                taken.setdefault(row, []).append(span)
            placed.append((label.text, x, label.y, alignment, COLOURS.get(label.style, COLOURS[PLAIN])))
            break
    return placed


class PlotLegend(DirectLines, Widget):
    """What each glyph means, laid out for the legend's own width."""

    DEFAULT_CSS = "PlotLegend { height: auto; max-height: 4; color: $text-muted; }"

    _space: VectorSpace | None = None
    _note: str = ""
    _lines: list[list[Segment]] = []
    """The legend's lines (the Line API: a redraw after an edit, whose thresholds change, costs no
    layout of a rich Text)."""

    def show(self, space: VectorSpace | None, note: str = "") -> None:
        lines = _legend_lines(space, self.size.width) if space is not None else [[Segment(note)]]
        self._space, self._note = space, note
        if lines == self._lines:
            return
        # A new layout (the whole screen's) only when the legend takes another number of lines.
        layout = len(lines) != len(self._lines)
        self._lines = lines
        self.refresh(layout=layout)

    def on_resize(self) -> None:
        self._lines = _legend_lines(self._space, self.size.width) if self._space is not None else [[Segment(self._note)]]
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        style = self.rich_style  # worked out anew from every ancestor's styles: once a line
        if not 0 <= y < len(self._lines):
            return Strip.blank(self.size.width, style)
        return Strip(self._lines[y]).apply_style(style).extend_cell_length(self.size.width, style)


class VectorPlot(Vertical):
    """The planes of a vector space side by side (as many as fit) and a legend.

    It is handed one or more spaces (simple attention: the embeddings; a trainable mechanism:
    e.g. its query/key space and its value space); `V` cycles through them and through the
    planes that do not fit at once; `A` chooses the plane (any pair of dimensions, or the
    principal components).
    """

    DEFAULT_CSS = """
    VectorPlot #plot-planes { height: 1fr; }
    """

    _spaces: tuple[VectorSpace, ...] = ()
    _views: list[tuple[VectorSpace, tuple[Plane, ...]]] = []
    """:meth:`views` as last shown: every change of what they depend on (the spaces, the width,
    the chosen plane) shows them anew, and the keys' checks read them on every key press."""
    choice: int = 0
    """Which of :meth:`views` is on screen (the key V adds one)."""
    chosen: Plane | None = None
    """The plane chosen with A, for every space it fits (None: the default planes)."""

    def compose(self) -> ComposeResult:
        # Kept, not looked up on every redraw: a query walks the widgets each time.
        self._planes = [PlanePlot(id=f"plane-{index}") for index in range(MAX_PLANES)]
        self._legend = PlotLegend(id="plot-legend")
        with Horizontal(id="plot-planes"):
            yield from self._planes
        yield self._legend

    def on_mount(self) -> None:
        # A key may hand the plot its numbers between its mount and its children's: show them now.
        if self._spaces:
            self.show(self._spaces)

    def on_resize(self) -> None:
        if self._spaces:
            self.show(self._spaces)
            self.app.refresh_bindings()  # V may have more or less to cycle at the new width

    @property
    def planes_side_by_side(self) -> int:
        """How many planes fit across the plot's width."""
        return max(1, min(MAX_PLANES, self.content_region.width // PLANE_MIN_WIDTH))

    def views(self) -> list[tuple[VectorSpace, tuple[Plane, ...]]]:
        """What `V` cycles through: each space with all its planes when they fit, else plane by plane."""
        fit = self.planes_side_by_side
        views = []
        for space in self._spaces:
            available = planes_for(dimension(space), self.chosen)
            views += [(space, available)] if len(available) <= fit else [(space, (plane,)) for plane in available]
        return views

    @property
    def current_view(self) -> tuple[VectorSpace, tuple[Plane, ...]] | None:
        """The space on screen and its planes; None before the plot has numbers."""
        return self._views[self.choice % len(self._views)] if self._views else None

    @property
    def can_cycle(self) -> bool:
        """There is more to see than is on screen."""
        return len(self._views) > 1

    @property
    def can_choose(self) -> bool:
        """The space on screen has a plane to choose: two dimensions or more."""
        view = self.current_view
        return view is not None and dimension(view[0]) >= 2

    def cycle_plane(self) -> None:
        self.choice += 1
        if self._spaces:
            self.show(self._spaces)

    def choose_plane(self, plane: Plane) -> None:
        """Show ``plane`` of the space on screen (and use it for every space it fits)."""
        view = self.current_view
        self.chosen = plane
        if view is None:
            return
        views = self.views()
        self.choice = next((index for index, (space, planes) in enumerate(views) if space is view[0] and plane in planes), self.choice)
        self.show(self._spaces)

    @property
    def _composed(self) -> bool:
        return self._legend.is_attached if hasattr(self, "_legend") else False

    def show_loading(self) -> None:
        if self._composed:
            self._show_note("loading torch…")

    def _show_note(self, note: str) -> None:
        for plot in self._planes:
            plot.display = False
        self._set_frame("Vectors", "")
        self._legend.show(None, note)

    def show(self, spaces: tuple[VectorSpace, ...]) -> None:
        self._spaces = spaces
        if not self._composed:
            return  # not composed yet: on_mount shows it
        views = self._views = self.views()
        if not views:
            self._show_note("This section has no vector plot yet.")
            return
        space, planes = views[self.choice % len(views)]
        for index, plot in enumerate(self._planes):
            if plot.display != (index < len(planes)):
                plot.display = index < len(planes)
            if index < len(planes):  # only the planes on screen are projected and drawn
                plot.draw(plane_data(space, planes[index]))
        # The plot's own keys where the eye is, as the grid's border says "⏎ edit".
        keys = [*(["V next"] if len(views) > 1 else []), *(["A axes"] if dimension(space) >= 2 else [])]
        self._set_frame(f"Vectors: {space.title}", " · ".join(keys))
        self._legend.show(space)

    def _set_frame(self, title: str, subtitle: str) -> None:
        """The border's title and subtitle; set only when they change, as setting either repaints
        the whole plot (its frame, not only the title) even to the same text."""
        if (self._frame_title, self._frame_subtitle) != (title, subtitle):
            self._frame_title, self._frame_subtitle = title, subtitle
            self.border_title, self.border_subtitle = title, subtitle

    _frame_title: str | None = None
    _frame_subtitle: str | None = None

def _legend_lines(space: VectorSpace, width: int) -> list[list[Segment]]:
    """The legend's entries, never split across lines (a glyph away from its meaning misleads)."""
    lines: list[list[Segment]] = [[]]
    line = 0
    for entry in legend(space):
        size = cell_len(entry.glyph) + 1 + cell_len(entry.text)
        if line and line + 2 + size > width:
            lines.append([])
            line = 0
        elif line:
            lines[-1].append(Segment("  "))
            line += 2
        lines[-1] += [Segment(entry.glyph, _glyph_style(entry.style)), Segment(f" {entry.text}")]
        line += size
    return lines if lines[0] else []


@lru_cache(maxsize=32)
def _glyph_style(style: str) -> Style:
    return Style(bold=True, color=Color.from_rgb(*COLOURS.get(style, COLOURS[PLAIN])))
