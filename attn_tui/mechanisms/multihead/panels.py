"""Section 3.6's views: the shown head's weights (3.5's panel), every head's context vector with
their concatenation and out_proj, and the matrix view with every head's weights side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from attn_tui.core.formatting import format_number
from attn_tui.core.walkthrough import Progress
from attn_tui.mechanisms.causal.panels import CausalMatrixPanel, CausalWeightsPanel
from attn_tui.mechanisms.causal.walk import MASKED
from attn_tui.mechanisms.multihead.walk import HEADS
from attn_tui.ui.widgets.matrix_panel import LABEL_WIDTH, heat_fractions, rows_of
from attn_tui.ui.widgets.panels import NOT_YET, Panel

if TYPE_CHECKING:
    from torch import Tensor

    from attn_tui.mechanisms.multihead.analysis import Analysis

HEADS_LISTED = 6
"""Heads whose context vectors the heads panel lists; the rest are counted."""


def _vector(values: Tensor, count: int = 8) -> str:
    """The first ``count`` values (converted alone: a vector may have 768)."""
    shown = ", ".join(format_number(v) for v in values[:count].tolist())
    return f"[{shown}{', …' if len(values) > count else ''}]"


class HeadWeightsPanel(CausalWeightsPanel):
    """3.5's weights panel for the shown head; the border says which head (H: the next)."""

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        if self.comparing:
            return super().title_for(analysis)
        return f"Head {analysis.head + 1}/{analysis.num_heads} α  — masked · H next"


class HeadsPanel(Panel):
    """Every head's context vector for the query, their concatenation and, for MultiHeadAttention,
    out_proj: z = concat·W_out + b_out."""

    DEFAULT_TITLE = "Heads"
    PANEL_ID = "context"

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        if analysis.variant == "split":
            return "Heads → concat → ·W_out + b_out"
        return "Heads → z = concat (wrapper)"

    def _revealed(self) -> bool:
        progress: Progress | None = self._progress
        return progress is None or (progress.stage is not None and progress.stage.number >= HEADS.number)

    def render_body(self, analysis: Analysis) -> Table:  # type: ignore[override]
        rows = analysis.every_head_query
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        revealed = self._revealed()
        for k, context in enumerate(rows.head_contexts[:HEADS_LISTED]):
            known = revealed or k == analysis.head
            table.add_row(f"head {k + 1}", _vector(context) if known else NOT_YET, style="bold" if k == analysis.head else "")
        if len(rows.head_contexts) > HEADS_LISTED:
            table.add_row("", f"… {len(rows.head_contexts) - HEADS_LISTED} more heads (the matrix view, m, shows them)")
        if analysis.variant == "split":
            table.add_row("concat", _vector(rows.concatenated) if revealed else NOT_YET)
        table.add_row("z", _vector(rows.context) if revealed else NOT_YET, style="bold")
        return table


class HeadsMatrixPanel(CausalMatrixPanel):
    """Every head's causal weights side by side, as many as the width allows (a note names the
    rest), then the module's output for every token; then the shown head as 3.5 shows it."""

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        module = "MultiHeadAttention" if analysis.variant == "split" else "MultiHeadAttentionWrapper"
        return f"All queries, every head ({module})"

    def _trainable_matrices(self, analysis: Analysis) -> Group:  # type: ignore[override]
        every = analysis.every_head.heads
        revealed = self.known(analysis).matrices >= 3
        rows, outs, out_names, token_names = self._shown_window(analysis)
        heads = analysis.num_heads
        one_head = LABEL_WIDTH + self._cell_width * len(rows)
        fitting = max(1, min(heads, (self.scrollable_content_region.width + 2) // (one_head + 2)))
        side_by_side = Table.grid(padding=(0, 2))
        for _ in range(fitting):
            side_by_side.add_column(no_wrap=True)
        tables = []
        for k in range(fitting):
            weights = rows_of(every[k].weights, rows)
            shown = "  ◀ the panels' head" if k == analysis.head else ""
            title = Text(f"head {k + 1} weights, {MASKED} masked{shown}", style="bold underline")
            matrix = self._matrix(
                analysis, rows, rows, token_names, weights, revealed,
                heat=heat_fractions(every[k].weights, weights, rows), marks=lambda i, j: MASKED if j > i else None,
            )  # fmt: skip
            tables.append(Group(title, matrix))
        side_by_side.add_row(*tables)
        n = analysis.scenario.n_tokens
        width = analysis.output.shape[1]
        output_columns = range(min(width, 12))
        output = "Z = concat·W_out + b_out" if analysis.variant == "split" else "Z = concat(heads)"
        parts: list[Text | Table | Group] = [side_by_side]
        if fitting < heads:
            rest = f"Head {heads}" if fitting + 1 == heads else f"Heads {fitting + 1}–{heads}"
            parts.append(Text(f"{rest}: no room beside head {fitting} (each needs {one_head + 2} columns); a wider terminal shows them, H shows one below.", style="italic"))
        parts += [
            Text(""),
            Text(f"{output}  every token's output ({n}×{width})", style="bold underline"),
            self._matrix(analysis, rows, output_columns, [f"out {k + 1}" for k in output_columns], rows_of(analysis.output, rows), self.known(analysis).matrices >= 4),
            Text(""),
            Text(f"Head {analysis.head + 1}, as 3.5 shows it:", style="bold"),
            *super()._trainable_matrices(analysis).renderables,
        ]
        return Group(*parts)
