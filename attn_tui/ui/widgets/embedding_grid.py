"""The grid: one matrix, spreadsheet-style — the embeddings (one row per token, its label then one
column per dimension) or one of a mechanism's weight matrices (see :mod:`.grid_matrix`).

Editing happens inside the grid, in the cell itself. Keeping the keys in one widget keeps them in
order: a fast typist's "0.5⏎" must not race a focus change to a separate input box.

The grid draws itself line by line (Textual's Line API): only the rows and columns on screen are
ever formatted, and an edit repaints one line. A 512×768 matrix costs what a 6×3 one does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Callable, Iterable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from attn_tui.core.formatting import format_number
from attn_tui.ui.messages import EditCancelled, EditStarted, EditSubmitted
from attn_tui.core.graphemes import clip
from attn_tui.ui.widgets.direct_lines import DirectLines
from attn_tui.ui.widgets.grid_matrix import GridMatrix

LABEL_COLUMN = 0
"""Grid column 0 holds the token labels; dimension k lives in grid column k + 1."""

QUERY_MARK = "▶ "
"""Marks the query row without colour, so it stays visible under NO_COLOR."""

EDIT_START_CHARACTERS = frozenset("0123456789-.+")
"""Typing one of these on a number starts an edit that replaces the value."""

MAX_LABEL_WIDTH = 20
"""Longer labels are cut (with …) so a long name cannot push the numbers off screen."""
PADDING = 1
"""Blank cells on each side of every cell's text."""
HEADER_HEIGHT = 1


@dataclass(frozen=True)
class CellEdit:
    """Text being typed into one cell, with the caret position.

    Pre-filled text starts ``selected``, as in a spreadsheet: typing replaces it, a move keeps it.
    The operations are plain line editing, the same for a label or a number of any matrix.
    """

    row: int
    column: int
    text: str
    caret: int
    selected: bool = False

    def insert(self, characters: str) -> CellEdit:
        if self.selected:
            return replace(self, text=characters, caret=len(characters), selected=False)
        text = self.text[: self.caret] + characters + self.text[self.caret :]
        return replace(self, text=text, caret=self.caret + len(characters))

    def backspace(self) -> CellEdit:
        if self.selected:
            return self.clear()
        if self.caret == 0:
            return self
        return replace(self, text=self.text[: self.caret - 1] + self.text[self.caret :], caret=self.caret - 1)

    def delete(self) -> CellEdit:
        if self.selected:
            return self.clear()
        return replace(self, text=self.text[: self.caret] + self.text[self.caret + 1 :])

    def clear(self) -> CellEdit:
        return replace(self, text="", caret=0, selected=False)

    def delete_to_start(self) -> CellEdit:
        """Ctrl+U: everything before the caret (all of a selected text)."""
        if self.selected:
            return self.clear()
        return replace(self, text=self.text[self.caret :], caret=0)

    def delete_to_end(self) -> CellEdit:
        """Ctrl+K: everything from the caret on."""
        if self.selected:
            return self.clear()
        return replace(self, text=self.text[: self.caret])

    def delete_word(self) -> CellEdit:
        """Ctrl+W: the word before the caret, and the spaces after it."""
        if self.selected:
            return self.clear()
        before = self.text[: self.caret].rstrip()
        start = len(before) - len(before.split(" ")[-1]) if before else 0
        return replace(self, text=self.text[:start] + self.text[self.caret :], caret=start)

    def move(self, caret: int) -> CellEdit:
        return replace(self, caret=max(0, min(len(self.text), caret)), selected=False)

    def render(self, style: str | Style) -> Text:
        after = self.text[self.caret :]
        text = Text(self.text[: self.caret], style=style)
        text.append(after[:1] or " ", style="reverse")
        text.append(after[1:])
        return text


LINE_EDIT_KEYS: dict[str, Callable[[CellEdit], CellEdit]] = {
    "backspace": CellEdit.backspace,
    "delete": CellEdit.delete,
    "left": lambda edit: edit.move(edit.caret - 1),
    "right": lambda edit: edit.move(edit.caret + (0 if edit.selected else 1)),
    "home": lambda edit: edit.move(0),
    "ctrl+a": lambda edit: edit.move(0),
    "end": lambda edit: edit.move(len(edit.text)),
    "ctrl+e": lambda edit: edit.move(len(edit.text)),
    "ctrl+u": CellEdit.delete_to_start,
    "ctrl+k": CellEdit.delete_to_end,
    "ctrl+w": CellEdit.delete_word,
}
"""The usual line-editing keys inside a cell (readline's, as in a shell)."""


class EmbeddingGrid(DirectLines, ScrollView, can_focus=True):
    """A matrix (the embeddings or a weight matrix), spreadsheet-style, with a fixed header row and
    label column.

    It edits only its own text: on Enter it posts :class:`EditSubmitted`, and the app decides.
    """

    DEFAULT_CSS = """
    EmbeddingGrid {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;

        & > .embedding-grid--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .embedding-grid--label {
            background: $secondary-muted;
            color: $foreground;
        }
        & > .embedding-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .embedding-grid--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False, id="grid.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="grid.cursor_down"),
        Binding("left", "cursor_left", "Left", show=False, id="grid.cursor_left"),
        Binding("right", "cursor_right", "Right", show=False, id="grid.cursor_right"),
        Binding("h", "cursor_left", "Left", show=False, id="grid.left"),
        Binding("j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("k", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("l", "cursor_right", "Right", show=False, id="grid.right"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="grid.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="grid.page_down"),
        Binding("home", "first_column", "First column", show=False, id="grid.home"),
        Binding("end", "last_column", "Last column", show=False, id="grid.end"),
        Binding("ctrl+home", "first_row", "First row", show=False, id="grid.top"),
        Binding("ctrl+end", "last_row", "Last row", show=False, id="grid.bottom"),
        # Not in the footer (no room at 80 columns beside the mechanism keys): the grid's bottom
        # border says "⏎ edit" instead (see AttnApp.show_grid), and the help lists it.
        Binding("enter", "enter_cell", "Edit", show=False, id="grid.edit"),
        # on_key does the work; these name the keys for the command palette and the help screen.
        Binding("enter", "commit_edit", "Commit", show=False, id="grid.commit"),
        Binding("escape", "cancel_edit", "Cancel edit", show=False, id="grid.cancel"),
        # The grid's own key, run in on_key like the cursor keys: "g 9 ⏎" typed in one burst
        # must edit the next matrix, not the one shown before "g" was handled.
        Binding("g", "next_matrix", "Grid: show the next matrix (X, W_q, W_k, W_v …)", show=False, id="grid.next_matrix"),
    ]

    EDIT_KEYS = [
        Binding("enter", "", "Commit the edit (refused unless a finite number)"),
        Binding("escape", "", "Cancel the edit"),
        Binding("0-9,-,.", "", "Replace the pre-filled (selected) value"),
        Binding("left,right,home,end", "", "Move the caret (Ctrl+A / Ctrl+E: start / end)"),
        Binding("backspace,delete", "", "Delete a character (the selection: all)"),
        Binding("ctrl+u,ctrl+k", "", "Delete to the start / to the end"),
        Binding("ctrl+w", "", "Delete the word before the caret"),
    ]
    """Keys the grid handles itself while a cell is being edited (listed in the help screen)."""

    COMPONENT_CLASSES = {
        "embedding-grid--header",
        "embedding-grid--label",
        "embedding-grid--cursor",
        "embedding-grid--query",
        "embedding-grid--editing",
        "embedding-grid--highlight",
    }

    min_column_width: int = 0
    """Each dimension's column is at least this wide (numbers right-aligned): a large terminal
    spreads them out (see set_spacing)."""

    max_label_width: int = MAX_LABEL_WIDTH
    """Longer labels are cut with …."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: GridMatrix | None = None
        self._edit: CellEdit | None = None
        self._committed: CellEdit | None = None
        """A number just committed: its cell shows the typed text until the app shows the new
        value, so that no frame shows the old value in between."""
        self._highlight: frozenset[tuple[int, int]] = frozenset()
        self._cursor = Coordinate(0, 1)
        self._label_width = 0
        self._widths: list[int] = []
        """Cell width of each dimension's column, padding included."""
        self._offsets: list[int] = [0]
        """x of each dimension's column from the first one's left edge; one more entry at the end."""
        self._room: int | None = None
        """Rows the app gives the grid at most, borders included (see :meth:`fit_to`)."""

    # --- showing a matrix ---

    def show(self, matrix: GridMatrix) -> None:
        """Render ``matrix``, repainting only the lines that changed."""
        shown = self._shown
        self._shown = matrix
        committed, self._committed = self._committed, None
        if shown is None or shown.name != matrix.name or shown.n_columns != matrix.n_columns or shown.n_rows != matrix.n_rows:
            self._edit = None
            self._measure_all(matrix)
            self._move_cursor(self._cursor)
            self.refresh(layout=True)  # width and height are auto: a new shape needs a new layout
            return
        changed_rows = {shown.marked_row, matrix.marked_row} if shown.marked_row != matrix.marked_row else set()
        if committed is not None:
            changed_rows.add(committed.row)
        relayout = False
        if shown.row_labels is not matrix.row_labels and shown.row_labels != matrix.row_labels:
            changed_rows.update(row for row, (a, b) in enumerate(zip(shown.row_labels, matrix.row_labels)) if a != b)
            relayout = self._measure_labels(matrix)
        elif changed_rows:
            relayout = self._measure_labels(matrix)  # the query mark moved
        for row in range(matrix.n_rows):
            # Scenario updates share unchanged rows, so identity skips them in O(1).
            old, new = shown.rows[row], matrix.rows[row]
            if old is not new and old != new:
                changed_rows.add(row)
                for dim, (before, after) in enumerate(zip(old, new)):
                    if before != after:
                        relayout |= self._measure_column(matrix, dim, after)
        if relayout:
            self._update_virtual_size()
            self.refresh(layout=True)
        else:
            for row in changed_rows:
                self._refresh_row(row)

    def fit_to(self, rows: int) -> None:
        """Take at most ``rows`` rows, borders included; fewer if the numbers need fewer (the
        height is auto), and past the room they scroll."""
        self._room = rows
        self._cap_height()

    def _cap_height(self) -> None:
        if self._room is None:
            return
        # Capped at what the numbers need as well: while the grid has rows to spare, a change of
        # room (a walk's step a line longer) leaves the cap as it was and asks for no new layout.
        # The scroll bar's row is counted whether it shows or not: a cap a row too high cuts nothing.
        needed = self.virtual_size.height + self.styles.gutter.height + self.styles.scrollbar_size_horizontal
        self.styles.max_height = min(self._room, needed)

    def set_spacing(self, min_column_width: int, max_label_width: int) -> None:
        """Wider columns and longer labels, or back: the app sets them from the terminal's width."""
        if (min_column_width, max_label_width) == (self.min_column_width, self.max_label_width):
            return
        self.min_column_width, self.max_label_width = min_column_width, max_label_width
        if self._shown is not None:
            self._measure_all(self._shown)
            self.refresh(layout=True)

    def set_highlight(self, cells: Iterable[tuple[int, int]]) -> None:
        """Emphasise these (token, dimension) cells, 0-based, e.g. the ones a walkthrough step reads.

        An empty iterable clears the emphasis.
        """
        cells = frozenset(cells)
        changed = cells ^ self._highlight
        self._highlight = cells
        for row in {token for token, _ in changed}:
            self._refresh_row(row)

    def get_cell_at(self, coordinate: Coordinate) -> Text:
        """The cell's text and style (without the cursor), as it is drawn."""
        row, column = coordinate
        text, style = self._cell(row, column)
        if isinstance(text, Text):
            return text
        return Text(text.strip(), style=style)

    # --- geometry ---

    def _measure_all(self, matrix: GridMatrix) -> None:
        self._widths = [self._column_width(matrix, dim) for dim in range(matrix.n_columns)]
        self._measure_labels(matrix)
        self._update_virtual_size()

    def _measure_column(self, matrix: GridMatrix, dim: int, value: float | None = None) -> bool:
        """Fit column ``dim`` after ``value`` was written into it (None: measure every value);
        True if its width changed."""
        width = self._widths[dim]
        needed = len(format_number(value)) + 2 * PADDING if value is not None else 0
        if needed > width:
            self._widths[dim] = needed
        elif needed < width:
            # Maybe the widest number was replaced: measure the column again (one column, not the grid).
            self._widths[dim] = self._column_width(matrix, dim)
        return self._widths[dim] != width

    def _column_width(self, matrix: GridMatrix, dim: int) -> int:
        widest = max(len(format_number(row[dim])) for row in matrix.rows)
        return max(self.min_column_width, max(len(matrix.column_header(dim)), widest) + 2 * PADDING)

    def _measure_labels(self, matrix: GridMatrix) -> bool:
        width = max(cell_len(matrix.corner), max(cell_len(QUERY_MARK + label) for label in matrix.row_labels))
        width = min(width, self.max_label_width) + 2 * PADDING
        changed = width != self._label_width
        self._label_width = width
        return changed

    def _update_virtual_size(self) -> None:
        self._offsets = [0, *accumulate(self._widths)]
        n_tokens = self._shown.n_rows if self._shown else 0
        self.virtual_size = Size(self._label_width + self._offsets[-1], n_tokens + HEADER_HEIGHT)
        self._cap_height()

    def _refresh_row(self, row: int) -> None:
        y = row + HEADER_HEIGHT - round(self.scroll_y)
        if HEADER_HEIGHT <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _column_at(self, x: int) -> int:
        """The grid column under screen column ``x`` (content coordinates)."""
        if x < self._label_width:
            return LABEL_COLUMN
        dim = bisect_right(self._offsets, x - self._label_width + round(self.scroll_x)) - 1
        return min(dim, len(self._widths) - 1) + 1

    # --- drawing ---

    def _cell(self, row: int, column: int) -> tuple[str | Text, Style]:
        """The text of one cell (padded to its width) and its style, cursor aside."""
        matrix = self._shown
        assert matrix is not None
        is_query = row == matrix.marked_row
        style = self.get_component_rich_style("embedding-grid--query", partial=True) if is_query else Style()
        edit = self._edit
        if edit is not None and (edit.row, edit.column) == (row, column):
            return edit.render(style + self.get_component_rich_style("embedding-grid--editing", partial=True)), style
        if column == LABEL_COLUMN:
            mark = QUERY_MARK if is_query else " " * len(QUERY_MARK)
            label = clip(mark + matrix.row_labels[row], self._label_width - 2 * PADDING)
            return " " + label + " " * (self._label_width - cell_len(label) - PADDING), style
        if (row, column - 1) in self._highlight:
            style += self.get_component_rich_style("embedding-grid--highlight", partial=True)
        width = self._widths[column - 1] - 2 * PADDING
        committed = self._committed
        if committed is not None and (committed.row, committed.column) == (row, column) and len(committed.text.strip()) <= width:
            return " " + committed.text.strip().rjust(width) + " ", style
        return " " + format_number(matrix.rows[row][column - 1]).rjust(width) + " ", style

    def _cell_segments(self, row: int, column: int, base: Style, width: int) -> list[Segment]:
        text, style = self._cell(row, column)
        if (row, column) == tuple(self._cursor):
            style = style + self.get_component_rich_style("embedding-grid--cursor")
        edit = self._edit
        if edit is None or (edit.row, edit.column) != (row, column):
            return [Segment(text, base + style)]
        # An edit in progress: the text with its caret, scrolled so the caret stays in the cell.
        style = base + style + self.get_component_rich_style("embedding-grid--editing", partial=True)
        room = width - 2 * PADDING
        typed = edit.text + " "  # the caret may sit after the last character
        start = max(0, edit.caret - room + 1)
        visible = typed[start : start + room]
        caret = edit.caret - start
        pad = room - len(visible)
        before, after = (" " * (PADDING + pad), " " * PADDING) if column != LABEL_COLUMN else (" " * PADDING, " " * (PADDING + pad))
        if edit.selected:  # pre-filled: shown from its start, reversed, as a selection typing replaces
            shown = clip(edit.text, room)
            pad = room - cell_len(shown)
            lead, trail = (pad, 0) if column != LABEL_COLUMN else (0, pad)
            return [
                Segment(" " * (PADDING + lead), style),
                Segment(shown, style + Style(reverse=True)),
                Segment(" " * (PADDING + trail), style),
            ]
        return [
            Segment(before + visible[:caret], style),
            Segment(visible[caret : caret + 1], style + Style(reverse=True)),
            Segment(visible[caret + 1 :] + after, style),
        ]

    def render_line(self, y: int) -> Strip:
        matrix = self._shown
        width = self.size.width
        base = self.rich_style
        if matrix is None:
            return Strip.blank(width, base)
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        numbers_width = max(0, width - self._label_width)
        first = max(0, bisect_right(self._offsets, scroll_x) - 1)
        if y < HEADER_HEIGHT:
            header = self.get_component_rich_style("embedding-grid--header")
            label = [Segment(" " + matrix.corner.ljust(self._label_width - PADDING), header)]
            cells = []
            for dim in range(first, len(self._widths)):
                if self._offsets[dim] >= scroll_x + numbers_width:
                    break
                cells.append(Segment(" " + matrix.column_header(dim).rjust(self._widths[dim] - 2 * PADDING) + " ", header))
        else:
            row = y - HEADER_HEIGHT + scroll_y
            if row >= matrix.n_rows:
                return Strip.blank(width, base)
            label_base = base + self.get_component_rich_style("embedding-grid--label", partial=True)
            label = self._cell_segments(row, LABEL_COLUMN, label_base, self._label_width)
            cells = []
            for dim in range(first, len(self._widths)):
                if self._offsets[dim] >= scroll_x + numbers_width:
                    break
                cells.extend(self._cell_segments(row, dim + 1, base, self._widths[dim]))
        start = scroll_x - self._offsets[first] if first < len(self._widths) else 0
        numbers = Strip(cells).crop(start, start + numbers_width)
        strip = Strip.join([Strip(label).crop(0, width), numbers])
        return strip.extend_cell_length(width, base)

    # --- the cursor ---

    @property
    def cursor_coordinate(self) -> Coordinate:
        """(row, column) of the cursor; column 0 is the token label."""
        return self._cursor

    @cursor_coordinate.setter
    def cursor_coordinate(self, coordinate: Coordinate) -> None:
        self._move_cursor(Coordinate(*coordinate))

    @property
    def cursor_row(self) -> int:
        return self._cursor.row

    @property
    def cursor_column(self) -> int:
        return self._cursor.column

    def _move_cursor(self, coordinate: Coordinate) -> None:
        matrix = self._shown
        if matrix is not None:
            row = max(0, min(coordinate.row, matrix.n_rows - 1))
            column = max(0, min(coordinate.column, matrix.n_columns))
            coordinate = Coordinate(row, column)
        old, self._cursor = self._cursor, coordinate
        if old.row != coordinate.row:
            self._refresh_row(old.row)
        self._scroll_cursor_into_view()
        self._refresh_row(coordinate.row)

    def _scroll_cursor_into_view(self) -> None:
        if self._shown is None:
            return
        width, height = self.scrollable_content_region.size
        if not width or not height:
            # Not laid out yet, or hidden (a too small terminal, the narrow matrix view): on_resize
            # scrolls once the grid has its size. Asking again after every refresh instead kept the
            # app busy, never idle, for as long as the grid stayed hidden.
            return
        row, column = self._cursor
        x, y = round(self.scroll_x), round(self.scroll_y)
        visible_rows = max(1, height - HEADER_HEIGHT)
        if row < y:
            y = row
        elif row >= y + visible_rows:
            y = row - visible_rows + 1
        if column != LABEL_COLUMN:
            numbers_width = max(1, width - self._label_width)
            left, right = self._offsets[column - 1], self._offsets[column]
            if left < x:
                x = left
            elif right > x + numbers_width:
                # Scroll to a column's left edge, so the first column shown is whole.
                x = self._offsets[min(column - 1, bisect_left(self._offsets, right - numbers_width))]
        if (x, y) != (round(self.scroll_x), round(self.scroll_y)):
            self.scroll_to(x, y, animate=False, force=True, immediate=True)

    def on_resize(self) -> None:
        # The cursor's row always shows: after a move made while hidden, and when the grid gets
        # shorter (the rows under it change with the message, the query bar, a walk).
        self._scroll_cursor_into_view()

    def action_cursor_up(self) -> None:
        self._move_cursor(Coordinate(self._cursor.row - 1, self._cursor.column))

    def action_cursor_down(self) -> None:
        self._move_cursor(Coordinate(self._cursor.row + 1, self._cursor.column))

    def action_cursor_left(self) -> None:
        self._move_cursor(Coordinate(self._cursor.row, self._cursor.column - 1))

    def action_cursor_right(self) -> None:
        self._move_cursor(Coordinate(self._cursor.row, self._cursor.column + 1))

    def action_page(self, direction: int) -> None:
        rows = max(1, self.scrollable_content_region.height - HEADER_HEIGHT)
        self._move_cursor(Coordinate(self._cursor.row + direction * rows, self._cursor.column))

    def action_first_column(self) -> None:
        self._move_cursor(Coordinate(self._cursor.row, LABEL_COLUMN))

    def action_last_column(self) -> None:
        self._move_cursor(Coordinate(self._cursor.row, len(self._widths)))

    def action_first_row(self) -> None:
        self._move_cursor(Coordinate(0, self._cursor.column))

    def action_last_row(self) -> None:
        self._move_cursor(Coordinate(self._shown.n_rows - 1 if self._shown else 0, self._cursor.column))

    # --- editing ---

    @property
    def editing(self) -> CellEdit | None:
        """The edit in progress, if any."""
        return self._edit

    def start_edit(self, row: int, column: int, text: str | None = None, *, quietly: bool = False) -> None:
        """Edit a cell; ``text`` replaces its value, or None pre-fills the current one.

        ``quietly`` skips the :class:`EditStarted` message (the app re-opening a refused edit).
        """
        matrix = self._shown
        if matrix is None or not (0 <= row < matrix.n_rows and 0 <= column <= matrix.n_columns):
            return
        self.cancel_edit(quietly=True)
        if column == LABEL_COLUMN and not matrix.labels_editable:
            return  # a weight matrix's rows are named after the input dimensions
        prefilled = text is None
        if text is None:
            text = matrix.row_labels[row] if column == LABEL_COLUMN else repr(matrix.rows[row][column - 1])
        self._move_cursor(Coordinate(row, column))
        self._set_edit(CellEdit(row, column, text, len(text), selected=prefilled))
        if not quietly:
            self.post_message(EditStarted(matrix, row, column))

    def cancel_edit(self, *, quietly: bool = False) -> None:
        edit = self._edit
        if edit is None:
            return
        self._set_edit(None, edit)
        if not quietly:
            self.post_message(EditCancelled())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("commit_edit", "cancel_edit"):
            return self._edit is not None
        if action == "start_edit":
            return self._edit is None
        return True

    def action_start_edit(self) -> None:
        self.start_edit(self.cursor_row, self.cursor_column)

    def action_enter_cell(self) -> None:
        """Enter: edit the cell under the cursor, or commit the edit in progress."""
        if self._edit is None:
            self.action_start_edit()
        else:
            self._commit_edit()

    def action_commit_edit(self) -> None:
        if self._edit is not None:
            self._commit_edit()

    def action_cancel_edit(self) -> None:
        self.cancel_edit()

    def action_next_matrix(self) -> None:
        """Show the next of the mechanism's matrices; the app knows which they are."""
        self.app.action_next_grid_matrix()  # type: ignore[attr-defined]

    def _set_edit(self, edit: CellEdit | None, previous: CellEdit | None = None, *, committed: bool = False) -> None:
        """Open ``edit`` or (None) close ``previous``; a ``committed`` edit's row is left as typed
        until the app shows the new value (see `_committed`)."""
        previous = previous or self._edit
        self._edit = edit
        if self._committed is not None:  # superseded: its cell shows the matrix again
            self._refresh_row(self._committed.row)
            self._committed = None
        # The column keeps its width: a long number scrolls inside its cell (see _cell_segments)
        # rather than pushing the next columns and the panels' titles off screen.
        if committed and previous is not None and previous.column != LABEL_COLUMN:
            # Not repainted now: the next `show` paints the new value over the typed one.
            self._committed = previous
            return
        cell = edit or previous
        if cell is not None:
            self._refresh_row(cell.row)

    def _commit_edit(self) -> None:
        edit = self._edit
        assert edit is not None
        # Leave edit mode now so later keys act on the grid; the app re-opens the edit if it refuses.
        self._set_edit(None, edit, committed=True)
        self.post_message(EditSubmitted(self._shown, edit.row, edit.column, edit.text))

    def on_key(self, event: events.Key) -> None:
        # Every key is handled here, synchronously, rather than by bindings: a binding runs later,
        # in the app's queue, so a burst like "↓5⏎" (pasted, or over a slow SSH link) would edit
        # the cell before the cursor moved.
        edit = self._edit
        key = event.key
        if edit is None:
            if key == "enter":
                self.start_edit(self.cursor_row, self.cursor_column)
            elif event.character in EDIT_START_CHARACTERS and self.cursor_column != LABEL_COLUMN:
                self.start_edit(self.cursor_row, self.cursor_column, event.character)
            elif not self._run_own_binding(key):
                return
        elif key == "enter":
            self._commit_edit()
        elif key == "escape":
            self.cancel_edit()
        elif key in LINE_EDIT_KEYS:
            self._set_edit(LINE_EDIT_KEYS[key](edit))
        elif event.is_printable and event.character:
            self._set_edit(edit.insert(event.character))
        else:
            return  # other keys (F1, Ctrl+…) keep their usual meaning
        event.stop()
        event.prevent_default()

    def _run_own_binding(self, key: str) -> bool:
        """Run this grid's binding for ``key`` (cursor moves, scrolling) now; False if it has none."""
        for binding in self._bindings.key_to_bindings.get(key, ()):
            name, _, argument = binding.action.partition("(")
            action = getattr(self, f"action_{name}", None)
            # A disabled binding (Escape with no edit open) leaves the key to the app.
            if action is not None and self.check_action(name, ()):
                try:
                    action(*([int(argument.rstrip(")"))] if argument else []))
                except SkipAction:  # e.g. ScrollView's page_right with nothing to scroll
                    return False
                return True
        return False

    def on_paste(self, event: events.Paste) -> None:
        if self._edit is not None:
            event.stop()
            self._set_edit(self._edit.insert(event.text.replace("\n", " ").strip()))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self._shown is None or offset.y < HEADER_HEIGHT:
            return
        row = offset.y - HEADER_HEIGHT + round(self.scroll_y)
        if row >= self._shown.n_rows:
            return
        event.stop()
        coordinate = Coordinate(row, self._column_at(offset.x))
        if coordinate == self._cursor and self._edit is None:
            self.start_edit(*coordinate)  # a click on the cell under the cursor edits it, as Enter does
        else:
            self._move_cursor(coordinate)
