"""Terminals (pyte screens) that draw graphemes in as many columns as Rich counts, or as many as
a terminal that disagrees would: to check the wire diff against Textual's own full frame in any script.

pyte itself measures code point by code point and stops drawing at a zero-width character that
is not a combining mark (a ZWJ, a Devanagari vowel sign): one kind of disagreeing terminal, but
not the layout Textual draws for.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

import pyte
from pyte import modes
from rich.cells import split_graphemes

LABELS = [
    "नमस्ते",  # Devanagari: a conjunct and vowel signs
    "हिन्दी",  # vowel signs tmux gives a column each
    "Tie\u0302\u0301ng",  # Vietnamese, decomposed: two combining marks on one letter
    "Tiếng",
    "தமிழ்",  # Tamil
    "ශ්‍රී",  # Sinhala: a ZWJ inside a conjunct
    "👩‍💻",  # a ZWJ emoji
    "❤️",  # a variation selector that makes a narrow character wide
    "🇫🇷",  # regional indicators
    "שלום",  # Hebrew, right to left
    "مَرْحَبًا",  # Arabic with its vowel marks
    "e\u0301",
    "界",
    "😀",
]
"""Labels from many scripts: combining marks, conjuncts, ZWJ sequences, variation selectors, RTL."""


def uncertain(grapheme: str) -> bool:
    """A grapheme whose width terminals disagree on (the test's own rule, independent of the writer's)."""
    return len(grapheme) > 1 or unicodedata.category(grapheme) in ("Mn", "Mc", "Me", "Cf") or 0x1F1E6 <= ord(grapheme) <= 0x1F1FF


Widths = Callable[[str, int], int]
"""(grapheme, Rich's width) → the columns a terminal draws it in."""


def as_rich(grapheme: str, width: int) -> int:
    return width


def wider(extra: int) -> Widths:
    """``extra`` columns more, up to two per code point (no terminal draws a code point wider)."""
    return lambda grapheme, width: min(width + extra, 2 * len(grapheme)) if uncertain(grapheme) else width


def narrower(grapheme: str, width: int) -> int:
    return max(1, width - 1) if uncertain(grapheme) and width else width


def per_code_point(grapheme: str, width: int) -> int:
    """Like tmux: a spacing mark (Mc) takes a column of its own."""
    if not uncertain(grapheme):
        return width
    return width + sum(1 for character in grapheme[1:] if unicodedata.category(character) == "Mc")


TERMINALS: dict[str, Widths] = {
    "one wider": wider(1),
    "two wider": wider(2),
    "narrower": narrower,
    "a column per spacing mark": per_code_point,
}


class GraphemeScreen(pyte.Screen):
    """A pyte screen that draws Rich's graphemes, each in ``widths(grapheme, Rich's width)`` columns."""

    def __init__(self, columns: int, lines: int, widths: Widths = as_rich) -> None:
        super().__init__(columns, lines)
        self.widths = widths

    def draw(self, data: str) -> None:
        spans, _ = split_graphemes(data)
        for start, end, rich_width in spans:
            grapheme = data[start:end]
            width = self.widths(grapheme, rich_width)
            if width == 0:  # marks whose character came earlier join its cell
                if self.cursor.x:
                    line = self.buffer[self.cursor.y]
                    last = line[self.cursor.x - 1]
                    line[self.cursor.x - 1] = last._replace(data=last.data + grapheme)
                continue
            if self.cursor.x == self.columns:
                if modes.DECAWM in self.mode:
                    self.carriage_return()
                    self.linefeed()
                else:
                    self.cursor.x -= 1
            line = self.buffer[self.cursor.y]
            x = self.cursor.x
            line[x] = self.cursor.attrs._replace(data=grapheme)
            for column in range(x + 1, min(x + width, self.columns)):
                line[column] = self.cursor.attrs._replace(data="")
            self.cursor.x = min(x + width, self.columns)
        self.dirty.add(self.cursor.y)


def replay(screen: pyte.Screen, *chunks: str) -> pyte.Screen:
    stream = pyte.Stream(screen)
    for chunk in chunks:
        stream.feed(chunk)
    return screen


def cells(screen: pyte.Screen) -> list[list[object]]:
    return [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]


def uncertain_columns(screen: pyte.Screen) -> set[tuple[int, int]]:
    """(y, x) of every column a grapheme of uncertain width covers on a screen drawn as Rich counts."""
    covered = set()
    for y in range(screen.lines):
        line = screen.buffer[y]
        for x in range(screen.columns):
            data = line[x].data
            if data and uncertain(data):
                covered.add((y, x))
                end = x + 1
                while end < screen.columns and line[end].data == "":
                    covered.add((y, end))
                    end += 1
    return covered


def differences_outside_uncertain(ideal: pyte.Screen, drawn: pyte.Screen) -> list[tuple[int, int, object, object]]:
    """Cells that differ between a screen drawn as Rich counts and another, except the columns of
    graphemes of uncertain width (what a disagreeing terminal shows there is its own business)."""
    skip = uncertain_columns(ideal)
    return [
        (y, x, ideal.buffer[y][x], drawn.buffer[y][x])
        for y in range(ideal.lines)
        for x in range(ideal.columns)
        if (y, x) not in skip and ideal.buffer[y][x] != drawn.buffer[y][x]
    ]
