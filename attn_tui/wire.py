"""Send the terminal only the cells that changed.

Textual repaints whole widget lines: a new score repaints every line of its panel, borders
included, and over SSH each key press then costs kilobytes. :class:`ScreenDiff` remembers what the
terminal shows and turns each of Textual's updates into cursor moves plus the changed cells only.
"""

from __future__ import annotations

from typing import Iterable

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import ControlType, Segment
from rich.style import Style
from textual._compositor import CompositorUpdate
from textual.strip import Strip

Cell = tuple[str, "Style | None"]
UNKNOWN: Cell = ("\0", None)
"""What the terminal shows before the first frame: equal to no real cell."""
WIDE_TAIL = ""
"""The second column of a double-width character."""
MERGE_GAP = 6
"""Unchanged cells shorter than this between two changes are re-sent: cheaper than a cursor move."""


class DiffUpdate(CompositorUpdate):
    """Already-rendered terminal output (cursor moves and changed cells)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console, options):  # pragma: no cover - the app renders via render_segments
        yield Segment(self.text)

    def render_segments(self, console: Console) -> str:
        return self.text


class ScreenDiff:
    """What the terminal shows, cell by cell, to send only differences."""

    def __init__(self) -> None:
        self._cells: list[list[Cell]] = []
        self._width = 0

    def reset(self) -> None:
        self._cells = []
        self._width = 0

    def diff(self, update: CompositorUpdate, console: Console, width: int, height: int) -> DiffUpdate:
        if (width, height) != (self._width, len(self._cells)):
            self._cells = [[UNKNOWN] * width for _ in range(height)]
            self._width = width
        changed: dict[int, set[int]] = {}
        for x, y, segment in _placements(update, console):
            if not 0 <= y < height:
                continue
            row = self._cells[y]
            style = segment.style
            for character in segment.text:
                wide = cell_len(character) == 2
                for cell in ((character, style), (WIDE_TAIL, style)) if wide else ((character, style),):
                    if 0 <= x < width and row[x] != cell:
                        row[x] = cell
                        changed.setdefault(y, set()).add(x)
                    x += 1
        return DiffUpdate(self._render(changed, console))

    def _render(self, changed: dict[int, set[int]], console: Console) -> str:
        color_system = console._color_system or ColorSystem.TRUECOLOR
        out: list[str] = []
        current = PLAIN  # the terminal's attributes: changed only as far as they differ
        cursor: tuple[int, int] | None = None
        for y in sorted(changed):
            row = self._cells[y]
            for start, end in _runs(sorted(changed[y])):
                while start > 0 and row[start][0] == WIDE_TAIL:
                    start -= 1  # begin at the first column of a double-width character
                while end < self._width and row[end][0] == WIDE_TAIL:
                    end += 1
                out.append(_move(cursor, start, y))
                cursor = (end, y)
                for segment in Segment.simplify(Segment(text, style) for text, style in row[start:end] if text):
                    text, style = segment.text, segment.style
                    if style is not None and style.link:
                        out.append(("\x1b[0m" if current != PLAIN else "") + Strip.render_style(style, text, color_system))
                        current = PLAIN
                        continue
                    wanted = PLAIN if style is None else _attributes(style, color_system)
                    if wanted != current:
                        out.append(_switch(current, wanted))
                        current = wanted
                    out.append(text)
        if current != PLAIN:
            out.append("\x1b[0m")
        return "".join(out)


def _move(cursor: tuple[int, int] | None, x: int, y: int) -> str:
    """The shortest way to put the cursor at (x, y)."""
    if cursor is not None and cursor[1] == y and cursor[0] <= x:
        gap = x - cursor[0]
        return "" if gap == 0 else "\x1b[C" if gap == 1 else f"\x1b[{gap}C"
    return f"\x1b[{y + 1};{x + 1}H"


Attributes = tuple[frozenset[str], "str | None", "str | None"]
PLAIN: Attributes = (frozenset(), None, None)
_OFF = {"1": "22", "2": "22", "3": "23", "4": "24", "21": "24", "5": "25", "6": "25", "7": "27", "8": "28", "9": "29",
        "51": "54", "52": "54", "53": "55"}


def _attributes(style: Style, color_system: ColorSystem) -> Attributes:
    """(text attributes, foreground, background) as SGR codes, parsed from what Textual would send."""
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


def _switch(current: Attributes, wanted: Attributes) -> str:
    """SGR from ``current`` to ``wanted``: only what differs, or a reset when that is shorter."""
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
    """[start, end) runs of changed columns, merging short gaps."""
    start = previous = columns[0]
    for column in columns[1:]:
        if column - previous > MERGE_GAP:
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
