"""Section 3.3, simple self-attention: no trainable weights, scores are plain dot products.

The unit's pieces: :mod:`.attention` (the pure torch computation, loop and matrix form),
:mod:`.compute` (its analysis of a scenario), :mod:`.walk` (the walkthrough's steps), :mod:`.export`
(snippet and CSV) and its views, the panels in :mod:`attn_tui.ui.widgets.panels` and
:mod:`attn_tui.ui.widgets.matrix_panel`.
"""

from __future__ import annotations

from typing import Any, Sequence

from attn_tui.mechanisms.base import Mechanism


class SimpleAttention(Mechanism):
    def analyse(self, scenario: Any, previous: Any = None) -> Any:
        from attn_tui.mechanisms.simple.compute import analyse

        return analyse(scenario, previous)

    def walkthrough(self, analysis: Any) -> Any:
        from attn_tui.mechanisms.simple.walk import build_walkthrough

        return build_walkthrough(analysis)

    def panels(self) -> Sequence[type]:
        from attn_tui.ui.widgets.panels import ContextPanel, ScoresPanel, WeightsPanel

        return (ScoresPanel, WeightsPanel, ContextPanel)

    def matrix_view(self) -> type:
        from attn_tui.ui.widgets.matrix_panel import MatrixPanel

        return MatrixPanel

    def vector_spaces(self, analysis: Any, progress: Any = None) -> tuple[Any, ...]:
        from attn_tui.mechanisms.simple.plot import vector_spaces

        return vector_spaces(analysis, progress)

    def python_snippet(self, scenario: Any) -> str:
        from attn_tui.mechanisms.simple.export import python_snippet

        return python_snippet(scenario)

    def panels_csv(self, analysis: Any, *, every_query: bool = False) -> str:
        from attn_tui.mechanisms.simple.export import panels_csv

        return panels_csv(analysis, every_query=every_query)


SIMPLE = SimpleAttention(
    name="simple",
    section="3.3",
    title="simple self-attention",
    summary="no trainable weights",
    compares="ω/Σω, softmax_naive and torch.softmax side by side",
)
