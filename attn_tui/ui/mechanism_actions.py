"""Choosing the mechanism (3.3 simple, 3.4 trainable …) and which of its matrices the grid edits.

A mixin of :class:`~attn_tui.ui.app.AttnApp`. It knows mechanisms only through the registry and
:class:`~attn_tui.mechanisms.base.Mechanism`: adding a mechanism changes nothing here.

A switch keeps the tokens, the embeddings and the query; the mechanism's parameters come from the
last time it was shown in this session (while the embeddings keep their dimension), or else its
defaults — the book's weights. Like every change it goes through ``change_scenario``, so undo
brings back the mechanism before, with its parameters.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding

from attn_tui.core.scenario import EMBEDDINGS, Scenario, ScenarioError
from attn_tui.mechanisms import MECHANISMS, mechanism_named, neighbour
from attn_tui.mechanisms.base import Mechanism, SettingValue
from attn_tui.ui.widgets.grid_matrix import GridMatrix, embeddings_matrix, weight_matrix

if TYPE_CHECKING:
    from attn_tui.ui.widgets.weights_dialog import WeightsChoice
    from attn_tui.core.parameters import Parameters
    from attn_tui.ui.app import AttnApp

MECHANISM_KEYS = Binding.Group("Section", compact=True)
"""The footer's one entry for the previous and next mechanism keys."""

MECHANISM_BINDINGS = [
    # Shifted [ ], beside the query keys; no cell edit starts with them.
    Binding("left_curly_bracket", "mechanism_step(-1)", "Previous mechanism", key_display="{", group=MECHANISM_KEYS, id="mechanism.previous"),
    Binding("right_curly_bracket", "mechanism_step(1)", "Next mechanism", key_display="}", group=MECHANISM_KEYS, id="mechanism.next"),
    Binding("W", "new_weights", "New weights: initialisation, seed, d_out", show=False, id="mechanism.weights"),
    # The next three act on what a mechanism declares (3.5: dropout) and are off in the others.
    Binding("o", "mechanism_settings", "Settings of the section (3.5: dropout p, seed, training)", show=False, id="mechanism.settings"),
    Binding("D", "mechanism_redraw", "Re-draw with the next seed (3.5: the dropout mask)", show=False, id="mechanism.redraw"),
    Binding("T", "mechanism_switch", "Switch training / evaluation (3.5, 3.6: dropout acts or not)", show=False, id="mechanism.switch"),
    Binding("H", "mechanism_cycle", "Next head (3.6: the head the panels show)", show=False, id="mechanism.cycle"),
]
"""Which section of the chapter is shown, and which of its matrices the grid edits."""

MECHANISM_ACTIONS = frozenset(binding.action.partition("(")[0] for binding in MECHANISM_BINDINGS)
"""Only on the main screen: a key typed into a dialog must not switch what is behind it."""


DECLARED_ACTIONS = {
    "mechanism_settings": lambda mechanism: bool(mechanism.settings),
    "mechanism_redraw": lambda mechanism: bool(mechanism.redraw_setting),
    "mechanism_switch": lambda mechanism: bool(mechanism.switch_setting),
    "mechanism_cycle": lambda mechanism: bool(mechanism.cycle_setting),
}
"""Actions available only when the current mechanism declares what they act on."""


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
        from attn_tui.ui.widgets.weights_dialog import WeightsDialog  # on first use: not on the start-up path

        dialog = WeightsDialog(mechanism.initialisations, self._next_weights_seed, mechanism.d_out(self.scenario), mechanism.max_d_out, self.scenario.n_dims)
        self.push_screen(dialog, self._weights_chosen)

    def _weights_chosen(self: AttnApp, choice: WeightsChoice | None) -> None:
        if choice is None:
            self._say("New weights cancelled: nothing changed.")
            return
        mechanism = self.mechanism
        try:
            parameters = mechanism.initialise(self.scenario, choice.initialisation, choice.seed, choice.d_out)
        except ScenarioError as error:  # e.g. 3.6: d_out not divisible by the number of heads
            self._say(f"Refused: {error}", error=True)
            return
        self._next_weights_seed = choice.seed + 1
        described = next(init.description for init in mechanism.initialisations if init.name == choice.initialisation)
        self.change_scenario(
            self.scenario.with_mechanism(mechanism.name, parameters),
            f"New weights: {described}, seed {choice.seed}, d_out {choice.d_out}.",
            hint="u undoes.",
        )

    # --- settings the mechanism declares ---

    def mechanism_action_available(self: AttnApp, action: str) -> bool:
        """Mechanism keys act on the main screen only, and the declared ones only in a mechanism
        that declares what they act on (so 3.3's footer and palette do not offer dropout)."""
        declared = DECLARED_ACTIONS.get(action)
        return len(self.screen_stack) == 1 and (declared is None or declared(self.mechanism))

    def _settings_ready(self: AttnApp) -> bool:
        if not self.is_ready or self.mechanism.needs_parameters(self.scenario):
            self._say("The numbers are still loading; try again in a moment.")
            return False
        return True

    def action_mechanism_settings(self: AttnApp) -> None:
        """Edit the mechanism's settings (e.g. dropout p, seed, training) in a dialog."""
        mechanism = self.mechanism
        if not mechanism.settings or not self._settings_ready():
            return
        self._close_cell_edit()
        scenario = self.scenario
        current = {setting.name: mechanism.setting(scenario, setting.name) for setting in mechanism.settings}
        from attn_tui.ui.widgets.settings_dialog import SettingsDialog  # on first use: not on the start-up path

        dialog = SettingsDialog(f"Settings of {mechanism.heading}", mechanism.settings, current, partial(mechanism.check_settings, scenario))
        self.push_screen(dialog, self._settings_chosen)

    def _settings_chosen(self: AttnApp, values: dict[str, SettingValue] | None) -> None:
        if values is None:
            self._say("Settings cancelled: nothing changed.")
            return
        self._set_settings(values, "Settings")

    def _set_settings(self: AttnApp, values: dict[str, SettingValue], what: str, note: str = "", *, described: bool = True) -> None:
        """Set ``values``, saying ``what`` (followed by every value set, when ``described``) and ``note``."""
        mechanism = self.mechanism
        try:
            mechanism.check_settings(self.scenario, values)
            parameters = mechanism.with_settings(self.scenario, values)
        except ScenarioError as error:
            self._say(f"Refused: {error}", error=True)
            return
        if described:
            what += ": " + ", ".join(f"{spec.label} {spec.shown(values[spec.name])}" for spec in mechanism.settings if spec.name in values)
        self.change_scenario(self.scenario.with_mechanism(mechanism.name, parameters), f"{what}. {note}".strip(), hint="u undoes.")

    def action_mechanism_redraw(self: AttnApp) -> None:
        """The declared seed's next value: something random drawn anew (3.5: the dropout mask)."""
        mechanism = self.mechanism
        if not mechanism.redraw_setting or not self._settings_ready():
            return
        seed = int(mechanism.setting(self.scenario, mechanism.redraw_setting)) + 1
        spec = next(spec for spec in mechanism.settings if spec.name == mechanism.redraw_setting)
        if seed > spec.high:
            seed = int(spec.low)  # wrap around at the largest seed torch takes
        self._set_settings({mechanism.redraw_setting: seed}, "Re-drawn", mechanism.redraw_note)

    def action_mechanism_switch(self: AttnApp) -> None:
        """Flip the declared on/off setting (3.5: training, where dropout acts, or evaluation)."""
        mechanism = self.mechanism
        if not mechanism.switch_setting or not self._settings_ready():
            return
        on = not mechanism.setting(self.scenario, mechanism.switch_setting)
        self._set_settings({mechanism.switch_setting: on}, "Switched", mechanism.switch_note if on else "")

    def action_mechanism_cycle(self: AttnApp) -> None:
        """The declared setting's next value, back to 1 after its limit (3.6: the next head)."""
        mechanism = self.mechanism
        if not mechanism.cycle_setting or not self._settings_ready():
            return
        limit = int(mechanism.setting(self.scenario, mechanism.cycle_limit_setting))
        value = int(mechanism.setting(self.scenario, mechanism.cycle_setting)) % max(1, limit) + 1
        spec = next(spec for spec in mechanism.settings if spec.name == mechanism.cycle_setting)
        self._set_settings({mechanism.cycle_setting: value}, f"{spec.label.capitalize()}: {value} of {limit}", described=False)

    # --- the grid's matrix ---

    def action_next_grid_matrix(self: AttnApp) -> None:
        """Cycle the grid through the embeddings and the mechanism's matrices."""
        names = [EMBEDDINGS, *(spec.name for spec in self.mechanism.matrix_specs(self.scenario))]
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
        for spec in self.mechanism.matrix_specs(scenario):
            if spec.name == self.grid_matrix and spec.name in scenario.parameters:
                return weight_matrix(scenario, spec)
        return embeddings_matrix(scenario)


def mechanism_commands() -> list[tuple[str, str, str]]:
    """(palette name, mechanism name, help) for every mechanism, in the book's order."""
    return [(f"Mechanism: {m.section} {m.title}", m.name, f"Show section {m.section}: {m.summary}") for m in MECHANISMS]
