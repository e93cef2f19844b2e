"""Choosing the mechanism (3.3 simple, 3.4 trainable …) and which of its matrices the grid edits.

A mixin of :class:`~attn_tui.ui.app.AttnApp`. It knows mechanisms only through the registry and
:class:`~attn_tui.mechanisms.base.Mechanism`: adding a mechanism changes nothing here.

A switch keeps the tokens, the embeddings and the query; the mechanism's parameters come from the
last time it was shown in this session (while the embeddings keep their dimension), or else its
defaults — the book's weights. Like every change it goes through ``change_scenario``, so undo
brings back the mechanism before, with its parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from attn_tui.core.scenario import EMBEDDINGS, Scenario
from attn_tui.mechanisms import MECHANISMS, mechanism_named, neighbour
from attn_tui.mechanisms.base import Mechanism
from attn_tui.ui.widgets.grid_matrix import GridMatrix, embeddings_matrix, weight_matrix
from attn_tui.ui.widgets.weights_dialog import WeightsChoice, WeightsDialog

if TYPE_CHECKING:
    from attn_tui.core.parameters import Parameters
    from attn_tui.ui.app import AttnApp

MECHANISM_KEYS = Binding.Group("Section", compact=True)
"""The footer's one entry for the previous and next mechanism keys."""

MECHANISM_BINDINGS = [
    # Shifted [ ], beside the query keys; no cell edit starts with them.
    Binding("left_curly_bracket", "mechanism_step(-1)", "Previous mechanism", key_display="{", group=MECHANISM_KEYS, id="mechanism.previous"),
    Binding("right_curly_bracket", "mechanism_step(1)", "Next mechanism", key_display="}", group=MECHANISM_KEYS, id="mechanism.next"),
    Binding("W", "new_weights", "New weights: initialisation, seed, d_out", show=False, id="mechanism.weights"),
]
"""Which section of the chapter is shown, and which of its matrices the grid edits."""

MECHANISM_ACTIONS = frozenset(binding.action.partition("(")[0] for binding in MECHANISM_BINDINGS)
"""Only on the main screen: a key typed into a dialog must not switch what is behind it."""


class MechanismActions:
    """Actions for :data:`MECHANISM_BINDINGS` (mixed into AttnApp)."""

    grid_matrix: str = EMBEDDINGS
    """The matrix the grid shows and edits: the embeddings, or one of the mechanism's matrices."""

    _next_weights_seed: int | None = None
    """The seed the weights dialog offers: one more than the last one used (None: the
    initialisation's own, as in the book)."""

    _parameters_seen: dict[str, tuple[int, Parameters]]
    """Each mechanism's parameters as last shown, with the embedding dimension they fit (set by
    the app's constructor)."""

    @property
    def mechanism(self: AttnApp) -> Mechanism:
        return mechanism_named(self.scenario.mechanism)

    def action_mechanism_step(self: AttnApp, step: int) -> None:
        """Show the next (+1) or previous (-1) section of the chapter."""
        self.choose_mechanism(neighbour(self.scenario.mechanism, step).name)

    def choose_mechanism(self: AttnApp, name: str) -> None:
        """Show mechanism ``name``, keeping tokens, embeddings and query."""
        chosen = mechanism_named(name)
        if chosen.name == self.scenario.mechanism:
            return
        if not self.is_ready:
            self._say("The numbers are still loading; try again in a moment.")
            return
        self._close_cell_edit()
        updated = self.scenario.with_mechanism(chosen.name, self._parameters_for(chosen, self.scenario))
        self.change_scenario(updated, f"Mechanism: {chosen.heading}.")

    def _parameters_for(self: AttnApp, mechanism: Mechanism, scenario: Scenario) -> Parameters:
        seen = self._parameters_seen.get(mechanism.name)
        if seen is not None and seen[0] == scenario.n_dims:
            return seen[1]
        return mechanism.default_parameters(scenario)

    def complete_parameters(self: AttnApp) -> None:
        """Give the scenario the parameters its mechanism needs, once torch can make them: a file
        or ``--mechanism`` may name a mechanism before torch has loaded, and inserting an embedding
        file of another dimension drops weights that no longer fit. Not an edit of its own: it is
        neither recorded for undo nor an unsaved change."""
        scenario = self.scenario
        mechanism = mechanism_named(scenario.mechanism)
        if not mechanism.needs_parameters(scenario):
            return
        completed = scenario.with_mechanism(mechanism.name, self._parameters_for(mechanism, scenario))
        if self.saved_scenario == scenario:
            self.saved_scenario = completed
        self.set_reactive(type(self).scenario, completed)

    def remember_parameters(self: AttnApp, scenario: Scenario) -> None:
        if scenario.parameters:
            self._parameters_seen[scenario.mechanism] = (scenario.n_dims, scenario.parameters)

    # --- new weights ---

    def action_new_weights(self: AttnApp) -> None:
        """Ask how to fill the mechanism's weight matrices anew (initialisation, seed, d_out)."""
        mechanism = self.mechanism
        if not mechanism.initialisations:
            self._say(f"{mechanism.heading} has no weights to draw: {{ }} switch to a section with weights.")
            return
        if not self.is_ready or mechanism.needs_parameters(self.scenario):
            self._say("The numbers are still loading; try again in a moment.")
            return
        self._close_cell_edit()
        dialog = WeightsDialog(mechanism.initialisations, self._next_weights_seed, mechanism.d_out(self.scenario), mechanism.max_d_out, self.scenario.n_dims)
        self.push_screen(dialog, self._weights_chosen)

    def _weights_chosen(self: AttnApp, choice: WeightsChoice | None) -> None:
        if choice is None:
            self._say("New weights cancelled: nothing changed.")
            return
        mechanism = self.mechanism
        self._next_weights_seed = choice.seed + 1
        parameters = mechanism.initialise(self.scenario, choice.initialisation, choice.seed, choice.d_out)
        described = next(init.description for init in mechanism.initialisations if init.name == choice.initialisation)
        self.change_scenario(
            self.scenario.with_mechanism(mechanism.name, parameters),
            f"New weights: {described}, seed {choice.seed}, d_out {choice.d_out}.",
            hint="u undoes.",
        )

    # --- the grid's matrix ---

    def action_next_grid_matrix(self: AttnApp) -> None:
        """Cycle the grid through the embeddings and the mechanism's matrices."""
        names = [EMBEDDINGS, *(spec.name for spec in self.mechanism.matrices)]
        if len(names) == 1:
            self._say(f"{self.mechanism.heading} has no weight matrices: the grid shows the embeddings.")
            return
        self._close_cell_edit()
        current = names.index(self.grid_matrix) if self.grid_matrix in names else 0
        self.grid_matrix = names[(current + 1) % len(names)]
        self.show_grid()
        shown = self.shown_grid_matrix()
        self._say(f"The grid shows {shown.title}. g shows the next matrix.")

    def shown_grid_matrix(self: AttnApp) -> GridMatrix:
        """What the grid shows for the current scenario (the embeddings when the chosen matrix is
        not one of the mechanism's, or its parameters are not there yet)."""
        scenario = self.scenario
        for spec in self.mechanism.matrices:
            if spec.name == self.grid_matrix and spec.name in scenario.parameters:
                return weight_matrix(scenario, spec)
        return embeddings_matrix(scenario)


def mechanism_commands() -> list[tuple[str, str, str]]:
    """(palette name, mechanism name, help) for every mechanism, in the book's order."""
    return [(f"Mechanism: {m.section} {m.title}", m.name, f"Show section {m.section}: {m.summary}") for m in MECHANISMS]
