"""Exports an engineer takes elsewhere: a runnable torch snippet and a CSV of the panels (no Textual).

Each mechanism writes its own snippet and CSV rows (e.g. :mod:`attn_tui.mechanisms.simple.export`);
this module picks the scenario's mechanism and holds what their CSVs share: one number per row, in
float32's shortest exact text.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

from attn_tui.core.scenario import Scenario

CSV_HEADER = ("quantity", "query", "token", "dimension", "value")


def python_snippet(scenario: Scenario) -> str:
    """Python/torch code that recomputes and prints the numbers on screen, for the scenario's mechanism."""
    from attn_tui.mechanisms import mechanism_named

    return mechanism_named(scenario.mechanism).python_snippet(scenario)


def panels_csv(analysis: Any, *, every_query: bool = False) -> str:
    """The panels as CSV, one number per row (see the mechanism's own ``panels_csv``).

    ``every_query`` exports the matrix view (every token as the query) instead of the current query.
    """
    from attn_tui.mechanisms import mechanism_named

    return mechanism_named(analysis.scenario.mechanism).panels_csv(analysis, every_query=every_query)


class CsvRows:
    """The CSV of :data:`CSV_HEADER`, written row by row."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\n")
        self._writer.writerow(CSV_HEADER)

    def per_token(self, quantity: str, query: str, tokens: Sequence[str], values: Any) -> None:
        """One row per token, e.g. the scores of one query."""
        for token, value in zip(tokens, float32_texts(values.tolist())):
            self._writer.writerow((quantity, query, token, "", value))

    def per_dimension(self, quantity: str, query: str, values: Any, token: str = "") -> None:
        """One row per dimension, e.g. a context vector (or a token's key, with ``token``)."""
        for dim, value in enumerate(float32_texts(values.tolist()), start=1):
            self._writer.writerow((quantity, query, token, dim, value))

    def text(self) -> str:
        return self._out.getvalue()


def float32_texts(values: Iterable[float]) -> list[str]:
    import numpy

    # str(float32) is the shortest text that reads back as the same float32: 0.9544, not 0.95440006…
    return [str(numpy.float32(value)) for value in values]
