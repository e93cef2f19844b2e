"""The settings dialog (o): the numbers and switches a mechanism declares besides its matrices
(3.5: dropout p, its seed, training or evaluation), one field each: a text field for a number, a
switch for what is on or off.

Generic: the fields come from the mechanism's :class:`~attn_tui.mechanisms.base.Setting` list.
Keyboard-driven like the other dialogs: Tab moves, Space flips a switch, Enter applies (from any
field), Esc cancels; bad input is explained and the dialog stays open with what was typed.
"""

from __future__ import annotations

from typing import Callable

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
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
            # Every label as wide as the widest (and its padding): the fields start in one column.
            label_width = max(cell_len(setting.label) for setting in self._settings) + 2
            for setting in self._settings:
                value = self._current[setting.name]
                with Horizontal(classes="dialog-fields"):
                    label = Label(setting.label, classes="setting-label")
                    label.styles.width = label_width
                    yield label
                    if isinstance(setting.default, bool):
                        # The switch's knob is told apart by colour alone: its state in words
                        # beside it, for NO_COLOR and for a screen reader's line.
                        yield SettingSwitch(bool(value), animate=False, id=f"setting-{setting.name}")
                        yield Label(setting.shown(bool(value)), id=f"setting-{setting.name}-state", classes="setting-state")
                    else:
                        yield Input(setting.shown(value), id=f"setting-{setting.name}")
            # The focused field's help only: every setting's at once made 3.6's five-field dialog
            # taller than 24 lines, its last lines cut off.
            yield Static(self._note(self._settings[0]), classes="dialog-note")
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False

    @staticmethod
    def _note(setting: Setting) -> str:
        return f"{setting.label}: {setting.help}\nu undoes." if setting.help else "u undoes."

    def _setting_of(self, field: Widget) -> Setting | None:
        return next((setting for setting in self._settings if f"setting-{setting.name}" == field.id), None)

    @on(events.DescendantFocus)
    def _explain_focused(self, event: events.DescendantFocus) -> None:
        setting = self._setting_of(event.widget)
        if setting is not None:
            self.query_one(".dialog-note", Static).update(self._note(setting))

    @on(Switch.Changed)
    def _say_state(self, event: Switch.Changed) -> None:
        setting = self._setting_of(event.switch)
        if setting is not None:
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
