"""The settings dialog (o): the numbers and switches a mechanism declares besides its matrices
(3.5: dropout p, its seed, training or evaluation), one field each: a text field for a number, a
switch for what is on or off.

Generic: the fields come from the mechanism's :class:`~attn_tui.mechanisms.base.Setting` list.
Keyboard-driven like the other dialogs: Tab moves, Space flips a switch, Enter applies (from any
field), Esc cancels; bad input is explained and the dialog stays open with what was typed.
"""

from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static, Switch

from attn_tui.core.scenario import ScenarioError
from attn_tui.mechanisms.base import Setting, SettingValue
from attn_tui.ui.widgets.scenario_dialogs import _Dialog

SettingsCheck = Callable[[dict[str, SettingValue]], None]
"""Raises ScenarioError when the values do not go together."""


class SettingSwitch(Switch, inherit_bindings=False):
    """An on/off setting. Space flips it; Enter is left to the dialog, where it applies from every
    field (Textual's Switch would flip on Enter too)."""

    BINDINGS = [Binding("space", "toggle_switch", "Switch on/off", id="settings.switch")]

    SCOPED_CSS = False  # the rule names the app, an ancestor
    DEFAULT_CSS = """
    /* Without colour, focus shows in the border's shape (Textual's differs by shade alone). */
    App:nocolor SettingSwitch:focus { border: double $border; }
    """


class SettingsDialog(_Dialog):
    """One field per setting, filled with its current value; closes with the new values by name."""

    BINDINGS = [Binding("enter", "apply", "Apply", show=False, id="settings.apply")]
    """Enter in a text field submits it (the same); on a switch, it reaches the dialog."""

    def __init__(self, title: str, settings: tuple[Setting, ...], current: dict[str, SettingValue], check: SettingsCheck) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._settings = settings
        self._current = current
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body") as body:
            body.border_title = self._title
            body.border_subtitle = "Enter applies · Tab next field · Space switches · Esc cancels"
            for setting in self._settings:
                value = self._current[setting.name]
                with Horizontal(classes="dialog-fields"):
                    yield Label(setting.label, classes="setting-label")
                    if isinstance(setting.default, bool):
                        # The switch's knob is told apart by colour alone: its state in words
                        # beside it, for NO_COLOR and for a screen reader's line.
                        yield SettingSwitch(bool(value), animate=False, id=f"setting-{setting.name}")
                        yield Label(setting.shown(bool(value)), id=f"setting-{setting.name}-state", classes="setting-state")
                    else:
                        yield Input(setting.shown(value), id=f"setting-{setting.name}")
            yield Static(
                "\n".join(f"{setting.label}: {setting.help}" for setting in self._settings if setting.help) + "\nu undoes.",
                classes="dialog-note",
            )
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False

    @on(Switch.Changed)
    def _say_state(self, event: Switch.Changed) -> None:
        setting = next(setting for setting in self._settings if f"setting-{setting.name}" == event.switch.id)
        self.query_one(f"#setting-{setting.name}-state", Label).update(setting.shown(event.value))

    def _value(self, setting: Setting) -> SettingValue:
        field = self.query_one(f"#setting-{setting.name}")
        return field.value if isinstance(field, Switch) else setting.parse(field.value)  # type: ignore[attr-defined]

    @on(Input.Submitted)
    def action_apply(self) -> None:
        try:
            values = {setting.name: self._value(setting) for setting in self._settings}
            self._check(values)
        except ScenarioError as error:
            self._refuse(error)
            return
        self.close(values)
