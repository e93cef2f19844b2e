"""The query selector: the tokens in a line, the query shown reversed and marked."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.markup import escape
from textual.widgets import Static

from attn_tui.core.formatting import token_vector
from attn_tui.core.scenario import Scenario

MAX_CHIPS = 24
"""Tokens listed at most, around the query; a long sentence would fill the screen."""


class QueryBar(Static):
    """Shows which token is the query; a click on a token chooses it (keys: ``[`` and ``]``)."""

    _shape: tuple[object, ...] | None = None

    _shown: tuple[object, ...] | None = None
    """Tokens, query, line limit and width last shown."""

    max_lines: int = 4
    """Lines the chips may take; the app lowers it on a crowded screen (see attn_tui.ui.layout)."""

    _lines: int = 1
    """Lines the chips took when last shown."""

    _chips: dict[tuple[int, bool], Content]
    """Each token's chip, parsed once: parsing two dozen clickable chips was most of a query change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chips = {}

    def show(self, scenario: Scenario) -> None:
        width = self.content_region.width
        shown = (scenario.tokens, scenario.query, self.max_lines, width)
        if shown == self._shown:
            return  # an edit of a number: nothing here changes
        if self._shown is None or self._shown[0] != scenario.tokens:
            self._chips.clear()  # renamed, added or removed tokens: their chips are parsed anew
        self._shown = shown
        self.border_title = f"Query {token_vector(scenario.query + 1)}: {escape(scenario.query_token)}"
        # As many chips around the query as fit the lines the layout gives the bar: a chip cut off
        # at the bottom could be the query's, and the counts of the others must stay readable.
        count = min(scenario.n_tokens, MAX_CHIPS)
        while True:
            shown_range, (before, after), widths = self._window(scenario, count)
            breaks = _line_breaks(widths, width)
            if len(breaks) <= self.max_lines or count == 1:
                break
            count = max(1, count - 2)
        items: list[str | Content] = [before] if before else []
        items.extend(self._chip(index, scenario.tokens[index], index == scenario.query) for index in shown_range)
        if after:
            items.append(after)
        # Broken into lines here rather than wrapped by Textual, which drops a line's leading
        # space: a chip starting a line would lose its padding and stand out of the column.
        lines = [Content(" ").join(items[start:stop]) for start, stop in breaks]
        self._lines = len(lines)
        # A new layout only if the bar takes another number of lines (a chip is as wide marked as
        # unmarked, so moving the query among the same tokens never needs one).
        shape = (width, len(lines))
        self.update(Content("\n").join(lines), layout=shape != self._shape)
        self._shape = shape

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

    def _chip(self, index: int, token: str, is_query: bool) -> Content:
        key = (index, is_query)
        chip = self._chips.get(key)
        if chip is None:
            # Markup actions make each token clickable without one widget per token.
            text = escape(token)
            if is_query:
                markup = f"[reverse bold][@click=app.select_query({index})]▶{text}◀[/][/]"
            else:
                markup = f"[@click=app.select_query({index})] {text} [/]"
            chip = self._chips[key] = Content.from_markup(markup)
        return chip


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
