"""Files in the app: save, open, import, export and the unsaved-changes guard, as a mixin of AttnApp.

The pure work (reading, validating, writing atomically, building the snippet) lives in
:mod:`attn_tui.core.files` and :mod:`attn_tui.core.export`; this module asks the questions (dialogs) and
reports the outcome. A file that cannot be read changes nothing: the scenario is replaced only
after the whole file has been read and validated, and only through ``change_scenario``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from textual import work
from textual.binding import Binding
from textual.message import Message

from attn_tui.core.quoting import quote
from attn_tui.core.export import panels_csv, python_snippet
from attn_tui.core.files import (
    EMBEDDING_SUFFIXES,
    SUPPORTED_SUFFIXES,
    FileExists,
    Loaded,
    ViewOptions,
    load_file,
    save_scenario,
    write_text_atomically,
)
from attn_tui.core.scenario import Scenario, ScenarioError
from attn_tui.ui.session_policy import LOCAL, SessionPolicy
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.dialogs import ConfirmDialog, PathDialog, SnippetDialog, UnsavedAnswer, UnsavedChangesDialog, display_name

if TYPE_CHECKING:
    from attn_tui.ui.app import AttnApp

    _Base = AttnApp
else:
    _Base = object

FILE_BINDINGS = [
    # Not in the footer (no room at 80 columns): in the help screen, the command palette and README.
    Binding("ctrl+s", "save", "Save the scenario (JSON)", show=False, id="file.save"),
    Binding("f2", "save_as", "Save the scenario as…", show=False, id="file.save_as"),
    Binding("ctrl+o", "open", "Open a scenario or embeddings file", show=False, id="file.open"),
    Binding("ctrl+l", "import_embeddings", "Import embeddings (CSV, .npy, .pt)", show=False, id="file.import"),
    Binding("ctrl+e", "export_snippet", "Export a Python/torch snippet", show=False, id="file.export_snippet"),
    Binding("ctrl+t", "export_csv", "Export the panels as CSV", show=False, id="file.export_csv"),
    Binding("f12", "export_svg", "Save an SVG screenshot", show=False, id="file.export_svg"),
]
"""Saving, opening, importing and exporting."""

DIALOG_KEYS = [
    Binding("enter", "", "File name: accept it"),
    Binding("right", "", "File name: complete it"),
    Binding("y,n", "", "Replace the existing file? yes / no"),
    Binding("s,d", "", "Unsaved changes: save / discard"),
    Binding("c", "", "Snippet: copy to the clipboard"),
    Binding("s", "", "Snippet: save to a file"),
    Binding("escape", "", "Cancel / close"),
]
"""The keys of the file dialogs as a person thinks of them, for the help screen."""



class AfterPendingInput(Message):
    """Carries a callback from the app down to the focused widget and, bubbling, back up."""

    def __init__(self, callback: Callable[[], object]) -> None:
        super().__init__()
        self.callback = callback


@dataclass(frozen=True)
class Document:
    """Which file a scenario belongs to, as the header names it."""

    path: Path | None = None
    """The JSON file Ctrl+S writes to."""
    imported_from: Path | None = None
    """The embeddings file it was imported from."""
    saved: Scenario | None = None
    """The scenario as opened or saved; anything else is unsaved."""


UNTITLED = Document()
"""A scenario made here (a preset, a sentence): no file yet."""
_Action = TypeVar("_Action", bound=Callable[..., object])


def uses_local_files(action: _Action) -> _Action:
    """An action that reads or writes this machine's files: refused, with the policy's reason,
    in a session whose policy keeps it away from them (see :mod:`attn_tui.ui.session_policy`).
    A refused action returns None."""

    @wraps(action)
    def guarded(self: FileActions, *args: object, **kwargs: object) -> object:
        if not self.policy.uses_local_files:
            self.notify(self.policy.refusal, title="Not on this server", severity="warning", markup=False)
            return
        return action(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


UNSAVED_MARK = "•"
DEFAULT_SCENARIO_NAME = "scenario.json"


class FileActions(_Base):
    """The file actions of :class:`~attn_tui.ui.app.AttnApp` (which provides the scenario and views)."""

    document_path: Path | None = None
    """The JSON file Ctrl+S writes to: the one opened or last saved; None until then."""

    imported_from: Path | None = None
    """The embeddings file (CSV, .npy, .pt) the scenario came from, named in the header; None for a
    JSON scenario or one made here."""

    policy: SessionPolicy = LOCAL
    """What this session may do with this machine's files."""

    saved_scenario: Scenario | None = None
    """The scenario as last opened or saved; anything else is an unsaved change."""

    _documents: dict[int, tuple[Scenario, Document]] | None = None
    """Scenarios that began or ended a document (by identity), with it: undo and redo through an
    open, a preset or a sentence bring the header's file back with the scenario."""

    def switch_document(self, updated: Scenario, document: Document) -> None:
        """``updated`` replaces the scenario as ``document``'s (a file opened, a preset, a sentence)."""
        if self._documents is None:
            self._documents = {}
        current = self.scenario
        self._documents[id(current)] = (current, Document(self.document_path, self.imported_from, self.saved_scenario))
        self._documents[id(updated)] = (updated, document)
        self._use_document(document)

    def _use_document(self, document: Document) -> None:
        self.document_path, self.imported_from, self.saved_scenario = document.path, document.imported_from, document.saved

    @property
    def unsaved(self) -> bool:
        """The scenario differs from the one last opened or saved (views do not count)."""
        return self.scenario != self.saved_scenario

    def view_options(self) -> ViewOptions:
        return ViewOptions(matrix_view=self.matrix_view, compare_normalisations=self.compare_normalisations)

    def show_file_state(self) -> None:
        """The header names the file (or else the mechanism), the section, and marks unsaved
        changes with •."""
        remembered = (self._documents or {}).get(id(self.scenario))
        if remembered is not None and remembered[0] is self.scenario:
            self._use_document(remembered[1])  # undone or redone to where a document began or ended
        if self.document_path:
            name = f"{self.document_path.name} · ch. {self.mechanism.section}"
        elif self.imported_from:
            name = f"imported from {self.imported_from.name} · ch. {self.mechanism.section}"
        else:
            name = self.mechanism.heading
        self.sub_title = f"{name} {UNSAVED_MARK} unsaved" if self.unsaved else name

    # --- save ---

    @uses_local_files
    def action_save(self) -> None:
        """Save to the current file, or ask for a name the first time."""
        self.after_pending_input(self._save_or_ask)

    def _save_or_ask(self, then: Callable[[], None] | None = None, problem: str = "Not saved") -> None:
        """Save to the current file, or ask for a name the first time; ``then`` runs after success,
        and a failure is notified under the title ``problem``."""
        if self.document_path is None:
            self.action_save_as(then=then)
            return
        try:
            self._save_scenario(self.document_path, overwrite=True, then=then)
        except ScenarioError as error:
            self._file_problem(error, problem)

    @uses_local_files
    def action_save_as(self, then: Callable[[], None] | None = None) -> None:
        """Ask for a file name, confirm before replacing a file, then save; ``then`` runs after success."""
        default = str(self.document_path) if self.document_path else DEFAULT_SCENARIO_NAME

        def chosen(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer)
            if not path.suffix:
                path = path.with_suffix(".json")
            if path.suffix.lower() != ".json":
                self.notify(f"{path}: a scenario is saved as JSON; use a name ending in .json", title="Not saved", severity="error", markup=False)
                return
            self._write_confirmed(path, lambda overwrite: self._save_scenario(path, overwrite=overwrite, then=then))

        self.push_screen(PathDialog("Save scenario as", "File name (JSON):", default=default, suffixes=(".json",), verb="Save"), chosen)

    def _save_scenario(self, path: Path, *, overwrite: bool, then: Callable[[], None] | None = None) -> None:
        scenario = self.scenario
        save_scenario(path, scenario, self.view_options(), overwrite=overwrite)
        self.document_path = path
        self.saved_scenario = scenario
        self._documents = None  # from now on undo stays in this file, whatever it came from
        self.show_file_state()
        self.notify(f"Saved {path}", title="Saved", markup=False)
        self._say(f"Saved {path}.")  # replaces a hint about the scenario before it was saved
        if then is not None:
            then()

    def _write_confirmed(self, path: Path, write: Callable[[bool], None]) -> None:
        """Run ``write(overwrite)``; if the file exists, ask before replacing it. Errors are notified."""
        try:
            write(False)
        except FileExists:

            def answered(replace: bool | None) -> None:
                if replace:
                    try:
                        write(True)
                    except ScenarioError as error:
                        self._file_problem(error, "Not saved")

            self.push_screen(ConfirmDialog("Replace file?", f"{path} already exists. Replace it?", yes="Replace"), answered)
        except ScenarioError as error:
            self._file_problem(error, "Not saved")

    def _file_problem(self, error: ScenarioError, title: str) -> None:
        self.notify(str(error), title=title, severity="error", timeout=10, markup=False)

    # --- open and import ---

    @uses_local_files
    def action_open(self) -> None:
        """Ask for a scenario (.json) or embeddings file and load it."""
        self.push_screen(
            PathDialog("Open", "A scenario (.json) or embeddings (.csv, .npy, .pt):", suffixes=SUPPORTED_SUFFIXES, verb="Open"),
            self._chosen_to_open,
        )

    @uses_local_files
    def action_import_embeddings(self) -> None:
        """Ask for an embeddings file: an n×d matrix becomes n tokens (t1…tn unless it has labels)."""
        self.push_screen(
            PathDialog(
                "Import embeddings",
                "CSV (optional header row and label column), .npy or .pt holding one 2-D tensor:",
                suffixes=EMBEDDING_SUFFIXES,
                verb="Import",
            ),
            self._chosen_to_open,
        )

    def _chosen_to_open(self, answer: str | None) -> None:
        if answer:
            self.open_file(answer)

    @work(thread=True, exclusive=True, group="file-load")
    def open_file(self, path: str) -> None:
        """Read and validate ``path`` off the UI thread; replace the scenario only if all is well."""
        try:
            loaded = load_file(path)
        except ScenarioError as error:
            self.call_from_thread(self._file_problem, error, "Not opened — nothing changed")
            return
        self.call_from_thread(self._opened, Path(path), loaded)

    def _opened(self, path: Path, loaded: Loaded) -> None:
        scenario = loaded.scenario
        shape = f"{scenario.n_tokens} tokens × {scenario.n_dims} dimensions"
        # Nothing is asked before replacing unsaved work: undo brings it back, and the message says so.
        hint = "u brings back your unsaved work." if self.unsaved else ""
        # The document changes before the scenario, so the header's mark compares with the new file.
        if loaded.is_scenario_file:
            self.switch_document(scenario, Document(path=path, saved=scenario))
        else:
            self.switch_document(scenario, Document(imported_from=path, saved=scenario))
        self.change_scenario(scenario, f"Opened {path.name}: {shape}, query {quote(scenario.query_token)}.", hint=hint)
        if loaded.view is not None:
            self.matrix_view = loaded.view.matrix_view
            self.compare_normalisations = loaded.view.compare_normalisations
        self.show_file_state()
        self.notify(f"Opened {path} ({shape})", title="Opened", markup=False)

    # --- export ---

    def action_export_snippet(self) -> None:
        """Show a Python/torch snippet that prints these numbers; copy it or save it."""
        code = python_snippet(self.scenario)

        def answered(answer: str | None) -> None:
            if answer == "save":
                self._export_text("Save the snippet", "attention.py", (".py",), code, "the snippet")

        self.push_screen(SnippetDialog(code, can_save=self.policy.uses_local_files), answered)

    def action_export_csv(self) -> None:
        """Save the panels' numbers as CSV (every query's in the matrix view)."""
        if self.analysis is None:
            self.notify("The numbers are still loading; try again in a moment.", title="Not yet", markup=False)
            return
        text = panels_csv(self.analysis, every_query=self.matrix_view)
        what = "every query's panels" if self.matrix_view else "the panels"
        if not self.policy.uses_local_files:  # nowhere to save it: shown on screen to copy instead
            self.push_screen(SnippetDialog(text, title=f"{what.capitalize()} as CSV", what="the CSV", lexer="text", can_save=False))
            return
        self._export_text("Export the panels as CSV", "attention-panels.csv", (".csv",), text, what)

    @uses_local_files
    def action_export_svg(self) -> None:
        """Save what is on screen now as an SVG picture: the panels, not the toasts over them."""
        if self._notifications:
            # A screenshot is for slides: "Copied…" or "Exported…" drawn over the weights would
            # spoil it. The toasts go first; the picture is taken once they are off the screen.
            self.clear_notifications()
            self.call_after_refresh(self._export_svg)
        else:
            self._export_svg()

    def _export_svg(self) -> None:
        svg = self.export_screenshot()  # before the dialog covers the screen
        default = time.strftime("attn-tui-%Y%m%d-%H%M%S.svg")
        self._export_text("Save an SVG screenshot", default, (".svg",), svg, "the screenshot")

    # Textual's own way of writing a file for the user: its command palette's "Screenshot" saves
    # one to ~/Downloads without asking, which in a class session is the server's home folder.
    # Every delivery (deliver_screenshot included) goes through one of these two.

    @uses_local_files
    def deliver_text(self, *args: Any, **kwargs: Any) -> str | None:
        return super().deliver_text(*args, **kwargs)

    @uses_local_files
    def deliver_binary(self, *args: Any, **kwargs: Any) -> str | None:
        return super().deliver_binary(*args, **kwargs)

    def _export_text(self, title: str, default: str, suffixes: tuple[str, ...], text: str, what: str) -> None:
        def chosen(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer)

            def write(overwrite: bool) -> None:
                write_text_atomically(path, text, overwrite=overwrite)
                self.notify(f"Saved {what} to {path}", title="Exported", markup=False)
                self._say(f"Saved {what} to {path}.")

            self._write_confirmed(path, write)

        self.push_screen(PathDialog(title, "File name:", default=default, suffixes=suffixes, verb="Save"), chosen)

    # --- quit ---

    def after_pending_input(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the keys typed before now have had their effect.

        Keys reach the focused widget's queue, and an edit they commit comes back to the app as a
        message: in a burst like "1⏎ Ctrl+Q" the quit would otherwise decide before the edit lands.
        """
        # Queues are FIFO. The first hop waits in the focused widget's queue behind the keys; by
        # then the keys have queued their messages (EditSubmitted) on that widget, so the message
        # posted second bubbles up behind them.
        # Only the grid turns keys into edits; a dialog may close before its queue runs.
        grid = self.focused if isinstance(self.focused, EmbeddingGrid) else None
        if grid is None:
            self.call_later(callback)
        else:
            grid.call_later(grid.post_message, AfterPendingInput(callback))

    def on_after_pending_input(self, message: AfterPendingInput) -> None:
        message.stop()
        message.callback()

    async def action_quit(self) -> None:
        """Quit; with unsaved changes, ask first: save, discard or cancel."""
        self.after_pending_input(self._quit_or_ask)

    def _quit_or_ask(self) -> None:
        # A class session has nothing to save to: quitting leaves at once.
        nothing_to_keep = not self.unsaved or not self.policy.uses_local_files
        if nothing_to_keep and self.query_one(EmbeddingGrid).editing is None:
            self.exit()
            return
        if isinstance(self.screen, UnsavedChangesDialog):
            return
        self.autoplay = False  # else the next key would only stop autoplay, not answer the dialog

        def answered(answer: UnsavedAnswer | None) -> None:
            if answer == "discard":
                self.exit()
            elif answer == "save":
                self._save_or_ask(then=self.exit, problem="Not saved — still running")

        self.push_screen(UnsavedChangesDialog(display_name(self.document_path)), answered)

