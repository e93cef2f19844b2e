"""The `?` screen: every key the app answers to, generated from the bindings themselves."""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.widgets import Static

from attn_tui.ui.widgets.modal import Dialog

INTRO = (
    "attn-tui shows simple self-attention (Raschka, ch. 3.3): edit any embedding and the scores "
    "ω, the softmax weights α and the context vector z recompute at once. Press w to see each "
    "number arise step by step, m for every query at once, t to try your own sentence; u undoes."
)


def keys_table(sections: Iterable[tuple[str, Iterable[Binding]]]) -> Table:
    """One row per binding with a description, grouped by where it applies."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for title, bindings in sections:
        table.add_row("", "")
        table.add_row(f"[u]{title}[/u]", "")
        # Bindings that do the same thing share a row: "space, n, →  Next step".
        keys_by_description: dict[str, list[str]] = {}
        for binding in bindings:
            # A tooltip is the long form of a footer's short description.
            description = binding.tooltip or binding.description
            if not description:
                continue
            keys = keys_by_description.setdefault(description, [])
            keys.extend(key for key in display_keys([binding]) if key not in keys)
        for description, keys in keys_by_description.items():
            table.add_row(", ".join(keys), description)
    return table


def display_keys(bindings: Iterable[Binding]) -> list[str]:
    """The keys of ``bindings`` as a person reads them ("Ctrl+s", "→"), without repeats."""
    keys: list[str] = []
    for binding in bindings:
        keys.extend(key for key in map(_display_key, binding.key.split(",")) if key not in keys)
    return keys


def _display_key(key: str) -> str:
    key = key.strip()
    names = {
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "question_mark": "?",
        "escape": "Esc",
        "enter": "Enter",
        "up": "↑",
        "down": "↓",
        "left": "←",
        "right": "→",
        "pageup": "PgUp",
        "pagedown": "PgDn",
        "home": "Home",
        "end": "End",
        "tab": "Tab",
        "space": "Space",
        "backspace": "Backspace",
        "less_than_sign": "<",
        "greater_than_sign": ">",
    }
    if key in names:
        return names[key]
    character = key_to_character(key)
    if character is not None and character.isprintable() and not character.isspace():
        return character  # any other printable key by its character: "left_curly_bracket" is {
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return key.replace("ctrl+", "Ctrl+").replace("shift+", "Shift+").replace("+tab", "+Tab")


class HelpScreen(Dialog[None]):
    """Lists every key binding; Esc, q, ? or F1 closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "cancel", "Close help", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys — attn-tui"
            body.border_subtitle = "Esc closes"
            yield Static(INTRO, id="help-intro")
            yield Static(keys_table(self._sections), id="help-keys")
