"""The query selector: every token in a line, the query shown reversed and marked."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from attn_tui.formatting import token_vector
from attn_tui.scenario import Scenario


class QueryBar(Static):
    """Shows which token is the query; a click on a token chooses it (keys: ``[`` and ``]``)."""

    def show(self, scenario: Scenario) -> None:
        chips = []
        for index, token in enumerate(scenario.tokens):
            # Markup actions make each token clickable without one widget per token.
            text = escape(token)
            if index == scenario.query:
                chips.append(f"[reverse bold][@click=app.select_query({index})]▶{text}◀[/][/]")
            else:
                chips.append(f"[@click=app.select_query({index})] {text} [/]")
        self.border_title = f"Query {token_vector(scenario.query + 1)}: {escape(scenario.query_token)}"
        self.update(" ".join(chips))
