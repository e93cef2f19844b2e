"""The all-queries view: the n×n scores, the n×n weights as a heatmap, the n×d context vectors.

Row q of each matrix belongs to query token q; the current query's row is marked and bold, so it
reads the same as the single-query panels. Like them it only formats the analysis it is handed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from attn_tui.formatting import format_number
from attn_tui.heatmap import heat_style, scale_fractions
from attn_tui.widgets.panels import NOT_YET, Panel

if TYPE_CHECKING:
    from attn_tui.compute import Analysis

LABEL_WIDTH = 9
"""Row labels: the query mark and the token, cut to fit, then a space."""
CELL_WIDTH = 7
"""A space and a number with 4 decimals."""
QUERY_MARK = "▶"


def _clip(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


class MatrixPanel(Panel):
    """Every query at once, as in the seed's matrix form."""

    DEFAULT_TITLE = "All queries"

    def render_body(self, analysis: Analysis) -> Group:
        # As wide as the widest matrix: a narrow terminal scrolls sideways instead of cropping.
        widest = max(analysis.scenario.n_tokens, analysis.scenario.n_dims)
        self.query_one(".panel-body").styles.min_width = LABEL_WIDTH + CELL_WIDTH * widest
        return self._matrices(analysis)

    def title_for(self, analysis: Analysis) -> str:
        return "All queries (matrix form)"

    def _matrices(self, analysis: Analysis) -> Group:
        matrices = analysis.all_queries
        scenario = analysis.scenario
        revealed = self.known(analysis).matrices
        columns = list(scenario.tokens)
        dims = [f"dim {k + 1}" for k in range(scenario.n_dims)]
        weights = matrices.weights.tolist()
        # One scale for the whole matrix, so colours compare across rows too.
        flat = scale_fractions([w for row in weights for w in row])
        n = scenario.n_tokens
        heat = [flat[i * n : (i + 1) * n] for i in range(n)]
        return Group(
            Text(f"ω = X·Xᵀ  scores ({n}×{n})", style="bold underline"),
            self._matrix(analysis, columns, matrices.scores.tolist(), revealed >= 1),
            Text(""),
            Text(f"A = softmax(ω) by row  weights ({n}×{n})", style="bold underline"),
            self._matrix(analysis, columns, weights, revealed >= 2, heat=heat),
            Text(""),
            Text(f"Z = A·X  context vectors ({n}×{scenario.n_dims})", style="bold underline"),
            self._matrix(analysis, dims, matrices.context.tolist(), revealed >= 3),
        )

    def _matrix(
        self,
        analysis: Analysis,
        columns: Sequence[str],
        rows: list[list[float]],
        revealed: bool,
        heat: list[list[float]] | None = None,
    ) -> Table:
        scenario = analysis.scenario
        table = Table.grid(padding=0)
        table.add_column(no_wrap=True, width=LABEL_WIDTH)
        for _ in columns:
            # A fixed width: a narrow panel scrolls sideways rather than cutting numbers short.
            table.add_column(justify="right", no_wrap=True, min_width=CELL_WIDTH)
        table.add_row("", *(Text(f" {_clip(name, CELL_WIDTH - 1)}", style="italic") for name in columns))
        for i, (token, values) in enumerate(zip(scenario.tokens, rows)):
            is_query = i == scenario.query
            mark = QUERY_MARK if is_query else " "
            label = Text(_clip(f"{mark}{token}", LABEL_WIDTH - 1), style="bold reverse" if is_query else "")
            cells = []
            for k, value in enumerate(values):
                # A leading space inside the cell: the heatmap colour fills it too, keeping cells apart.
                text = f" {format_number(value) if revealed else NOT_YET}"
                style = heat_style(heat[i][k]) if heat is not None and revealed else ""
                cells.append(Text(text, style=style))
            table.add_row(label, *cells, style="bold" if is_query else "")
        return table
