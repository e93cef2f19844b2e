"""Send the terminal only the cells that changed, in as few bytes as we can.

Textual repaints whole widget lines: a new score repaints every line of its panel, borders
included, and over SSH each key press then costs kilobytes. :class:`ScreenDiff` remembers what the
terminal shows and turns each of Textual's updates into cursor moves plus the changed cells only.

Colour codes and cursor moves cost more than the characters (a 24-bit colour is 16 bytes, a jump
1 to 8), so how the changed cells are written is a small optimisation:

- between two changes on a line, the unchanged cells are written again when that is cheaper
  than jumping over them;
- every jump takes the shortest of the absolute (CUP) and relative moves (CR, backspace,
  CUU/CUD/CUF/CUB, CHA to a column, VPA to a line);
- a change of look sends only the SGR parameters that differ (or a reset when that is shorter);
- the pieces are written line by line, grouped by look, or each time the cheapest piece to reach
  next (move plus colour change), whichever comes out shortest.

Every frame ends with the attributes reset, so nothing else Textual writes inherits a colour.

Text is kept as Rich's graphemes (``clusters``), the widths Textual lays out with. Where a
terminal may count a grapheme's columns differently (marks, conjuncts, ZWJ emoji, variation
selectors), the writer never relies on that width: it erases the grapheme's cells first (in case
the terminal draws it narrower), moves the cursor to an absolute column after it, and writes
again the cells it could spill into (in case the terminal draws it wider), with autowrap off
where the spill could reach the right edge. So a label in any script never shifts the numbers
and borders after it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, NamedTuple

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import COLOR_SYSTEMS, Console
from rich.segment import ControlType, Segment
from rich.style import Style
from attn_tui.terminal.textual_internals import CompositorUpdate
from textual.strip import Strip

from attn_tui.terminal.clusters import may_disagree, terminal_cells

Cell = tuple[str, "Style | None"]
UNKNOWN: Cell = ("\0", None)
"""What the terminal shows before the first frame: equal to no real cell."""
WIDE_TAIL = ""
"""The second column of a double-width character."""


class DiffUpdate(CompositorUpdate):
    """Already-rendered terminal output (cursor moves and changed cells)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console, options):  # pragma: no cover - the app renders via render_segments
        yield Segment(self.text)

    def render_segments(self, console: Console) -> str:
        return self.text


Attributes = tuple[frozenset[str], "str | None", "str | None"]
"""A cell's look as SGR codes: (text attributes, foreground, background)."""
PLAIN: Attributes = (frozenset(), None, None)
LINK: Attributes = (frozenset({"link"}), None, None)
"""Stands for any hyperlinked style: written by Textual's own renderer, and never equal to the terminal's state."""


class Piece(NamedTuple):
    """Cells to write in one go: one line, one look."""

    y: int
    start: int
    end: int
    """One past the last column written."""
    look: Attributes
    text: str
    style: Style | None
    uncertain: bool = False
    """One grapheme a terminal may draw in another number of columns (see :func:`may_disagree`)."""


def _spill(x: int, text: str) -> int:
    """One past the last column a terminal could fill drawing ``text`` at ``x``: two per code point."""
    return x + 2 * len(text)


class ScreenDiff:
    """What the terminal shows, cell by cell, to send only differences."""

    def __init__(self) -> None:
        self._cells: list[list[Cell]] = []
        self._width = 0

    def reset(self) -> None:
        self._cells = []
        self._width = 0

    def diff(self, update: CompositorUpdate, console: Console, width: int, height: int) -> DiffUpdate:
        whole_screen = (width, height) != (self._width, len(self._cells))
        if whole_screen:
            self._cells = [[UNKNOWN] * width for _ in range(height)]
            self._width = width
        changed: dict[int, set[int]] = {}
        last: tuple[int, int, int, Cell] | None = None  # the last grapheme drawn: y, x, end, what the cell held
        for x, y, segment in _placements(update, console):
            if not 0 <= y < height:
                continue
            row = self._cells[y]
            style = segment.style
            layout = _column_texts(segment.text)
            if layout is not None and 0 <= x and x + len(layout.texts) <= width:
                # The usual segment, whole on screen and without marks to join to the cell before:
                # compared in one go (most of a repainted line is unchanged), cell by cell if not.
                end = x + len(layout.texts)
                cells = [(text, style) for text in layout.texts]
                last_x = x + layout.last_start
                last = (y, last_x, end, row[last_x])
                if row[x:end] != cells:
                    changed_here = changed.setdefault(y, set())
                    for column, cell in enumerate(cells, x):
                        if row[column] != cell:
                            row[column] = cell
                            changed_here.add(column)
                continue
            for grapheme, columns in terminal_cells(segment.text):
                if columns == 0:
                    # Marks split from their character by a change of style join its cell, if this
                    # update just drew it: else the terminal's cell holds them already (joining them
                    # again would grow the cell by one mark per frame).
                    if last is not None and last[0] == y and last[2] == x:
                        x_base, held = last[1], last[3]
                        row[x_base] = (row[x_base][0] + grapheme, row[x_base][1])
                        if row[x_base] == held:  # drawn again as it was
                            changed[y].discard(x_base)
                            if not changed[y]:
                                del changed[y]
                        else:
                            changed.setdefault(y, set()).add(x_base)
                    continue
                if 0 <= x < width:
                    cell = (grapheme, style)
                    last = (y, x, x + columns, row[x])
                    if row[x] != cell:
                        row[x] = cell
                        changed.setdefault(y, set()).add(x)
                else:
                    last = None
                x += 1
                for _ in range(columns - 1):
                    tail = (WIDE_TAIL, style)
                    if 0 <= x < width and row[x] != tail:
                        row[x] = tail
                        changed.setdefault(y, set()).add(x)
                    x += 1
        return DiffUpdate(self._render(changed, console, try_orders=not whole_screen))

    def _render(self, changed: dict[int, set[int]], console: Console, try_orders: bool = True) -> str:
        """The changes written line by line; with ``try_orders``, in whichever order costs fewest bytes.

        A whole screen (the first frame, after a resize) is written line by line at once: every
        order writes every cell, and working out the others would delay the first frame.
        """
        if not changed:
            return ""
        color_system = COLOR_SYSTEMS.get(console.color_system or "", ColorSystem.TRUECOLOR)
        pieces: list[Piece] = []
        for y in sorted(changed):
            pieces += self._row_pieces(y, sorted(changed[y]), color_system)
        line_by_line = _write(pieces, self._width, color_system)
        if not try_orders or any(piece.uncertain for piece in pieces):
            # A grapheme's spill is covered by the cells after it only if they are written after it.
            return line_by_line
        looks = {piece.look: index for index, piece in reversed(list(enumerate(pieces)))}
        orders = [sorted(pieces, key=lambda piece: looks[piece.look])]
        if len(pieces) <= GREEDY_LIMIT:
            orders.append(_nearest_first(pieces, self._width))
        # An order that comes out line by line again (one look, say) is not written a second time:
        # on a tie the first candidate wins anyway.
        candidates = [line_by_line] + [_write(order, self._width, color_system) for order in orders if order != pieces]
        return min(candidates, key=len)

    def _row_pieces(self, y: int, columns: list[int], color_system: ColorSystem) -> list[Piece]:
        """The changed cells of one line as pieces, unchanged gaps filled where that is cheaper."""
        row = self._cells[y]
        width = self._width
        runs: list[list[int]] = []
        for start, end in _runs(columns):
            while start > 0 and row[start][0] == WIDE_TAIL:
                start -= 1  # begin at the first column of a double-width character
            end = _covering_spills(row, start, end, width)
            if runs and start <= runs[-1][1]:
                runs[-1][1] = max(end, runs[-1][1])
            elif runs and _cheaper_to_rewrite(row, runs[-1][1], start, color_system):
                runs[-1][1] = end
            else:
                runs.append([start, end])
        pieces = []
        for start, end in runs:
            x = start
            while x < end:
                text, style = row[x]
                uncertain = may_disagree(text)
                stop = x + 1
                while stop < end and (
                    row[stop][0] == WIDE_TAIL
                    if uncertain
                    else row[stop][1] == style and not may_disagree(row[stop][0])
                ):
                    stop += 1  # a grapheme of uncertain width is a piece by itself
                text = "".join(cell_text for cell_text, _ in row[x:stop])
                pieces.append(Piece(y, x, stop, _look(style, color_system), text, style, uncertain))
                x = stop
        return pieces


class ColumnTexts(NamedTuple):
    """A text as the cells it fills: a grapheme per cell, :data:`WIDE_TAIL` after a double-width one."""

    texts: tuple[str, ...]
    last_start: int
    """The column (from the text's first) where its last grapheme begins."""


@lru_cache(maxsize=4096)
def _column_texts(text: str) -> ColumnTexts | None:
    """``text`` as the cells it fills; None if it is empty or holds a grapheme of no width (marks
    left from the character before), which :meth:`ScreenDiff.diff` joins to that character's cell."""
    texts: list[str] = []
    last_start = 0
    for grapheme, columns in terminal_cells(text):
        if columns == 0:
            return None
        last_start = len(texts)
        texts.append(grapheme)
        texts += [WIDE_TAIL] * (columns - 1)
    return ColumnTexts(tuple(texts), last_start) if texts else None


def _covering_spills(row: list[Cell], start: int, end: int, width: int) -> int:
    """The end of the run [start, end) widened to whole double-width characters, and to the cells
    each grapheme of uncertain width in it could spill into, so that they are written again after it."""
    x = start
    while True:
        while end < width and row[end][0] == WIDE_TAIL:
            end += 1  # end after the second column of a double-width character
        if x >= end:
            return end
        text = row[x][0]
        if may_disagree(text):
            spill = min(width, _spill(x, text))
            while end < spill and row[end] != UNKNOWN:  # nothing was drawn beyond an unknown cell
                end += 1
        x += 1


def _cheaper_to_rewrite(row: list[Cell], start: int, end: int, color_system: ColorSystem) -> bool:
    """Whether writing the unchanged cells row[start:end] again costs less than jumping over them."""
    before = _look(row[start - 1][1], color_system)
    after = _look(row[end][1], color_system)
    current = PLAIN if before == LINK else before  # a hyperlink is written with a reset after it
    jump = len(_forward(end - start)) + _cost_into(current, after)
    cost = len("".join(text for text, _ in row[start:end]).encode())
    for text, style in row[start:end]:
        look = _look(style, color_system)
        if text == UNKNOWN[0] or look == LINK or may_disagree(text):
            return False
        if look != current:
            cost += len(_switch(current, look))
            current = look
        if cost >= jump:
            return False
    return cost + _cost_into(current, after) < jump


def _cost_into(current: Attributes, look: Attributes) -> int:
    """Bytes of SGR to write a cell of ``look`` after ``current`` (a hyperlink needs plain attributes)."""
    if look == LINK:
        return 0 if current == PLAIN else len("\x1b[m")
    return len(_switch(current, look))


GREEDY_LIMIT = 150
"""Up to this many pieces, also try writing the cheapest next piece each time (quadratic)."""


def _nearest_first(pieces: list[Piece], width: int) -> list[Piece]:
    """``pieces`` ordered greedily: each time the one cheapest to reach (cursor move plus style change),
    the first of them on a tie.

    Every piece of one look costs the same change of look, and every move but to the piece under
    the cursor costs a byte at least: so the looks are tried from the cheapest change up, and the
    search stops at the first look whose change alone cannot beat the best piece found.
    """
    left_by_look: dict[Attributes, list[int]] = {}
    for index, piece in enumerate(pieces):
        left_by_look.setdefault(piece.look, []).append(index)
    starting_at = {(piece.start, piece.y): index for index, piece in enumerate(pieces)}
    placed = [False] * len(pieces)
    order = []
    cursor_x = cursor_y = None
    current = PLAIN
    while left_by_look:
        look_costs = {look: _cost_into(current, look) for look in left_by_look}
        best_index, best_cost = len(pieces), None
        under_cursor = starting_at.get((cursor_x, cursor_y))  # reached with no move
        if under_cursor is not None and not placed[under_cursor]:
            best_index, best_cost = under_cursor, look_costs[pieces[under_cursor].look]
        for look in sorted(look_costs, key=look_costs.__getitem__):
            look_cost = look_costs[look]
            if best_cost is not None and look_cost + 1 > best_cost:
                break
            for index in left_by_look[look]:
                piece = pieces[index]
                cost = look_cost + len(_move(cursor_x, cursor_y, piece.start, piece.y))
                if best_cost is None or cost < best_cost or (cost == best_cost and index < best_index):
                    best_index, best_cost = index, cost
        piece = pieces[best_index]
        placed[best_index] = True
        left = left_by_look[piece.look]
        left.remove(best_index)
        if not left:
            del left_by_look[piece.look]
        order.append(piece)
        cursor_x, cursor_y = _cursor_after(piece, width), piece.y
        current = PLAIN if piece.look == LINK else piece.look
    return order


def _write(pieces: Iterable[Piece], width: int, color_system: ColorSystem) -> str:
    """Terminal output drawing ``pieces`` in this order; the attributes are reset at the end."""
    out: list[str] = []
    current = PLAIN  # the terminal's attributes: changed only as far as they differ
    cursor_x: int | None = None  # None: not known (at the start, or waiting to wrap at the right edge)
    cursor_y: int | None = None
    for piece in pieces:
        if piece.start != cursor_x or piece.y != cursor_y:
            out.append(_move(cursor_x, cursor_y, piece.start, piece.y))
        before = after = ""
        if piece.uncertain:
            # Erase its cells first: a terminal that draws it narrower leaves none of the old ones.
            before = _erase(piece.end - piece.start)
            if _spill(piece.start, piece.text) >= width:  # a wider drawing must not wrap (or scroll)
                before, after = AUTOWRAP_OFF + before, AUTOWRAP_ON
        if piece.look == LINK:
            reset = "\x1b[m" if current != PLAIN else ""
            out.append(reset + before + Strip.render_style(piece.style, piece.text, color_system) + after)
            current = PLAIN
        else:
            if piece.look != current:
                out.append(_switch(current, piece.look))
                current = piece.look
            out.append(before + piece.text + after)
        cursor_x, cursor_y = _cursor_after(piece, width), piece.y
    if current != PLAIN:
        out.append("\x1b[m")
    return "".join(out)


AUTOWRAP_OFF = "\x1b[?7l"
AUTOWRAP_ON = "\x1b[?7h"


def _cursor_after(piece: Piece, width: int) -> int | None:
    """The cursor's column after writing ``piece``; None where it is not known: at the right edge
    (the terminal waits to wrap), or after a grapheme whose width a terminal may count otherwise."""
    return None if piece.uncertain or piece.end >= width else piece.end


def _erase(columns: int) -> str:
    """ECH: blank ``columns`` cells from the cursor, in the current colours, without moving it."""
    return "\x1b[X" if columns == 1 else f"\x1b[{columns}X"


def _forward(columns: int) -> str:
    return "" if columns == 0 else "\x1b[C" if columns == 1 else f"\x1b[{columns}C"


def _move(cursor_x: int | None, cursor_y: int | None, x: int, y: int) -> str:
    """The shortest way to take the cursor to (x, y); ``None``: that coordinate is not known."""
    absolute = _absolute(x, y)
    if cursor_y is None:
        return absolute
    relative = _vertical(cursor_y, y) + _across(cursor_x, x)
    return relative if len(relative) < len(absolute) else absolute


# The parts of a move are cached apart: (cursor, target) pairs are too many to cache whole, and the
# greedy order asks for the cost of thousands of them per frame.
@lru_cache(maxsize=4096)
def _absolute(x: int, y: int) -> str:
    """CUP: to (x, y) from anywhere."""
    return "\x1b[H" if x == y == 0 else f"\x1b[{y + 1}H" if x == 0 else f"\x1b[{y + 1};{x + 1}H"


@lru_cache(maxsize=4096)
def _vertical(cursor_y: int, y: int) -> str:
    """The shortest way from line ``cursor_y`` to line ``y``, the column kept: down, up, or to the line (VPA)."""
    rows = y - cursor_y
    if rows == 0:
        return ""
    relative = f"\x1b[{rows}B" if rows > 1 else "\x1b[B" if rows == 1 else "\x1b[A" if rows == -1 else f"\x1b[{-rows}A"
    return min(relative, f"\x1b[{y + 1}d", key=len)


@lru_cache(maxsize=16384)
def _across(cursor_x: int | None, x: int) -> str:
    """The shortest way from column ``cursor_x`` (``None``: not known) to column ``x``, the line kept."""
    across = ["\r" if x == 0 else f"\r{_forward(x)}", f"\x1b[{x + 1}G"]  # from the left edge, or to the column (CHA)
    if cursor_x is not None:
        columns = x - cursor_x
        # Backspace moves one column left without erasing: shorter than CUB for a few columns.
        across.append(_forward(columns) if columns >= 0 else "\b" * -columns if columns >= -3 else f"\x1b[{-columns}D")
    return min(across, key=len)


_OFF = {"1": "22", "2": "22", "3": "23", "4": "24", "21": "24", "5": "25", "6": "25", "7": "27", "8": "28", "9": "29",
        "51": "54", "52": "54", "53": "55"}


@lru_cache(maxsize=4096)
def _look(style: Style | None, color_system: ColorSystem) -> Attributes:
    """(text attributes, foreground, background) as SGR codes, parsed from what Textual would send."""
    if style is None:
        return PLAIN
    if style.link:
        return LINK
    codes = (style._ansi if style._ansi is not None else Strip.render_ansi(style, color_system)).split(";")
    attributes: set[str] = set()
    foreground = background = None
    index = 0
    while index < len(codes):
        code = codes[index]
        if code in ("38", "48"):
            length = 5 if codes[index + 1] == "2" else 3
            colour = ";".join(codes[index : index + length])
            if code == "38":
                foreground = colour
            else:
                background = colour
            index += length
            continue
        if code:
            number = int(code)
            if 30 <= number <= 37 or 90 <= number <= 97 or number == 39:
                foreground = code
            elif 40 <= number <= 47 or 100 <= number <= 107 or number == 49:
                background = code
            else:
                attributes.add(code)
        index += 1
    return frozenset(attributes), foreground, background


@lru_cache(maxsize=4096)
def _switch(current: Attributes, wanted: Attributes) -> str:
    """SGR from ``current`` to ``wanted``: only what differs, or a reset when that is shorter."""
    if wanted == current:
        return ""
    if wanted == PLAIN:
        return "\x1b[m"
    attributes, foreground, background = wanted
    full = ["0", *sorted(attributes), *(colour for colour in (foreground, background) if colour)]
    removed = current[0] - attributes
    if any(code not in _OFF for code in removed):
        return f"\x1b[{';'.join(full)}m"
    codes = sorted({_OFF[code] for code in removed})
    # 22 ends bold and dim together: keep the one still wanted.
    added = attributes - current[0] | ({"1", "2"} & attributes if "22" in codes else set())
    codes += sorted(added)
    if foreground != current[1]:
        codes.append(foreground or "39")
    if background != current[2]:
        codes.append(background or "49")
    shorter = codes if len(";".join(codes)) < len(";".join(full)) else full
    return f"\x1b[{';'.join(shorter)}m"


def _runs(columns: list[int]) -> Iterable[tuple[int, int]]:
    """[start, end) runs of consecutive columns."""
    start = previous = columns[0]
    for column in columns[1:]:
        if column != previous + 1:
            yield start, previous + 1
            start = column
        previous = column
    yield start, previous + 1


def _placements(update: CompositorUpdate, console: Console) -> Iterable[tuple[int, int, Segment]]:
    """(x, y, text segment) for everything ``update`` draws."""
    x = y = 0
    for segment in update.__rich_console__(console, console.options):
        if segment.control:
            for control in segment.control:
                if control[0] == ControlType.CURSOR_MOVE_TO:
                    x, y = control[1], control[2]
            continue
        if segment.text == "\n":
            continue
        yield x, y, segment
        x += cell_len(segment.text)
