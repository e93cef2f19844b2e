"""Command-palette (Ctrl+P) entries for the app's own actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from attn_tui.app import AttnApp


class AttnCommands(Provider):
    """Query selection, editing and help, searchable by name."""

    @property
    def _app(self) -> AttnApp:
        return self.app  # type: ignore[return-value]

    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        app = self._app
        yield "Next query token", partial(app.action_query_step, 1), "Make the next token the query (])"
        yield "Previous query token", partial(app.action_query_step, -1), "Make the previous token the query ([)"
        yield "Edit cell", app.action_edit_cell, "Edit the number under the grid's cursor (Enter)"
        yield "Show keys", app.action_help, "List every key (?)"
        for index, token in enumerate(app.scenario.tokens):
            yield f"Query: {token} (token {index + 1})", partial(app.action_select_query, index), "Use this token as the query"

    async def discover(self) -> Hits:
        for name, action, help_text in self._commands():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
