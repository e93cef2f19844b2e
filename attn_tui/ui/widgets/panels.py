"""The three live panels: scores, weights and the context vector for the current query.

Each panel gets an :class:`~attn_tui.core.compute.Analysis` and only formats it. During a walkthrough
it also gets the walk's :class:`~attn_tui.core.walkthrough.Progress` and shows only what the walk has
reached; the live view is simply everything known.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from attn_tui.core.formatting import (
    context_formula,
    format_number,
    format_vector,
    score_formula,
    subscript_pair,
    weight_formula,
)
from attn_tui.terminal.textual_internals import set_border_title
from attn_tui.ui.layout import PANEL_ROWS, WINDOW_NOTE_ROWS
from attn_tui.terminal.textual_internals import column_cells
from attn_tui.ui.widgets.table_lines import fast_body
from attn_tui.ui.widgets.direct_lines import DirectStatic
from attn_tui.core.walkthrough import Progress
from attn_tui.mechanisms.simple.walk import CONTEXT, NORMALISATION, SCORES, Known

if TYPE_CHECKING:  # the app imports torch (through compute) only when it needs numbers
    from attn_tui.mechanisms.simple.compute import Analysis

BAR_WIDTH = 16
"""Bar length before the panel knows its width."""
_PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉"
NOT_REVERSED = Style(reverse=False)
NOT_YET = "…"
"""Stands for a number the walkthrough has not computed yet."""
ZERO_SUM_NOTE = "ω/Σω divides by Σω = 0: 0/0 is NaN. softmax divides by Σ exp ω, never 0."
OVERFLOW_NOTE = "exp overflows float32 (ω > 88.7): softmax_naive gives NaN; torch.softmax subtracts the max first."


NUMBER = re.compile(r"-?\d+\.\d+(?:e[+-]\d+)?|NaN|-?inf")
"""A value as format_number writes it (counts never have a decimal point)."""


def window(size: int, centre: int, limit: int) -> range:
    """At most ``limit`` indices of ``range(size)``, around ``centre``."""
    if size <= limit:
        return range(size)
    start = max(0, min(centre - limit // 2, size - limit))
    return range(start, start + limit)


def body_shape(body: object, width: int, console: Console) -> tuple[object, ...]:
    """What decides a panel body's size at ``width``: its rows and columns for tables (cells
    never wrap), the number of lines for text (it wraps)."""
    if isinstance(body, Group):
        return tuple(body_shape(part, width, console) for part in body.renderables)
    if isinstance(body, Table):
        return ("table", body.row_count, len(body.columns))
    if isinstance(body, Text):
        return ("text", 1 if body.cell_len < width else len(body.wrap(console, max(1, width))))
    return ("other", id(body))


def body_lines(body: object, width: int, console: Console) -> int:
    """The lines a panel body takes at ``width`` (tables never wrap; text does)."""
    if isinstance(body, Group):
        return sum(body_lines(part, width, console) for part in body.renderables)
    if isinstance(body, Table):
        return body.row_count
    if isinstance(body, Text):
        return 1 if width <= 0 or body.cell_len <= width else len(body.wrap(console, width))
    return 1


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar ``fraction`` of ``width`` cells long, in eighths of a cell."""
    if not 0.0 <= fraction <= 1.0:  # also catches NaN
        return ""
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_PARTIAL_BLOCKS[rest] if rest else "")


class Panel(VerticalScroll):
    """A titled, scrollable panel whose body is re-rendered from each new analysis."""

    DEFAULT_TITLE = ""
    PANEL_ID = ""
    """The widget's id when a mechanism's panels are mounted (e.g. "scores")."""
    LISTS_TOKENS = False
    """One row per token: the app fits how many it lists to the screen's height."""

    _analysis: Analysis | None = None
    _progress: Progress | None = None
    _shape: tuple[object, ...] | None = None
    """What decides the body's size, as last shown (see :func:`body_shape`)."""

    row_limit: int = PANEL_ROWS
    """Tokens listed at most when all fit; the app sets it from the screen's height (see
    :func:`attn_tui.ui.layout.fit_right_column`) so that the context vector never falls off."""

    fixed_lines: int = 0
    """Lines of the body besides its token rows and window note (headings, Σ, notes), as last shown."""

    _listed: tuple[int, bool] = (0, False)
    """Token rows last listed, and whether they were a window (with a note)."""

    class Measured(Message):
        """A panel re-measured its body at a new width: the layout may have to be fitted again."""

    def compose(self) -> ComposeResult:
        yield DirectStatic(classes="panel-body")

    def show(self, analysis: Analysis, progress: Progress | None = None) -> None:
        """Show ``analysis``; ``progress`` limits it to what a walkthrough has reached."""
        self._analysis = analysis
        self._progress = progress
        set_border_title(self, self.title_for(analysis))
        body = self.render_body(analysis)
        # A new layout (measuring every widget) only when the body's shape may change: a
        # commit or a query change that keeps every line in place repaints just this panel.
        width = self.scrollable_content_region.width
        shape = (width, self.shape(body, width))
        # Laid out here, row by row: Rich's own table rendering was most of a key press.
        body_widget = self.query_one(".panel-body", Static)
        body_widget.update(fast_body(body, body_widget), layout=shape != self._shape)
        self._shape = shape
        listed, windowed = self._listed
        self.fixed_lines = self.lines(body, width) - listed - (WINDOW_NOTE_ROWS if windowed else 0)

    def set_subtitle(self, subtitle: str) -> None:
        """The border's subtitle, set only when it changes and repainting only its row (Textual's
        setter repaints the whole panel, border and scroll bar included, even to the same text)."""
        set_border_title(self, subtitle, subtitle=True)

    def known(self, analysis: Analysis) -> Known:
        """What may be shown: everything, unless a walk is under way."""
        progress = self._progress
        return progress.known if progress is not None else Known.everything(analysis.scenario.n_tokens)

    def compare(self, on: bool) -> None:
        """`c` puts alternatives side by side (the mechanism says which); most panels ignore it."""

    def show_loading_torch(self) -> None:
        self.border_title = self.DEFAULT_TITLE
        self._shape = None
        self.query_one(".panel-body", Static).update("loading torch…")

    def on_resize(self) -> None:
        # Bars and wrapping depend on the width: re-render what is shown, no recomputation.
        if self._analysis is not None:
            self.show(self._analysis, self._progress)
            self.post_message(self.Measured())

    def rows(self, analysis: Analysis, current: int | None = None) -> range:
        """The tokens listed: all of them, or a window around ``current`` (else the query)."""
        scenario = analysis.scenario
        # The limit leaves room for the window's note (see attn_tui.ui.layout.fit_right_column).
        rows = window(scenario.n_tokens, scenario.query if current is None else current, self.row_limit)
        self._listed = (len(rows), len(rows) < scenario.n_tokens)
        return rows

    def shape(self, body: object, width: int) -> object:
        """Equal shapes lay out alike; a change of shape asks for a new layout."""
        return body_shape(body, width, self.app.console)

    def lines(self, body: object, width: int) -> int:
        """The lines ``body`` takes at ``width``."""
        return body_lines(body, width, self.app.console)

    def title_for(self, analysis: Analysis) -> str:
        raise NotImplementedError

    def render_body(self, analysis: Analysis) -> Table | Text:
        raise NotImplementedError


def fixed_widths(table: Table) -> Table:
    """Give every column its width, measured here in one pass over the plain cells: Rich then
    skips measuring each cell itself, the larger part of rendering a panel on every key."""
    for column in table.columns:
        widths = [cell.cell_len if isinstance(cell, Text) else cell_len(str(cell)) for cell in column_cells(column)]
        width = max(widths, default=0)
        column.width = min(width, column.max_width) if column.max_width is not None else width
    return table


def with_bars(table: Table, fractions: dict[int, float], length: int, width: int, style: Style) -> Table:
    """``table`` measured (see :func:`fixed_widths`), its last column, added empty, filled with a bar
    for each row in ``fractions`` (table row → fraction of the longest): ``length`` cells for the
    whole, shortened to the room the other columns leave in ``width``. A table wider than its
    panel is shrunk by Rich column by column, which cuts the numbers ("0.22…"): the bars give way
    first (long token names in a 40-column right column, e.g. at 80×24)."""
    *others, bars = fixed_widths(table).columns
    room = width - sum(column.width + 1 for column in others)  # each column is followed by a space
    length = min(length, room)
    if length <= 0:
        table.columns.pop()  # even empty, Rich would give the column a cell
        return table
    # Not reversed with a current row: a reversed bar would turn into a gap.
    bar_style = style + NOT_REVERSED
    cells = column_cells(bars)
    for row, fraction in fractions.items():
        cells[row] = Text(bar(fraction, length), style=bar_style)
    bars.width = max((cell.cell_len for cell in cells if isinstance(cell, Text)), default=0)
    return table


def per_token_table() -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)  # symbol, e.g. ω₂₁
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=12)  # token
    table.add_column(justify="right", no_wrap=True)  # value
    return table


def row_style(analysis: Analysis, row: int, current: int | None = None) -> str:
    """The query's row bold; the row the walk's current step is about reversed."""
    style = "bold" if row == analysis.scenario.query else ""
    return f"{style} reverse".strip() if row == current else style


def _window_note(rows: range, n: int) -> Text | None:
    if len(rows) == n:
        return None
    # Short enough for one line in the narrowest panel (see WINDOW_NOTE_ROWS).
    return Text(f"tokens {rows.start + 1}–{rows.stop} of {n} · [ ] moves", style="italic")


def with_note(body: Table, rows: range, n: int) -> Table | Group:
    note = _window_note(rows, n)
    return body if note is None else Group(body, note)


def revealed_values(values: list[float], count: int, rows: range) -> dict[int, str]:
    """The values of ``rows`` (only those: a panel lists 16 of 512 tokens) formatted, by index;
    from the ``count``-th on, not yet computed."""
    return {i: unless_known(format_number(values[i]), i < count) for i in rows}


def unless_known(text: str, known: bool) -> str:
    """``text``, or NOT_YET as wide as it: a column keeps its width as a walk fills it in, so its
    heading and the columns right of it never shift."""
    return text if known else NOT_YET.rjust(len(text))


class ScoresPanel(Panel):
    """ω_qi = x⁽ⁱ⁾·x⁽q⁾ for every token i."""

    DEFAULT_TITLE = "Scores"
    PANEL_ID = "scores"
    LISTS_TOKENS = True

    def title_for(self, analysis: Analysis) -> str:
        return f"Scores  {score_formula(analysis.scenario.query + 1)}"

    def render_body(self, analysis: Analysis) -> Table | Group:
        q = analysis.scenario.query + 1
        current = self._progress.reads(SCORES, NORMALISATION) if self._progress else None
        table = per_token_table()
        rows = self.rows(analysis, current)
        scores = revealed_values(analysis.query.scores.tolist(), self.known(analysis).scores, rows)
        tokens = analysis.scenario.tokens
        for i in rows:
            # Text: a label is never parsed as markup (a token may be called "[/]").
            table.add_row(f"ω{subscript_pair(q, i + 1)}", Text(tokens[i]), scores[i], style=row_style(analysis, i, current))
        return with_note(fixed_widths(table), rows, len(tokens))


class WeightsPanel(Panel):
    """α_qi = softmax(ω_q)_i for every token i, with a bar scaled to the largest weight."""

    DEFAULT_TITLE = "Weights"
    PANEL_ID = "weights"
    LISTS_TOKENS = True
    COMPONENT_CLASSES = {"weights-panel--bar"}

    comparing: bool = False
    """Show the three normalisations side by side instead of the weights with bars."""

    def compare(self, on: bool) -> None:
        """Switch between the weights with bars and the three normalisations side by side."""
        self.comparing = on
        if self._analysis is not None:
            self.show(self._analysis, self._progress)

    def title_for(self, analysis: Analysis) -> str:
        if self.comparing:
            return "Weights  ω/Σω · naive · torch.softmax"
        return f"Weights  {weight_formula(analysis.scenario.query + 1)}"

    def render_body(self, analysis: Analysis) -> Table | Group:
        body = self._comparison(analysis) if self.comparing else self._weights(analysis)
        notes = []
        if self.comparing and not analysis.query.sum_normalised.isfinite().all() and self.known(analysis).weights:
            # Why the first column is NaN, as the overflow note says why the naive one is.
            notes.append(Text(ZERO_SUM_NOTE, style="italic"))
        if analysis.query.naive_overflowed and self.known(analysis).exp_scores:
            notes.append(Text(OVERFLOW_NOTE, style="italic"))
        return Group(body, *notes) if notes else body

    def _weights(self, analysis: Analysis) -> Table | Group:
        q = analysis.scenario.query + 1
        n = analysis.scenario.n_tokens
        known = self.known(analysis)
        weights = analysis.query.weights.tolist()
        largest = max(weights)
        bar_style = self.get_component_rich_style("weights-panel--bar")
        walking = self._progress is not None
        current = self._progress.reads(NORMALISATION, CONTEXT) if walking else None
        # symbol + token + value take about 24 cells (a walk's exp column 11 more); the bar gets the
        # rest, at most (see with_bars).
        width = self.scrollable_content_region.width
        bar_width = max(4 if walking else BAR_WIDTH, width - (37 if walking else 26))
        # A walk computes exp ω before α: it gets a column of its own, left of α.
        table = per_token_table()
        if walking:
            table.add_column(justify="right", no_wrap=True)  # α
        table.add_column(no_wrap=True)  # bar
        if walking:
            table.add_row("", "", "exp ω", "α", "", style="italic")
        rows = self.rows(analysis, current)
        shown = revealed_values(weights, known.weights, rows)
        exps = revealed_values(analysis.query.exp_scores.tolist(), known.exp_scores, rows) if walking else {}
        bars: dict[int, float] = {}
        for i in rows:
            bars[table.row_count] = weights[i] / largest if largest > 0 and i < known.weights else 0.0
            table.add_row(
                f"α{subscript_pair(q, i + 1)}",
                Text(analysis.scenario.tokens[i]),
                *([exps[i]] if walking else []),
                shown[i],
                "",  # the bar (with_bars)
                style=row_style(analysis, i, current),
            )
        total = unless_known(format_number(sum(weights)), known.weights == n)
        exp_sum = [unless_known(format_number(float(analysis.query.exp_sum)), known.exp_sum)] if walking else []
        table.add_row("Σ", "", *exp_sum, total, "")
        return with_note(with_bars(table, bars, bar_width, width, bar_style), rows, n)

    def _comparison(self, analysis: Analysis) -> Table | Group:
        """Divide-by-sum, the seed's softmax_naive and torch.softmax, with each column's sum."""
        q = analysis.scenario.query + 1
        count = self.known(analysis).weights
        result = analysis.query
        columns = [result.sum_normalised.tolist(), result.naive_weights.tolist(), result.weights.tolist()]
        table = per_token_table()
        for _ in range(2):
            table.add_column(justify="right", no_wrap=True)
        table.add_row("", "", "ω/Σω", "naive", "torch", style="italic")
        rows = self.rows(analysis)
        shown = [revealed_values(column, count, rows) for column in columns]
        for i in rows:
            token = Text(analysis.scenario.tokens[i])
            table.add_row(f"α{subscript_pair(q, i + 1)}", token, *(column[i] for column in shown), style=row_style(analysis, i))
        n = analysis.scenario.n_tokens
        table.add_row("Σ", "", *(unless_known(format_number(sum(column)), count == n) for column in columns))
        return with_note(fixed_widths(table), rows, n)


class VectorPanel(Panel):
    """A panel showing one long vector (a context vector) as wrapped text.

    A long vector scrolls inside the panel (the app gives it the rows the other panels leave); the
    border then counts the values out of sight, so a cut vector never looks whole. Subclasses
    return :meth:`_measured` text from ``render_body``.
    """

    needed_lines: int = 1
    """Lines the whole vector takes at the panel's width, as last shown."""

    _lines: tuple[str, ...] = ()
    """The vector's text as wrapped at the panel's width."""

    # The vector was wrapped once, by render_body, at the width show measures at: 768 values take
    # milliseconds to wrap, and shape and lines would wrap them twice more on every key.
    def shape(self, body: object, width: int) -> object:
        return ("text", self.needed_lines)

    def lines(self, body: object, width: int) -> int:
        return self.needed_lines

    def _measured(self, body: Text) -> Text:
        width = self.scrollable_content_region.width
        self._lines = tuple(line.plain for line in body.wrap(self.app.console, width)) if width > 0 else (body.plain,)
        self.needed_lines = len(self._lines)
        self.call_later(self._count_hidden)  # once the new height is laid out
        return body

    def _count_hidden(self) -> None:
        visible = self.scrollable_content_region.height
        top = round(self.scroll_y)
        above = sum(len(NUMBER.findall(line)) for line in self._lines[:top])
        below = sum(len(NUMBER.findall(line)) for line in self._lines[top + visible :])
        subtitle = f"… ({below} more) · Tab, ↓ scrolls" if below else ""
        if above and visible:
            subtitle = f"{above} above ↑ · {subtitle or 'end'}"
        self.set_subtitle(subtitle)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._count_hidden()

    def on_resize(self) -> None:
        super().on_resize()
        self._count_hidden()


class ContextPanel(VectorPanel):
    """z⁽q⁾ = Σ_i α_qi x⁽ⁱ⁾, one value per dimension."""

    DEFAULT_TITLE = "Context"
    PANEL_ID = "context"

    def title_for(self, analysis: Analysis) -> str:
        return f"Context  {context_formula(analysis.scenario.query + 1)}"

    def render_body(self, analysis: Analysis) -> Text:
        if self._progress is None:
            return self._measured(Text(format_vector(analysis.query.context.tolist())))
        added = self._progress.known.context_terms
        n = analysis.scenario.n_tokens
        if not added:
            return self._measured(Text(f"[{NOT_YET}]  (0 of {n} terms)"))
        running = format_vector(analysis.query.running_context[added - 1].tolist())
        return self._measured(Text(f"{running}  ({added} of {n} terms)", style="bold" if added == n else ""))
