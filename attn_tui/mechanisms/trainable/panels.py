"""Section 3.4's views: the projections, the scaled scores and weights, the context vector, and the
matrix form (Q, K, V, the scaled scores, the weights as a heatmap, Z).

Textual widgets built on the shared :class:`~attn_tui.ui.widgets.panels.Panel`: like every panel
they only format the analysis they are handed, limited to what a walk has reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.console import Group
from rich.table import Table
from rich.text import Text

from attn_tui.core.formatting import context_vector, format_number, subscript_pair
from attn_tui.mechanisms.trainable.walk import CONTEXT, KEYS_VALUES, SCORES, SOFTMAX, Known, query_vector
from attn_tui.ui.widgets.matrix_panel import MatrixPanel, heat_fractions, rows_of, window_note
from attn_tui.ui.widgets.panels import NOT_YET, Panel, VectorPanel, fixed_widths, per_token_table, revealed_values, row_style, with_bars, with_note, window

if TYPE_CHECKING:
    from attn_tui.core.walkthrough import Progress
    from attn_tui.mechanisms.trainable.analysis import Analysis


class KnownFromWalk:
    """What a panel may show: everything (of its section's record, :attr:`KNOWN`), unless a walk
    is under way. Mixed into a Panel."""

    KNOWN: type[Known] = Known
    """The section's record of what is known (3.5 adds the mask and dropout to 3.4's)."""

    _progress: Progress | None

    def known(self, analysis: Analysis) -> Known:
        progress = self._progress
        return progress.known if progress is not None else self.KNOWN.everything(analysis.scenario.n_tokens, analysis.d_out)


class _TrainablePanel(KnownFromWalk, Panel):  # type: ignore[misc]
    pass


TOKEN_WIDTH = 8
"""The projections' token column is cut (…) beyond this."""
NUMBER_WIDTH = 7
"""A number with 4 decimals and a sign, and the space before it."""


def _numbers(values: list[float], count: int) -> str:
    """The first ``count`` values, then how many more there are."""
    shown = " ".join(format_number(v) for v in values[:count])
    return shown if len(values) <= count else f"{shown} …"


class ProjectionsPanel(_TrainablePanel):
    """The query's q = x·W_q, and every token's key k = x·W_k and value v = x·W_v."""

    DEFAULT_TITLE = "Projections"
    PANEL_ID = "projections"
    LISTS_TOKENS = True

    def title_for(self, analysis: Analysis) -> str:
        return "Projections  k = x·W_k │ v = x·W_v"

    def render_body(self, analysis: Analysis) -> Table | Group:
        scenario = analysis.scenario
        q = scenario.query
        known = self.known(analysis)
        current = self._progress.reads(KEYS_VALUES) if self._progress else None
        rows = self.rows(analysis, current)
        # As many numbers of each vector as fit: a token (8), a key, " │ ", a value; a number
        # takes 7 cells with its space. A cell a little too wide is cut by Rich ("-0.44…").
        room = max(1, (self.scrollable_content_region.width - 10) // (2 * NUMBER_WIDTH))
        query = analysis.query.query.tolist()
        keys = analysis.query.keys[rows.start : rows.stop].tolist()
        values = analysis.query.values[rows.start : rows.stop].tolist()
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, overflow="ellipsis", max_width=TOKEN_WIDTH)  # token
        table.add_column(no_wrap=True)  # key
        table.add_column(no_wrap=True)  # │
        table.add_column(no_wrap=True)  # value
        # q in the keys' column, as many numbers as a key: a longer q would widen that column
        # past the panel, and Rich would shrink the token column to "…".
        q_text = " ".join(format_number(v) if j < known.query else NOT_YET for j, v in enumerate(query[:room]))
        if len(query) > room:
            q_text += " …"
        table.add_row(f"{query_vector(q + 1)} =", q_text, "", "", style="bold")
        for i in rows:
            shown = i < known.keys
            key = _numbers(keys[i - rows.start], room) if shown else NOT_YET
            value = _numbers(values[i - rows.start], room) if shown else NOT_YET
            table.add_row(Text(scenario.tokens[i]), key, "│", value, style=row_style(analysis, i, current))
        return with_note(fixed_widths(table), rows, scenario.n_tokens)


class AttentionPanel(_TrainablePanel):
    """ω = q·k, ω/√d_k and α = softmax(ω/√d_k) for every token, with a bar scaled to the largest."""

    DEFAULT_TITLE = "Weights"
    PANEL_ID = "attention"
    LISTS_TOKENS = True
    COMPONENT_CLASSES = {"attention-panel--bar"}

    comparing: bool = False
    """Show the weights without the √d_k scaling beside the scaled ones."""

    def compare(self, on: bool) -> None:
        self.comparing = on
        if self._analysis is not None:
            self.show(self._analysis, self._progress)

    def title_for(self, analysis: Analysis) -> str:
        q1 = analysis.scenario.query + 1
        if self.comparing:
            return "Weights with / without √d_k"
        return f"Weights  α{subscript_pair(q1, 'ᵢ')} = softmax(ω{subscript_pair(q1, 'ᵢ')}/√d_k)"

    def render_body(self, analysis: Analysis) -> Table | Group:
        scenario = analysis.scenario
        n = scenario.n_tokens
        q1 = scenario.query + 1
        known = self.known(analysis)
        current = self._progress.reads(SCORES, SOFTMAX, CONTEXT) if self._progress else None
        rows = self.rows(analysis, current)
        result = analysis.query
        weights = result.weights.tolist()
        scores = revealed_values(result.scores.tolist(), known.scores, rows)
        scaled = revealed_values(result.scaled_scores.tolist(), n if known.scaled else 0, rows)
        shown = revealed_values(weights, known.weights, rows)
        table = per_token_table()
        table.columns[1].max_width = 8
        for _ in range(3):
            table.add_column(justify="right", no_wrap=True)
        if self.comparing:
            unscaled = revealed_values(result.unscaled_weights.tolist(), known.weights, rows)
            table.add_row("", "", "ω/√d_k", "α", "α no √", style="italic")
            for i in rows:
                table.add_row(f"α{subscript_pair(q1, i + 1)}", Text(scenario.tokens[i]), scaled[i], shown[i], unscaled[i], style=row_style(analysis, i, current))
            total = [format_number(sum(weights)), format_number(float(result.unscaled_weights.sum()))] if known.weights == n else [NOT_YET, NOT_YET]
            table.add_row("Σ", "", "", *total)
            largest = (format_number(max(weights)), format_number(float(result.unscaled_weights.max()))) if known.weights == n else (NOT_YET, NOT_YET)
            self.set_subtitle(f"max α {largest[0]} │ no √d_k {largest[1]}")
            return with_note(fixed_widths(table), rows, n)
        self.set_subtitle("")
        table.add_column(no_wrap=True)  # bar
        bar_style = self.get_component_rich_style("attention-panel--bar")
        width = self.scrollable_content_region.width
        bar_width = max(3, width - 38)
        largest = max(weights)
        table.add_row("", "", "ω", "ω/√d_k", "α", "", style="italic")
        bars: dict[int, float] = {}
        for i in rows:
            bars[table.row_count] = weights[i] / largest if largest > 0 and i < known.weights else 0.0
            table.add_row(
                f"ω{subscript_pair(q1, i + 1)}",
                Text(scenario.tokens[i]),
                scores[i],
                scaled[i],
                shown[i],
                "",  # the bar (with_bars)
                style=row_style(analysis, i, current),
            )
        table.add_row("Σ", "", "", "", format_number(sum(weights)) if known.weights == n else NOT_YET, "")
        return with_note(with_bars(table, bars, bar_width, width, bar_style), rows, n)


class ScaledContextPanel(KnownFromWalk, VectorPanel):  # type: ignore[misc]
    """z⁽q⁾ = Σ_i α_qi v⁽ⁱ⁾, one value per output dimension (values out of sight counted)."""

    DEFAULT_TITLE = "Context"
    PANEL_ID = "context"

    def title_for(self, analysis: Analysis) -> str:
        q = analysis.scenario.query + 1
        return f"Context  {context_vector(q)} = Σᵢ α{subscript_pair(q, 'ᵢ')} v⁽ⁱ⁾"

    def render_body(self, analysis: Analysis) -> Text:
        result = analysis.query.weighted_values
        if self._progress is None:
            return self._measured(Text(_vector(result.context.tolist())))
        added = self.known(analysis).context_terms
        n = analysis.scenario.n_tokens
        if not added:
            return self._measured(Text(f"[{NOT_YET}]  (0 of {n} terms)"))
        running = _vector(result.running[added - 1].tolist())
        return self._measured(Text(f"{running}  ({added} of {n} terms)", style="bold" if added == n else ""))


def _vector(values: list[float]) -> str:
    return "[" + ", ".join(format_number(v) for v in values) + "]"


MAX_ROWS = 12
MAX_COLUMNS = 12


class ShownWindow(NamedTuple):
    rows: range
    """The queries shown, which are also the token columns of the n×n matrices."""
    outs: range
    """The output dimensions shown."""
    out_names: list[str]
    token_names: list[str]


class TrainableMatrixPanel(KnownFromWalk, MatrixPanel):  # type: ignore[misc]
    """Every query at once: Q, K, V, the scaled scores, the weights as a heatmap, and Z."""

    def render_body(self, analysis: Analysis) -> Group:  # type: ignore[override]
        scenario = analysis.scenario
        widest = max(len(window(scenario.n_tokens, scenario.query, MAX_ROWS)), min(analysis.d_out, MAX_COLUMNS))
        body = self._trainable_matrices(analysis)
        self.query_one(".panel-body").styles.min_width = 9 + self._cell_width * widest
        return body

    def title_for(self, analysis: Analysis) -> str:
        return "All queries (matrix form, SelfAttention_v1)"

    def _projection_parts(self, analysis: Analysis, rows: range, outs: range, revealed: bool) -> list[Text | Table]:
        """Q, K and V, each under its title, with a blank line after."""
        matrices = analysis.all_queries
        n, d_out = analysis.scenario.n_tokens, analysis.d_out
        out_names = [f"out {k + 1}" for k in outs]
        parts: list[Text | Table] = []
        for title, matrix in (("Q = X·W_q  queries", matrices.queries), ("K = X·W_k  keys", matrices.keys), ("V = X·W_v  values", matrices.values)):
            parts += [Text(f"{title} ({n}×{d_out})", style="bold underline"), self._matrix(analysis, rows, outs, out_names, rows_of(matrix, rows), revealed), Text("")]
        return parts

    def _shown_window(self, analysis: Analysis) -> ShownWindow:
        """The queries (rows and token columns) and output columns shown, around the query; a new
        rendering starts from the narrowest cells."""
        scenario = analysis.scenario
        self._cell_width = 7
        rows = window(scenario.n_tokens, scenario.query, MAX_ROWS)
        outs = range(min(analysis.d_out, MAX_COLUMNS))
        return ShownWindow(rows, outs, [f"out {k + 1}" for k in outs], [scenario.tokens[k] for k in rows])

    def _trainable_matrices(self, analysis: Analysis) -> Group:
        matrices = analysis.all_queries
        revealed_count = self.known(analysis).matrices
        n, d_out = analysis.scenario.n_tokens, analysis.d_out
        rows, outs, out_names, token_names = self._shown_window(analysis)
        tokens = rows
        weights = rows_of(matrices.weights, rows)
        scale = format_number(matrices.scale)
        parts = self._projection_parts(analysis, rows, outs, revealed_count >= 1)
        parts += [
            Text(f"ω/√d_k = Q·Kᵀ/{scale}  scaled scores ({n}×{n})", style="bold underline"),
            self._matrix(analysis, rows, tokens, token_names, rows_of(matrices.scaled_scores, rows), revealed_count >= 2),
            Text(""),
            Text(f"A = softmax(ω/√d_k) by row  weights ({n}×{n})", style="bold underline"),
            self._matrix(analysis, rows, tokens, token_names, weights, revealed_count >= 3, heat=heat_fractions(matrices.weights, weights, tokens)),
            Text(""),
            Text(f"Z = A·V  context vectors ({n}×{d_out})", style="bold underline"),
            self._matrix(analysis, rows, outs, out_names, rows_of(matrices.context, rows), revealed_count >= 3),
        ]
        if len(rows) < n or len(outs) < d_out:
            parts.append(Text(window_note(rows, n, outs, d_out), style="italic"))
        return Group(*parts)
