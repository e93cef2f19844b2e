"""What the grid shows: one named matrix with its row labels — the embeddings or a weight matrix.

Plain data, built from the scenario for each show without copying: the embeddings' rows and
labels are the scenario's own tuples, so the grid still finds unchanged rows by identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from attn_tui.core.scenario import EMBEDDINGS, Scenario
from attn_tui.mechanisms.base import MatrixSpec


@dataclass(frozen=True)
class GridMatrix:
    name: str
    """The scenario's name for it: ``"X"`` for the embeddings, else the parameter's, e.g. ``"W_q"``."""
    title: str
    """The grid's border title."""
    corner: str
    """The header of the label column."""
    column_prefix: str
    """Columns are headed "dim 1", "out 2" …"""
    row_labels: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]
    marked_row: int | None
    """The query's row in the embeddings (marked ▶); None in a weight matrix."""
    labels_editable: bool
    """Token labels can be renamed; a weight matrix's row labels name the input dimensions."""

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_columns(self) -> int:
        return len(self.rows[0])

    def column_header(self, column: int) -> str:
        """The header of data column ``column`` (0-based)."""
        return f"{self.column_prefix} {column + 1}"


EMBEDDINGS_TITLE = "Embeddings x⁽ⁱ⁾"


def embeddings_matrix(scenario: Scenario) -> GridMatrix:
    return GridMatrix(EMBEDDINGS, EMBEDDINGS_TITLE, "token", "dim", scenario.tokens, scenario.embeddings, scenario.query, True)


def weight_matrix(scenario: Scenario, spec: MatrixSpec) -> GridMatrix:
    rows = scenario.matrix(spec.name)
    labels = _input_labels(spec.row_label, len(rows))
    return GridMatrix(spec.name, spec.title, spec.name, spec.column_label, labels, rows, None, False)


@lru_cache(maxsize=64)
def _input_labels(prefix: str, count: int) -> tuple[str, ...]:
    # The same tuple for the same shape: an edit of a weight leaves the labels identical.
    return tuple(f"{prefix} {i + 1}" for i in range(count))
