"""Section 3.6's views: the shown head's weights (3.5's panel), every head's context vector with
their concatenation and out_proj, and the matrix view with every head's weights side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from attn_tui.core.formatting import format_number
from attn_tui.core.walkthrough import Progress
from attn_tui.mechanisms.causal.panels import CausalMatrixPanel, CausalWeightsPanel
from attn_tui.mechanisms.causal.walk import MASKED
from attn_tui.mechanisms.multihead.walk import HEADS
from attn_tui.mechanisms.trainable.panels import ProjectionsPanel
from attn_tui.ui.layout import TALL, context_lines_at_most
from attn_tui.ui.widgets.matrix_panel import LABEL_WIDTH, heat_fractions, rows_of
from attn_tui.ui.widgets.panels import NOT_YET, Panel, fixed_widths, window

if TYPE_CHECKING:
    from torch import Tensor

    from attn_tui.mechanisms.multihead.analysis import Analysis

HEADS_LISTED = 6
"""Heads whose context vectors the heads panel lists; the rest are counted."""


def _vector(values: Tensor, count: int = 8) -> str:
    """The first ``count`` values (converted alone: a vector may have 768)."""
    shown = ", ".join(format_number(v) for v in values[:count].tolist())
    return f"[{shown}{', …' if len(values) > count else ''}]"


class HeadProjectionsPanel(ProjectionsPanel):
    """3.4's projections for the shown head: its q and every token's k and v, d_head numbers each.

    A screen under :data:`~attn_tui.ui.layout.TALL` rows hides it: beside the heads' panel it
    would leave the weights fewer tokens than the book's six, and the walk (w) shows the same
    numbers term by term; the heads' panel then says so.
    """

    SCOPED_CSS = False  # the rule names the screen, an ancestor
    DEFAULT_CSS = "Screen.-short HeadProjectionsPanel { display: none; }"

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        return f"Head {analysis.head + 1}  k = x·W_k │ v = x·W_v"


class HeadWeightsPanel(CausalWeightsPanel):
    """3.5's weights panel for the shown head; the border says which head (H: the next)."""

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        if self.comparing:
            return super().title_for(analysis)
        return f"Head {analysis.head + 1}/{analysis.num_heads} α  — masked · H next"


PROJECTIONS_NOTE = f"q k v: w walks them; {TALL}+ rows list them"
"""Under the heads on a short screen, where the projections' panel is hidden (one line at 80×24)."""


class HeadsPanel(Panel):
    """Every head's context vector for the query, their concatenation and, for MultiHeadAttention,
    out_proj: z = concat·W_out + b_out.

    It lists as many heads as the lines the layout gives it leave beside concat and z, the shown
    head among them: z, the output, is never the line scrolled out of sight.
    """

    DEFAULT_TITLE = "Heads"
    PANEL_ID = "context"
    SCOPED_CSS = False  # the rule names the screen, an ancestor
    DEFAULT_CSS = """
    HeadsPanel .projections-note { display: none; color: $text-muted; }
    Screen.-short HeadsPanel .projections-note { display: block; }
    """

    _body_lines: int = 1

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(PROJECTIONS_NOTE, classes="projections-note")

    @property
    def needed_lines(self) -> int:
        """Lines the heads, concat, z and (on a short screen) the note take, as last shown; the
        layout gives the panel that many when it can (see :func:`attn_tui.ui.layout.fit_right_column`)."""
        return self._body_lines + (1 if self.query_one(".projections-note").display else 0)

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        if analysis.variant == "split":
            return "Heads → concat → ·W_out + b_out"
        return "Heads → z = concat (wrapper)"

    def _revealed(self) -> bool:
        progress: Progress | None = self._progress
        return progress is None or (progress.stage is not None and progress.stage.number >= HEADS.number)

    def _heads_listed(self, analysis: Analysis, after_heads: int) -> range:
        """The heads listed: up to :data:`HEADS_LISTED`, around the shown one, fewer when the lines
        the layout gives this panel would otherwise push z out of sight."""
        count = analysis.num_heads
        short = self.screen.has_class("-short")
        room = context_lines_at_most(self.app.size.height) - (1 if short else 0) - after_heads
        listed = min(count, HEADS_LISTED)
        if listed < count or listed > room:
            listed = max(1, min(listed, room - 1))  # a line says how many more
        return window(count, analysis.head, listed)

    def render_body(self, analysis: Analysis) -> Table:  # type: ignore[override]
        rows = analysis.every_head_query
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis")
        revealed = self._revealed()
        split = analysis.variant == "split"
        listed = self._heads_listed(analysis, 2 if split else 1)

        def vector(values: Tensor, known: bool) -> Text:
            return Text(_vector(values) if known else NOT_YET)  # Text: "[" is never read as markup

        for k in listed:
            table.add_row(f"head {k + 1}", vector(rows.head_contexts[k], revealed or k == analysis.head), style="bold" if k == analysis.head else "")
        if len(listed) < analysis.num_heads:
            table.add_row("", f"… {analysis.num_heads - len(listed)} more (H next · m all)")
        if split:
            table.add_row("concat", vector(rows.concatenated, revealed))
        table.add_row("z", vector(rows.context, revealed), style="bold")
        self._body_lines = table.row_count
        # A long vector is cut with "…" at the panel's edge, never the labels beside it.
        labels, vectors = fixed_widths(table).columns
        width = self.scrollable_content_region.width
        if width > 0 and labels.width is not None and vectors.width is not None:
            vectors.width = max(1, min(vectors.width, width - labels.width - 1))
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
