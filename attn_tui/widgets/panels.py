"""The three live panels: scores, weights and the context vector for the current query.

Each panel gets an :class:`~attn_tui.compute.Analysis` and only formats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from attn_tui.formatting import (
    context_formula,
    format_number,
    score_formula,
    subscript,
    weight_formula,
)

if TYPE_CHECKING:  # the app imports torch (through compute) only when it needs numbers
    from attn_tui.compute import Analysis

BAR_WIDTH = 16
"""Bar length before the panel knows its width."""
_PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar ``fraction`` of ``width`` cells long, in eighths of a cell."""
    if not 0.0 <= fraction <= 1.0:  # also catches NaN
        return ""
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_PARTIAL_BLOCKS[rest] if rest else "")


class Panel(VerticalScroll):
    """A titled, scrollable panel whose body is re-rendered from each new analysis."""

    DEFAULT_TITLE = ""

    _analysis: Analysis | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-body")

    def show(self, analysis: Analysis) -> None:
        self._analysis = analysis
        self.border_title = self.title_for(analysis)
        self.query_one(".panel-body", Static).update(self.render_body(analysis))

    def show_loading_torch(self) -> None:
        self.border_title = self.DEFAULT_TITLE
        self.query_one(".panel-body", Static).update("loading torch…")

    def on_resize(self) -> None:
        # Bars and wrapping depend on the width: re-render what is shown, no recomputation.
        if self._analysis is not None:
            self.show(self._analysis)

    def title_for(self, analysis: Analysis) -> str:
        raise NotImplementedError

    def render_body(self, analysis: Analysis) -> Table | Text:
        raise NotImplementedError


def _per_token_table() -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)  # symbol, e.g. ω₂₁
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=12)  # token
    table.add_column(justify="right", no_wrap=True)  # value
    return table


def _row_style(analysis: Analysis, row: int) -> str:
    return "bold" if row == analysis.scenario.query else ""


class ScoresPanel(Panel):
    """ω_qi = x⁽ⁱ⁾·x⁽q⁾ for every token i."""

    DEFAULT_TITLE = "Scores"

    def title_for(self, analysis: Analysis) -> str:
        return f"Scores  {score_formula(analysis.scenario.query + 1)}"

    def render_body(self, analysis: Analysis) -> Table:
        q = subscript(analysis.scenario.query + 1)
        table = _per_token_table()
        for i, (token, score) in enumerate(zip(analysis.scenario.tokens, analysis.query.scores.tolist())):
            table.add_row(f"ω{q}{subscript(i + 1)}", token, format_number(score), style=_row_style(analysis, i))
        return table


class WeightsPanel(Panel):
    """α_qi = softmax(ω_q)_i for every token i, with a bar scaled to the largest weight."""

    DEFAULT_TITLE = "Weights"
    COMPONENT_CLASSES = {"weights-panel--bar"}

    def title_for(self, analysis: Analysis) -> str:
        return f"Weights  {weight_formula(analysis.scenario.query + 1)}"

    def render_body(self, analysis: Analysis) -> Table:
        q = subscript(analysis.scenario.query + 1)
        weights = analysis.query.weights.tolist()
        largest = max(weights)
        bar_style = self.get_component_rich_style("weights-panel--bar")
        # symbol + token + value take about 24 cells; the bar gets the rest of the line.
        bar_width = max(BAR_WIDTH, self.scrollable_content_region.width - 26)
        table = _per_token_table()
        table.add_column(no_wrap=True)  # bar
        for i, (token, weight) in enumerate(zip(analysis.scenario.tokens, weights)):
            table.add_row(
                f"α{q}{subscript(i + 1)}",
                token,
                format_number(weight),
                Text(bar(weight / largest if largest > 0 else 0.0, bar_width), style=bar_style),
                style=_row_style(analysis, i),
            )
        table.add_row("Σ", "", format_number(sum(weights)), "")
        return table


class ContextPanel(Panel):
    """z⁽q⁾ = Σ_i α_qi x⁽ⁱ⁾, one value per dimension."""

    DEFAULT_TITLE = "Context"

    def title_for(self, analysis: Analysis) -> str:
        return f"Context  {context_formula(analysis.scenario.query + 1)}"

    def render_body(self, analysis: Analysis) -> Text:
        values = ", ".join(format_number(v) for v in analysis.query.context.tolist())
        return Text(f"[{values}]")
