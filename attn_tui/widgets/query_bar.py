"""The query selector: the tokens in a line, the query shown reversed and marked."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from attn_tui.formatting import token_vector
from attn_tui.scenario import Scenario

MAX_CHIPS = 24
"""Tokens listed at most, around the query; a long sentence would fill the screen."""


class QueryBar(Static):
    """Shows which token is the query; a click on a token chooses it (keys: ``[`` and ``]``)."""

    _shape: tuple[object, ...] | None = None

    def show(self, scenario: Scenario) -> None:
        n = scenario.n_tokens
        start = max(0, min(scenario.query - MAX_CHIPS // 2, n - MAX_CHIPS)) if n > MAX_CHIPS else 0
        shown = range(start, min(n, start + MAX_CHIPS))
        chips = [f"…{start}\u00a0before"] if start else []  # no-break spaces: a note never splits
        for index in shown:
            # Markup actions make each token clickable without one widget per token.
            text = escape(scenario.tokens[index])
            if index == scenario.query:
                chips.append(f"[reverse bold][@click=app.select_query({index})]▶{text}◀[/][/]")
            else:
                chips.append(f"[@click=app.select_query({index})] {text} [/]")
        if shown.stop < n:
            chips.append(f"{n - shown.stop}\u00a0after…")
        self.border_title = f"Query {token_vector(scenario.query + 1)}: {escape(scenario.query_token)}"
        # A chip is as wide marked as unmarked: the lines stay put unless the tokens shown change.
        shape = (shown, scenario.tokens if n <= MAX_CHIPS else scenario.tokens[shown.start : shown.stop])
        self.update(" ".join(chips), layout=shape != self._shape)
        self._shape = shape
