"""The settings dialog (o): the numbers and switches a mechanism declares besides its matrices
(3.5: dropout p, its seed, training or evaluation), one field each.

Generic: the fields come from the mechanism's :class:`~attn_tui.mechanisms.base.Setting` list.
Keyboard-driven like the other dialogs: Tab moves, Enter applies, Esc cancels; bad input is
explained and the dialog stays open with what was typed.
"""

from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from attn_tui.core.scenario import ScenarioError
from attn_tui.mechanisms.base import Setting, SettingValue
from attn_tui.ui.widgets.scenario_dialogs import _Dialog

SettingsCheck = Callable[[dict[str, SettingValue]], None]
"""Raises ScenarioError when the values do not go together."""


class SettingsDialog(_Dialog):
    """One field per setting, filled with its current value; closes with the new values by name."""

    def __init__(self, title: str, settings: tuple[Setting, ...], current: dict[str, SettingValue], check: SettingsCheck) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._settings = settings
        self._current = current
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body") as body:
            body.border_title = self._title
            body.border_subtitle = "Enter applies · Tab next field · Esc cancels"
            for setting in self._settings:
                with Horizontal(classes="dialog-fields"):
                    yield Label(setting.label)
                    yield Input(setting.shown(self._current[setting.name]), id=f"setting-{setting.name}")
            yield Static(
                "\n".join(f"{setting.label}: {setting.help}" for setting in self._settings if setting.help) + "\nu undoes.",
                classes="dialog-note",
            )
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False

    @on(Input.Submitted)
    def _apply(self) -> None:
        try:
            values = {setting.name: setting.parse(self.query_one(f"#setting-{setting.name}", Input).value) for setting in self._settings}
            self._check(values)
        except ScenarioError as error:
            self._refuse(error)
            return
        self.close(values)
