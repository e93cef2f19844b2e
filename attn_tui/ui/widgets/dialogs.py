"""Small modal dialogs for files: a path prompt, a yes/no question, unsaved changes, the export snippet.

Keyboard first: every dialog answers to its keys (shown in it), Escape always cancels, and the
buttons are there for a mouse. Dialogs only ask; the app does the work with the answer.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Button, Input, Static

from attn_tui.ui.widgets.modal import Dialog

MAX_LISTED = 6
"""Files listed under a path prompt: enough to remind, few enough for 80×24."""


class PathSuggester(Suggester):
    """Completes the file or folder name being typed (→ or End accepts, as in a shell's Tab)."""

    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        folder, partial = os.path.split(value)
        if not partial:
            return None
        for entry in _entries(folder, self._suffixes):
            if entry.startswith(partial) and entry != partial:
                return os.path.join(folder, entry)
        return None


def _entries(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    """Sub-folders (with a trailing /) and files with one of ``suffixes``, sorted, hidden ones left out."""
    try:
        with os.scandir(os.path.expanduser(folder) or ".") as scan:
            entries = []
            for entry in scan:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    entries.append(entry.name + "/")
                elif not suffixes or entry.name.lower().endswith(suffixes):
                    entries.append(entry.name)
    except OSError:
        return []
    return sorted(entries, key=lambda name: (not name.endswith("/"), name.lower()))


class PathDialog(Dialog[str | None]):
    """Ask for a file name; dismisses with the path typed (``~`` expanded) or None (Escape)."""

    AUTO_FOCUS = "#path"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="file_dialog.cancel")]

    def __init__(self, title: str, prompt: str, *, default: str = "", suffixes: tuple[str, ...] = (), verb: str = "OK") -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt
        self._default = default
        self._suffixes = suffixes
        self._verb = verb

    def compose(self) -> ComposeResult:
        with Vertical(classes="file-dialog") as dialog:
            dialog.border_title = self._title
            dialog.border_subtitle = f"Enter {self._verb.lower()} · → completes · Esc cancels"
            yield Static(self._prompt, classes="file-dialog-prompt")
            yield Input(value=self._default, placeholder="file name", suggester=PathSuggester(self._suffixes), id="path")
            yield Static(id="file-dialog-error", classes="file-dialog-error")
            yield Static(id="listing", classes="file-dialog-listing")

    def on_mount(self) -> None:
        self._list_folder(self._default)

    @on(Input.Changed, "#path")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#file-dialog-error", Static).update("")
        self._list_folder(event.value)

    def _list_folder(self, value: str) -> None:
        folder = os.path.dirname(value)
        entries = _entries(folder, self._suffixes)
        shown = ", ".join(entries[:MAX_LISTED]) + (f", … ({len(entries) - MAX_LISTED} more)" if len(entries) > MAX_LISTED else "")
        where = folder or "this folder"
        self.query_one("#listing", Static).update(f"In {where}: {shown}" if entries else f"In {where}: no matching files")

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one("#file-dialog-error", Static).update("Type a file name (Esc cancels).")
            return
        self.close(os.path.expanduser(value))


class ConfirmDialog(Dialog[bool]):
    """A yes/no question; y answers yes, n or Escape no."""

    AUTO_FOCUS = "#no"
    """No is where the focus starts: Enter alone never replaces a file."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "Yes") -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="file-dialog") as dialog:
            dialog.border_title = self._title
            dialog.border_subtitle = "y yes · n/Esc no"
            yield Static(self._question, classes="file-dialog-prompt")
            with Horizontal(classes="file-dialog-buttons"):
                yield Button(f"{self._yes} (y)", id="yes", variant="warning", compact=True)
                yield Button("No (n)", id="no", compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.close(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.close(yes)


UnsavedAnswer = Literal["save", "discard", "cancel"]


class UnsavedChangesDialog(Dialog[UnsavedAnswer]):
    """Before quitting with unsaved changes: save (s), discard (d) or cancel (Esc)."""

    AUTO_FOCUS = "#save"

    BINDINGS = [
        Binding("s", "answer('save')", "Save", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard", id="unsaved.discard"),
        Binding("escape,c", "answer('cancel')", "Cancel", id="unsaved.cancel"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="file-dialog") as dialog:
            dialog.border_title = "Unsaved changes"
            dialog.border_subtitle = "s save · d discard · Esc cancel"
            yield Static(f"{self._what} has unsaved changes. Save them before quitting?", classes="file-dialog-prompt")
            with Horizontal(classes="file-dialog-buttons"):
                yield Button("Save (s)", id="save", variant="primary", compact=True)
                yield Button("Discard (d)", id="discard", variant="error", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.close(event.button.id)  # type: ignore[arg-type]

    def action_answer(self, answer: UnsavedAnswer) -> None:
        self.close(answer)


SnippetAnswer = Literal["save"] | None


class SnippetDialog(Dialog[SnippetAnswer]):
    """Shows a text to take away (the Python/torch snippet, the panels as CSV); c copies it to the
    clipboard, s saves it to a file (unless ``can_save`` is off, as in a class session)."""

    AUTO_FOCUS = "#snippet-scroll"

    BINDINGS = [
        Binding("c", "copy", "Copy to the clipboard", id="snippet.copy"),
        Binding("s", "save", "Save to a file", id="snippet.save"),
        Binding("escape,q", "cancel", "Close", id="snippet.close"),
    ]

    def __init__(
        self,
        code: str,
        *,
        title: str = "Python/torch snippet: reproduces these numbers",
        what: str = "the snippet",
        lexer: str = "python",
        can_save: bool = True,
    ) -> None:
        super().__init__()
        self.code = code
        """The text, exactly as copied or saved."""
        self.title = title
        self.what = what
        self.lexer = lexer
        self.can_save = can_save

    def compose(self) -> ComposeResult:
        # Imported here, not at the top: rich.syntax brings in pygments, a tenth of the start-up.
        from rich.syntax import Syntax

        with Vertical(classes="file-dialog", id="snippet-dialog") as dialog:
            dialog.border_title = self.title
            dialog.border_subtitle = "c copy · s save · Esc close" if self.can_save else "c copy · Esc close"
            with VerticalScroll(id="snippet-scroll"):
                yield Static(Syntax(self.code, self.lexer, theme="ansi_dark", word_wrap=False), id="snippet-code")
            with Horizontal(classes="file-dialog-buttons"):
                yield Button("Copy (c)", id="copy", variant="primary", compact=True)
                if self.can_save:
                    yield Button("Save… (s)", id="save", compact=True)
                yield Button("Close (Esc)", id="close", compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_save if action == "save" else True

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.code)
        hint = "s saves it to a file" if self.can_save else "or select it with the mouse"
        self.notify(f"Copied {self.what} to the clipboard (if your terminal allows it; {hint}).", title="Copied", markup=False)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.close("save")

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.action_cancel()


def display_name(path: str | os.PathLike[str] | None) -> str:
    """A file's name as a person recognises it in a title."""
    return Path(path).name if path else "This scenario"
