"""The query selector: the tokens in a line, the query shown reversed and marked."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Offset, Region, Size
from textual.markup import escape
from textual.strip import Strip
from textual.widget import Widget

from attn_tui.core.formatting import token_vector
from attn_tui.core.scenario import Scenario
from attn_tui.terminal.textual_internals import set_border_title
from attn_tui.ui.widgets.direct_lines import DirectLines

MAX_CHIPS = 24
"""Tokens listed at most, around the query; a long sentence would fill the screen."""

QUERY_CHIP_STYLE = Style(bold=True, reverse=True)
"""The query's chip, besides its ▶◀ markers: reversed, so that it stands out without colour too."""


class _Item(NamedTuple):
    """A chip or a note counting the tokens left out, as drawn in a line of the bar."""

    text: str
    token: int | None
    """Index of the chip's token (None: a note, which chooses nothing)."""
    is_query: bool = False


class QueryBar(DirectLines, Widget):
    """Shows which token is the query; a click on a token chooses it (keys: ``[`` and ``]``).

    The lines are drawn here (Textual's line API) from plain styles, and a click is matched to a
    chip by its position: chips as markup links (``@click`` actions) made every segment a style
    of its own, rebuilt and restyled as a link at each paint, the costliest widget of a query
    change at 64 tokens. They look as links did, underlined and highlighted under the mouse.
    """

    ALLOW_SELECT = False
    """Nothing to copy here (the tokens are in the grid); text selection needs per-cell offsets
    in every segment, which would bring back the cost the line API avoids."""

    _shape: tuple[object, ...] | None = None

    _shown: tuple[object, ...] | None = None
    """Tokens, query, line limit and width last shown."""

    max_lines: int = 4
    """Lines the chips may take; the app lowers it on a crowded screen (see attn_tui.ui.layout)."""

    _lines: int = 1
    """Lines the chips took when last shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._scenario: Scenario | None = None
        self._rows: list[list[_Item]] = []
        self._rows_key: tuple[object, ...] | None = None
        """Tokens, query, line limit and width the rows were broken for."""
        self._strips: list[Strip] | None = None
        """The rows drawn, kept until the rows, the styles or the chip under the mouse change."""
        self._hovered: int | None = None
        """Token of the chip under the mouse, highlighted as a link would be."""

    def show(self, scenario: Scenario) -> None:
        width = self.content_region.width
        shown = (scenario.tokens, scenario.query, self.max_lines, width)
        if shown == self._shown:
            return  # an edit of a number: nothing here changes
        self._shown = shown
        self._scenario = scenario
        # Only the title's row and the chips' rows are painted again, not the bottom border.
        set_border_title(self, f"Query {token_vector(scenario.query + 1)}: {escape(scenario.query_token)}")
        self._lines = len(self._rows_at(width))
        # A new layout only if the bar takes another number of lines (a chip is as wide marked as
        # unmarked, so moving the query among the same tokens never needs one).
        shape = (width, self._lines)
        if shape != self._shape:
            self.refresh(layout=True)
        else:
            self.refresh(Region(0, 0, width, self._lines))
        self._shape = shape

    def _rows_at(self, width: int) -> list[list[_Item]]:
        """The chips and notes of each line drawn, at ``width`` cells; kept while nothing changes."""
        if self._scenario is None:
            return []
        key = (self._scenario.tokens, self._scenario.query, self.max_lines, width)
        if key != self._rows_key:
            self._rows, self._rows_key = self._break_into_rows(self._scenario, width), key
            self._strips = None
            # The chips moved: as with Textual's links, the highlight waits for the mouse to move.
            self._hovered = None
        return self._rows

    def _break_into_rows(self, scenario: Scenario, width: int) -> list[list[_Item]]:
        # As many chips around the query as fit the lines the layout gives the bar: a chip cut off
        # at the bottom could be the query's, and the counts of the others must stay readable.
        count = min(scenario.n_tokens, MAX_CHIPS)
        while True:
            shown_range, (before, after), widths = self._window(scenario, count)
            breaks = _line_breaks(widths, width)
            if len(breaks) <= self.max_lines or count == 1:
                break
            count = max(1, count - 2)
        items = [_Item(before, None)] if before else []
        items.extend(_chip(index, scenario.tokens[index], index == scenario.query) for index in shown_range)
        if after:
            items.append(_Item(after, None))
        # Broken into lines here rather than wrapped by Textual, which drops a line's leading
        # space: a chip starting a line would lose its padding and stand out of the column.
        return [items[start:stop] for start, stop in breaks]

    @staticmethod
    def _window(scenario: Scenario, count: int) -> tuple[range, tuple[str, str], list[int]]:
        """``count`` tokens around the query, the notes counting the others, and every item's width."""
        n = scenario.n_tokens
        start = max(0, min(scenario.query - count // 2, n - count))
        shown = range(start, start + count)
        before = f"{start} more …" if start else ""
        after = f"… {n - shown.stop} more" if shown.stop < n else ""
        widths = [cell_len(f" {scenario.tokens[i]} ") for i in shown]
        return shown, (before, after), ([cell_len(before)] if before else []) + widths + ([cell_len(after)] if after else [])

    def needed_height(self) -> int:
        """Rows the bar takes, borders included (as last shown: the app shows it at its width first)."""
        return self._lines + self.styles.gutter.height

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # At the width the layout gives, which after a resize comes before the app shows the bar
        # again at it: the rows of the old width would be cut off. (Also at widths the layout only
        # tries, hence not kept.)
        if self._scenario is None:
            return 1
        return len(self._break_into_rows(self._scenario, width))

    def notify_style_update(self) -> None:
        self._strips = None  # e.g. another theme: the rows are drawn in its colours
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        rows = self._rows_at(self.size.width)
        if self._strips is None:
            self._strips = self._draw_rows(rows)
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _draw_rows(self, rows: list[list[_Item]]) -> list[Strip]:
        # The styles a Static gave the chips as links: its text style, then the chip's own, then
        # the link style (underlined), then under the mouse the link hover style.
        text_style = self.visual_style.rich_style
        chip_style = text_style + self.link_style
        query_chip_style = text_style + QUERY_CHIP_STYLE + self.link_style
        hover_style = self.link_style_hover
        gap = Segment(" ", text_style)
        strips = []
        for row in rows:
            segments: list[Segment] = []
            for item in row:
                if segments:
                    segments.append(gap)
                if item.token is None:
                    style = text_style
                else:
                    style = query_chip_style if item.is_query else chip_style
                    if item.token == self._hovered:
                        style += hover_style
                segments.append(Segment(item.text, style))
            strips.append(Strip(segments))
        return strips

    def _token_at(self, offset: Offset | None) -> int | None:
        """The token of the chip at ``offset`` in the content area, if there is one there."""
        if offset is None or not 0 <= offset.y < len(self._rows):
            return None
        left = 0
        for item in self._rows[offset.y]:
            right = left + cell_len(item.text)
            if left <= offset.x < right:
                return item.token
            left = right + 1  # the gap between items
        return None

    async def on_click(self, event: events.Click) -> None:
        index = self._token_at(event.get_content_offset(self))
        if index is not None:
            await self.run_action(f"app.select_query({index})")

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._token_at(event.get_content_offset(self)))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def _hover(self, token: int | None) -> None:
        if token != self._hovered:
            self._hovered = token
            self._strips = None
            self.refresh()


def _chip(index: int, token: str, is_query: bool) -> _Item:
    """A token's chip; the query's is marked and exactly as wide as the others."""
    return _Item(f"▶{token}◀" if is_query else f" {token} ", index, is_query)


def _line_breaks(widths: list[int], width: int) -> list[tuple[int, int]]:
    """(start, stop) of the items on each line, one space apart, in ``width`` cells (0: one line)."""
    lines: list[tuple[int, int]] = []
    start, used = 0, 0
    for index, item in enumerate(widths):
        if index > start and width > 0 and used + 1 + item > width:
            lines.append((start, index))
            start, used = index, item
        else:
            used += item + (1 if index > start else 0)
    lines.append((start, len(widths)))
    return lines
