"""Section 3.3, simple self-attention: no trainable weights, scores are plain dot products.

The unit's pieces: :mod:`.attention` (the pure torch computation, loop and matrix form),
:mod:`.compute` (its analysis of a scenario), :mod:`.walk` (the walkthrough's steps), :mod:`.export`
(snippet and CSV) and its views, the panels in :mod:`attn_tui.ui.widgets.panels` and
:mod:`attn_tui.ui.widgets.matrix_panel`.
"""

from __future__ import annotations

from attn_tui.mechanisms.base import Mechanism, Parts

SIMPLE = Mechanism(
    name="simple",
    section="3.3",
    title="simple self-attention",
    summary="no trainable weights",
    compares="ω/Σω, softmax_naive and torch.softmax side by side",
    parts=Parts(
        __name__,
        analyse=".compute:analyse",
        walkthrough=".walk:build_walkthrough",
        panels=(
            "attn_tui.ui.widgets.panels:ScoresPanel",
            "attn_tui.ui.widgets.panels:WeightsPanel",
            "attn_tui.ui.widgets.panels:ContextPanel",
        ),
        matrix_view="attn_tui.ui.widgets.matrix_panel:MatrixPanel",
        vector_spaces=".plot:vector_spaces",
        python_snippet=".export:python_snippet",
        panels_csv=".export:panels_csv",
    ),
)
