"""The query selector: the tokens in a line, the query shown reversed and marked."""

from __future__ import annotations

from rich.text import Text
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

    _plain: str = ""
    """The chips as plain text, to count the lines they wrap to."""

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
            shown_range, notes, plain = self._window(scenario, count)
            lines = len(Text(plain).wrap(self.app.console, width)) if width > 0 else 1
            if lines <= self.max_lines or count == 1:
                break
            count = max(1, count - 2)
        before, after = notes
        chips: list[str | Content] = [before] if before else []
        chips.extend(self._chip(index, scenario.tokens[index], index == scenario.query) for index in shown_range)
        if after:
            chips.append(after)
        self._plain = plain
        # A new layout only if the bar takes another number of lines (a chip is as wide marked as
        # unmarked, so moving the query among the same tokens never needs one).
        shape = (width, lines)
        self.update(Content(" ").join(chips), layout=shape != self._shape)
        self._shape = shape

    @staticmethod
    def _window(scenario: Scenario, count: int) -> tuple[range, tuple[str, str], str]:
        """``count`` tokens around the query, the notes counting the others, and the plain text."""
        n = scenario.n_tokens
        start = max(0, min(scenario.query - count // 2, n - count))
        shown = range(start, start + count)
        before = f"{start} more …" if start else ""
        after = f"… {n - shown.stop} more" if shown.stop < n else ""
        plain = " ".join(([before] if before else []) + [f" {scenario.tokens[i]} " for i in shown] + ([after] if after else []))
        return shown, (before, after), plain

    def needed_height(self) -> int:
        """Rows the bar takes at its width, borders included."""
        width = self.content_region.width
        lines = len(Text(self._plain).wrap(self.app.console, width)) if width > 0 else 1
        return lines + self.styles.gutter.height

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
