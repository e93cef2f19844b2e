"""The vector plot's axes dialog (A): any pair of dimensions, or the principal components.

One field, pre-filled with the plane on screen and selected, so typing replaces it: "3 7" Enter
draws dims 3–7, "pc" Enter the principal components. Bad input is explained inside the dialog,
which stays open with what was typed; Esc cancels.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from attn_tui.core.plot_data import Plane, parse_plane
from attn_tui.core.scenario import ScenarioError
from attn_tui.ui.widgets.scenario_dialogs import _Dialog


class AxesDialog(_Dialog):
    """Closes with the :class:`~attn_tui.core.plot_data.Plane` typed, or None (Esc)."""

    AUTO_FOCUS = "#axes"

    def __init__(self, current: Plane, n_dims: int, space: str) -> None:
        super().__init__(classes="dialog")
        self._current = current
        self._n_dims = n_dims
        self._space = space

    def compose(self) -> ComposeResult:
        n = self._n_dims
        with Vertical(classes="dialog-body") as body:
            body.border_title = "Axes of the vector plot"
            body.border_subtitle = "Enter draws · Esc cancels"
            with Horizontal(classes="dialog-fields"):
                yield Label("dims")
                yield Input(self._current.typed, id="axes")
            projection = "; pc: the first two principal components, a projection of all of them" if n > 2 else ""
            example = "1 3" if n > 2 else "2 1"
            yield Static(
                f"The {self._space} has {n} dimensions. Type the x and the y dimension, from 1 to {n} "
                f"(e.g. {example}){projection}. V moves on to the other planes and spaces.",
                classes="dialog-note",
            )
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False

    @on(Input.Submitted)
    def _draw(self) -> None:
        try:
            plane = parse_plane(self.query_one("#axes", Input).value, self._n_dims)
        except ScenarioError as error:
            self._refuse(error)
            return
        self.close(plane)
