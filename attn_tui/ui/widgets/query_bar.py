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

    _shown: tuple[tuple[str, ...], int] | None = None

    _chips: dict[tuple[int, bool], Content]
    """Each token's chip, parsed once: parsing two dozen clickable chips was most of a query change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._chips = {}

    def show(self, scenario: Scenario) -> None:
        if (scenario.tokens, scenario.query) == self._shown:
            return  # an edit of a number: nothing here changes
        if self._shown is None or self._shown[0] != scenario.tokens:
            self._chips.clear()  # renamed, added or removed tokens: their chips are parsed anew
        self._shown = (scenario.tokens, scenario.query)
        n = scenario.n_tokens
        start = max(0, min(scenario.query - MAX_CHIPS // 2, n - MAX_CHIPS)) if n > MAX_CHIPS else 0
        shown = range(start, min(n, start + MAX_CHIPS))
        chips: list[str | Content] = [f"…{start}\u00a0before"] if start else []  # no-break spaces: a note never splits
        chips.extend(self._chip(index, scenario.tokens[index], index == scenario.query) for index in shown)
        if shown.stop < n:
            chips.append(f"{n - shown.stop}\u00a0after…")
        self.border_title = f"Query {token_vector(scenario.query + 1)}: {escape(scenario.query_token)}"
        # A new layout only if the bar takes another number of lines (a chip is as wide marked as
        # unmarked, so moving the query among the same tokens never needs one).
        plain = " ".join(
            ([chips[0]] if start else [])
            + [f" {scenario.tokens[i]} " for i in shown]
            + ([str(chips[-1])] if shown.stop < n else [])
        )
        width = self.content_region.width
        shape = (width, len(Text(plain).wrap(self.app.console, width)) if width else -1)
        self.update(Content(" ").join(chips), layout=shape != self._shape)
        self._shape = shape

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
