"""Section 3.6's views: the shown head's weights (3.5's panel), every head's context vector with
their concatenation and out_proj, and the matrix view with every head's weights side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich.cells import cell_len
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
from attn_tui.ui.widgets.matrix_panel import CELL_WIDTH, heat_fractions, rows_of
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


PROJECTIONS_NOTE = f"q k v: in the walk (w), or {TALL}+ rows"
"""Under the heads on a short screen, where the projections' panel is hidden: one line in the
narrowest panel (36 columns inside, as while walking at 80×24)."""


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
        if not self.query_one(".projections-note").display:
            return self._body_lines
        width = self.scrollable_content_region.width
        return self._body_lines + (len(Text(PROJECTIONS_NOTE).wrap(self.app.console, width)) if width > 0 else 1)

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        if analysis.variant == "split":
            return "Heads → concat → ·W_out + b_out"
        return "Heads → z = concat (wrapper)"

    def _revealed(self) -> bool:
        progress: Progress | None = self._progress
        return progress is None or (progress.stage is not None and progress.stage.number >= HEADS.number)

    def _shown_head_known(self, analysis: Analysis) -> bool:
        """The shown head's context vector, once a walk has added its last term (3.5's context stage)."""
        progress: Progress | None = self._progress
        return progress is None or progress.known.context_terms >= analysis.scenario.n_tokens

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

        shown_known = self._shown_head_known(analysis)
        for k in listed:
            known = revealed or (k == analysis.head and shown_known)
            table.add_row(f"head {k + 1}", vector(rows.head_contexts[k], known), style="bold" if k == analysis.head else "")
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


COMPACT_CELL = 5
"""A space and a weight with two decimals (0.48): heads side by side in less room."""
COMPACT_LABEL = 7
"""The query mark and a token cut to five cells, then a space."""
HEADS_GAP = 2
"""Blank columns between two heads side by side (one between compact ones: 80 columns hold two)."""


def _two_decimals(value: float) -> str:
    return f"{value:.2f}"


def heads_named(heads: Sequence[int]) -> str:
    """0-based heads in words, runs joined: [1] → "Head 2", [2, 3, 4] → "Heads 3–5",
    [0, 5, 6] → "Heads 1, 6–7"."""
    runs: list[list[int]] = []
    for k in heads:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    named = ", ".join(f"{run[0] + 1}" if len(run) == 1 else f"{run[0] + 1}–{run[-1] + 1}" for run in runs)
    return f"{'Head' if len(heads) == 1 else 'Heads'} {named}"


class HeadsMatrixPanel(CausalMatrixPanel):
    """Every head's causal weights side by side, as many as the width allows (a note names the
    rest), then the module's output for every token; then the shown head as 3.5 shows it.

    When the heads do not all fit with 4 decimals, they are drawn with two (:data:`COMPACT_CELL`)
    if that fits more of them (or one head whole): two heads of six tokens then need 75 columns,
    not 118. The shown head is always among them, and with 4 decimals below."""

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        module = "MultiHeadAttention" if analysis.variant == "split" else "MultiHeadAttentionWrapper"
        return f"All queries, every head ({module})"

    def _side_by_side(self, analysis: Analysis, rows: range, token_names: list[str]) -> tuple[range, bool, int, int]:
        """The heads drawn side by side (around the shown one), whether compact, one head's width
        and the gap between two."""
        heads = analysis.num_heads
        width = self.scrollable_content_region.width
        longest = max(cell_len(name) for name in token_names) + 1
        full = self._label_width + max(CELL_WIDTH, min(longest, (width - self._label_width) // len(rows))) * len(rows)
        compact = COMPACT_LABEL + COMPACT_CELL * len(rows)

        def fitting(one_head: int, gap: int) -> int:
            return max(1, min(heads, (width + gap) // (one_head + gap)))

        # Two decimals when that shows more heads, or shows one whole where 4 decimals would scroll sideways.
        use_compact = fitting(full, HEADS_GAP) < heads and (fitting(compact, 1) > fitting(full, HEADS_GAP) or full > width >= compact)
        one_head, gap = (compact, 1) if use_compact else (full, HEADS_GAP)
        return window(heads, analysis.head, fitting(one_head, gap)), use_compact, one_head, gap

    def _trainable_matrices(self, analysis: Analysis) -> Group:  # type: ignore[override]
        every = analysis.every_head.heads
        revealed = self.known(analysis).matrices >= 3
        rows, outs, out_names, token_names = self._shown_window(analysis)
        heads = analysis.num_heads
        shown, compact, one_head, gap = self._side_by_side(analysis, rows, token_names)
        side_by_side = Table.grid(padding=(0, gap))
        for _ in shown:
            side_by_side.add_column(no_wrap=True)
        tables = []
        for k in shown:
            weights = rows_of(every[k].weights, rows)
            if compact:  # a title no wider than the head's matrix
                title = Text(f"head {k + 1}{' ◀ shown' if k == analysis.head else ''}", style="bold underline")
                style = {"number": _two_decimals, "least_cell_width": COMPACT_CELL, "label_width": COMPACT_LABEL}
            else:
                mark = "  ◀ the panels' head" if k == analysis.head else ""
                title = Text(f"head {k + 1} weights, {MASKED} masked{mark}", style="bold underline")
                style = {}
            matrix = self._matrix(
                analysis, rows, rows, token_names, weights, revealed,
                heat=heat_fractions(every[k].weights, weights, rows), marks=lambda i, j: MASKED if j > i else None, **style,
            )  # fmt: skip
            tables.append(Group(title, matrix))
        side_by_side.add_row(*tables)
        n = analysis.scenario.n_tokens
        width = analysis.output.shape[1]
        output_columns = range(min(width, 12))
        output = "Z = concat·W_out + b_out" if analysis.variant == "split" else "Z = concat(heads)"
        parts: list[Text | Table | Group] = []
        if compact:
            parts.append(Text(f"Every head's weights, {MASKED} masked, 2 decimals (4 below, for head {analysis.head + 1})", style="bold underline"))
        parts.append(side_by_side)
        left_out = [k for k in range(heads) if k not in shown]
        if left_out:
            note = (
                f"{heads_named(left_out)} not shown here: each needs {one_head + gap} columns. "
                f"H shows the next head below, as 3.5 shows it; a wider terminal shows more side by side."
            )
            parts.append(self._wrapped(Text(note, style="italic")))
        parts += [
            Text(""),
            Text(f"{output}  every token's output ({n}×{width})", style="bold underline"),
            self._matrix(analysis, rows, output_columns, [f"out {k + 1}" for k in output_columns], rows_of(analysis.output[:, : len(output_columns)], rows), self.known(analysis).matrices >= 4),
            Text(""),
            Text(f"Head {analysis.head + 1}, as 3.5 shows it:", style="bold"),
            *super()._trainable_matrices(analysis).renderables,
        ]
        return Group(*parts)

    def _wrapped(self, note: Text) -> Text:
        """``note`` broken into lines at the panel's width: the body is as wide as its longest line
        (it scrolls sideways), and a note must not be what widens it."""
        width = self.scrollable_content_region.width
        return Text("\n").join(note.wrap(self.app.console, width)) if width > 0 else note
