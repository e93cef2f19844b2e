"""Section 3.5's views: the weights with the mask and dropout, and the matrix form with −∞ above
the diagonal. The projections and the context vector are 3.4's panels; like every panel these only
format the analysis they are handed, limited to what a walk has reached.

Masked and dropped weights are told apart by signs, not colour alone (NO_COLOR): a masked weight is
"—" (its score "−∞"), a dropped one "0 (dropped)" in the panel and "×" in the matrix view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from rich.console import Group
from rich.table import Table
from rich.text import Text

from attn_tui.core.formatting import format_number, subscript
from attn_tui.mechanisms.causal.walk import DROPPED, MASKED, MINUS_INFINITY, SOFTMAX, Known
from attn_tui.mechanisms.trainable.panels import AttentionPanel, TrainableMatrixPanel
from attn_tui.mechanisms.trainable.walk import CONTEXT, SCORES
from attn_tui.ui.widgets.matrix_panel import heat_fractions, rows_of, window_note
from attn_tui.ui.widgets.panels import NOT_YET, fixed_widths, per_token_table, revealed_values, row_style, with_bars, with_note

if TYPE_CHECKING:
    from attn_tui.mechanisms.causal.analysis import Analysis


def dropout_state(analysis: Analysis) -> str:
    """Dropout's settings in a few words, for a border."""
    dropout = analysis.dropout
    if not dropout.training:
        return f"dropout p {dropout.p:g} · evaluation: off (T)"
    return f"dropout p {dropout.p:g} seed {dropout.seed} · training"


class CausalWeightsPanel(AttentionPanel):
    """ω/√d_k (−∞ after the query), α = softmax of the masked scores (— after the query), the
    weights after dropout; with `c`, the book's first way beside the second (3.4's panel, its
    comparison and its fitting, with 3.5's columns)."""

    KNOWN = Known

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        qs = subscript(analysis.scenario.query + 1)
        if self.comparing:
            return "Two ways: softmax ×tril ÷Σ │ −∞ first"
        return f"Weights  α{qs}ᵢ   — = masked"

    def render_body(self, analysis: Analysis) -> Table | Group:  # type: ignore[override]
        scenario = analysis.scenario
        n, q = scenario.n_tokens, scenario.query
        qs = subscript(q + 1)
        known = self.known(analysis)
        current = self._progress.reads(SCORES, SOFTMAX, CONTEXT) if self._progress else None
        rows = self.rows(analysis, current)
        result = analysis.query
        weights = result.weights.tolist()

        def shown(values: list[float], count: int, masked: str = MASKED) -> dict[int, str]:
            # Only the listed rows (a panel lists 16 of 512 tokens); a later token's entry is the
            # mask's sign once the mask is known, never a bare 0.
            return {i: NOT_YET if i >= count else masked if i > q and known.masked else format_number(values[i]) for i in rows}

        table = per_token_table()
        table.columns[1].max_width = 8
        if self.comparing:
            return self._two_ways(analysis, rows, current, shown)
        scaled = shown(result.scaled_scores.tolist(), n if known.scaled else 0, MINUS_INFINITY)
        alpha = shown(weights, known.weights)
        dropout = analysis.dropout
        after = self._after_dropout(analysis, known, rows)
        for _ in range(2 if dropout.active else 1):
            table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)  # bar
        bar_style = self.get_component_rich_style("attention-panel--bar")
        width = self.scrollable_content_region.width
        bar_width = max(3, width - (44 if dropout.active else 30))
        shares = result.dropped_weights.tolist() if dropout.active and known.dropout else weights
        largest = max(shares)
        table.add_row("", "", "ω/√d_k", "α", *(["dropout"] if dropout.active else []), "", style="italic")
        bars: dict[int, float] = {}
        for i in rows:
            bars[table.row_count] = shares[i] / largest if largest > 0 and i < known.weights and i <= q else 0.0
            table.add_row(
                f"α{qs}{subscript(i + 1)}",
                Text(scenario.tokens[i]),
                scaled[i],
                alpha[i],
                *([after[i]] if dropout.active else []),
                "",  # the bar (with_bars)
                style=row_style(analysis, i, current),
            )
        total = format_number(sum(weights)) if known.weights == n else NOT_YET
        dropped_total = [format_number(sum(result.dropped_weights.tolist())) if known.dropout else NOT_YET] if dropout.active else []
        table.add_row("Σ", "", "", total, *dropped_total, "")
        self.set_subtitle(dropout_state(analysis))
        return with_note(with_bars(table, bars, bar_width, width, bar_style), rows, n)

    def _after_dropout(self, analysis: Analysis, known: Known, rows: range) -> dict[int, str]:
        """Each listed weight after dropout: "0 (dropped)", the survivor's new value, or — when masked."""
        result = analysis.query
        q = analysis.scenario.query
        dropped = result.dropped.tolist()
        after = result.dropped_weights.tolist()
        return {
            i: NOT_YET if not known.dropout else MASKED if i > q else "0 (dropped)" if dropped[i] else format_number(after[i])
            for i in rows
        }

    def _two_ways(self, analysis: Analysis, rows: range, current: int | None, shown: Callable[[list[float], int], dict[int, str]]) -> Table | Group:
        """The book's first way step by step beside the second, and how far apart they are."""
        scenario = analysis.scenario
        n = scenario.n_tokens
        known = self.known(analysis)
        result = analysis.query
        count = known.weights
        # The first way's first two columns are numbers for every token: the plain softmax sees
        # them all, and × tril writes the later ones' 0 itself.
        plain = revealed_values(result.plain_weights.tolist(), count, rows)
        tril = revealed_values(result.tril_weights.tolist(), count, rows)
        renormalised = shown(result.renormalised_weights.tolist(), count)
        second = shown(result.weights.tolist(), count)
        # Four numbers beside the token fit an 80-column screen's panel: no symbol column here.
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, overflow="ellipsis", max_width=7)  # token
        for _ in range(4):
            table.add_column(justify="right", no_wrap=True)
        table.add_row("", "soft", "×tril", "÷Σ", "−∞", style="italic")
        for i in rows:
            table.add_row(Text(scenario.tokens[i]), plain[i], tril[i], renormalised[i], second[i], style=row_style(analysis, i, current))
        sums = (
            [format_number(float(result.plain_weights.sum())), format_number(float(result.tril_sum)), format_number(float(result.renormalised_weights.sum())), format_number(float(result.weights.sum()))]
            if count == n
            else [NOT_YET] * 4
        )
        table.add_row("Σ", *sums)
        self.set_subtitle(f"largest difference {result.first_way_max_difference:.1e}" if count == n else "")
        return with_note(fixed_widths(table), rows, n)


class CausalMatrixPanel(TrainableMatrixPanel):
    """Every query at once: the masked scores (−∞ above the diagonal), the weights as a heatmap (—
    above it), after dropout (× where dropped) when dropout acts, Z, then Q, K and V."""

    KNOWN = Known

    def title_for(self, analysis: Analysis) -> str:  # type: ignore[override]
        return f"All queries (CausalAttention) · {dropout_state(analysis)}"

    def _trainable_matrices(self, analysis: Analysis) -> Group:  # type: ignore[override]
        matrices = analysis.all_queries
        revealed_count = self.known(analysis).matrices
        n, d_out = analysis.scenario.n_tokens, analysis.d_out
        rows, outs, out_names, token_names = self._shown_window(analysis)
        tokens = rows
        weights = rows_of(matrices.weights, rows)
        dropped = matrices.dropped

        def above_diagonal(sign: str):
            return lambda i, j: sign if j > i else None

        def dropped_or_masked(i: int, j: int) -> str | None:
            return MASKED if j > i else DROPPED if bool(dropped[i, j]) else None

        # The section's own matrices first, where a screen 40 rows tall shows them; Q, K and V
        # (as in 3.4) after Z.
        parts: list[Text | Table] = [
            Text(f"ω masked  scores, {MINUS_INFINITY} above the diagonal ({n}×{n})", style="bold underline"),
            self._matrix(analysis, rows, tokens, token_names, rows_of(matrices.scores, rows), revealed_count >= 2, marks=above_diagonal(MINUS_INFINITY)),
            Text(""),
            Text(f"A = softmax(masked ω/√d_k)  weights, {MASKED} masked ({n}×{n})", style="bold underline"),
            self._matrix(
                analysis, rows, tokens, token_names, weights, revealed_count >= 3,
                heat=heat_fractions(matrices.weights, weights, tokens), marks=above_diagonal(MASKED),
            ),  # fmt: skip
            Text(""),
        ]
        if analysis.dropout.active:
            after = rows_of(matrices.dropped_weights, rows)
            parts += [
                Text(f"dropout(A)  {DROPPED} dropped, survivors ×{format_number(analysis.dropout.keep_factor)} ({n}×{n})", style="bold underline"),
                self._matrix(analysis, rows, tokens, token_names, after, revealed_count >= 4, heat=heat_fractions(matrices.dropped_weights, after, tokens), marks=dropped_or_masked),
                Text(""),
            ]
        parts += [
            Text(f"Z = A·V  context vectors ({n}×{d_out})", style="bold underline"),
            self._matrix(analysis, rows, outs, out_names, rows_of(matrices.context, rows), revealed_count >= 4),
            Text(""),
            *self._projection_parts(analysis, rows, outs, revealed_count >= 1),
        ]
        if len(rows) < n or len(outs) < d_out:
            parts.append(Text(window_note(rows, n, outs, d_out), style="italic"))
        return Group(*parts)
