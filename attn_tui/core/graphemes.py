"""Clip and pad text by grapheme cluster, never inside one.

A grapheme cluster is what a reader sees as one character: ``e`` plus a combining accent, the
Devanagari conjunct ``स्ते``, a ZWJ emoji such as 👩‍💻. Cutting between its code points leaves a
vowel sign or an accent without its letter, so labels are cut only between clusters
(Unicode's rules, UAX #29, as ``wcwidth`` implements them). Widths are Rich's, the measure
Textual lays the screen out with, so a clipped label fills exactly the cells it was given.
"""

from __future__ import annotations

from typing import Iterator

from rich.cells import cell_len

ELLIPSIS = "…"


def iter_graphemes(text: str) -> Iterator[str]:
    """``text``'s grapheme clusters, one by one (UAX #29, by ``wcwidth``)."""
    # wcwidth (20 ms, 23 modules) is imported the first time a label needs segmenting, not on
    # the start-up path: the book's labels and every number are ASCII.
    from wcwidth import iter_graphemes as segment

    return segment(text)


def clusters(text: str) -> list[str]:
    """The grapheme clusters of ``text``, in order."""
    return list(iter_graphemes(text))


def clip(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits in ``width`` cells, else its first whole clusters and ``ellipsis``,
    exactly ``width`` cells wide."""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ellipsis)
    if room < 0:
        return ""
    kept_and_next = text[: room + 1]
    if kept_and_next.isascii() and kept_and_next.isprintable():
        # One cell and one cluster per character, the next starting a cluster of its own: the
        # numbers a panel cuts on every key ("0.1234 -0.5678 …") need no segmentation.
        return text[:room] + ellipsis
    kept = ""
    for cluster in iter_graphemes(text):
        # The prefix is measured whole: Rich measures a string, not the sum of its pieces.
        if cell_len(kept + cluster) > room:
            break
        kept += cluster
    # A double-width cluster that does not fit leaves a blank, as Rich leaves it: the width is exact.
    return kept + " " * (room - cell_len(kept)) + ellipsis


def pad(text: str, width: int, justify: str = "left") -> str:
    """``text`` padded with spaces to ``width`` cells, on the right (``left``) or the left (``right``)."""
    spaces = " " * max(0, width - cell_len(text))
    return spaces + text if justify == "right" else text + spaces


def shorten(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """At most ``limit`` clusters: the start and the end of ``text``, ``ellipsis`` between."""
    parts = clusters(text)
    if len(parts) <= limit:
        return text
    tail = (limit - 1) // 2
    head = limit - 1 - tail
    return "".join(parts[:head]) + ellipsis + "".join(parts[len(parts) - tail :])
