"""Unsaved work across a lost terminal, in the app: save it when the terminal goes, offer it back at the next start.

The files are :mod:`attn_tui.core.recovery`'s; the signals and the watching of the terminal are
:mod:`attn_tui.terminal.lifeline`'s. This mixin of AttnApp says what the work is (the scenario,
its views, the text of a cell being edited) and what happens to a recovery file:

- at start, one is **offered** in one line and one key (`Ctrl+R`, in the footer until the first
  change: at 80 columns it takes the room of two other keys; in the help as long as offered);
- **restored**, it replaces the scenario like opening a file (undo brings back what was there),
  unsaved until saved, the cell edit reopened with its text; a clean quit then removes the file;
- **declined** — the session quits cleanly without restoring it — it is set aside in the
  ``declined`` folder beside it: not offered again, still there to open by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.binding import Binding

from attn_tui.core.files import FileError
from attn_tui.core.recovery import (
    DEFAULT_NAME,
    CellEditInProgress,
    Recovery,
    discard_recovery,
    read_recovery,
    set_aside_recovery,
    write_recovery,
)
from attn_tui.ui.widgets.embedding_grid import LABEL_COLUMN, EmbeddingGrid

if TYPE_CHECKING:
    from pathlib import Path

    from attn_tui.ui.app import AttnApp

    _Base = AttnApp
else:
    _Base = object

RESTORE_ACTION = "restore_recovered"
RESTORE_LATER_ACTION = "restore_recovered_later"

RECOVERY_BINDINGS = [
    Binding("ctrl+r", RESTORE_ACTION, "Restore work", key_display="^r", id="recovery.restore"),
    # The same key once the person has changed something: out of the footer, whose keys it pushed
    # off the edge at 80 columns ({} Section, u Undo), but still in the help and the palette.
    Binding("ctrl+r", RESTORE_LATER_ACTION, "Restore work", key_display="^r", show=False, id="recovery.restore-later"),
]
"""Active only while recovered work is offered; in the footer until the scenario first changes."""


class RecoveryOffer(_Base):
    """Recovery for :class:`~attn_tui.ui.app.AttnApp` (which provides the scenario, grid and views)."""

    recovery_name: str = DEFAULT_NAME
    """Whose recovery file this session reads and writes; a server gives each student their own."""

    offered_recovery: Recovery | None = None
    """Recovered work offered at start and not yet restored."""

    restore_at_start: bool = False
    """``attn-tui --recover``: restore at once instead of offering."""

    recovery_restored: bool = False
    """This session restored its recovery file's work: a clean quit removes the file."""

    _recovery_grid: EmbeddingGrid | None = None

    _offered_over: object = None
    """The scenario the offer was made over, until it changes (then the offer leaves the footer)."""

    def offer_recovery(self) -> None:
        """At start: restore the recovered work (``--recover``) or offer it in one line."""
        self._recovery_grid = self.query_one(EmbeddingGrid)  # kept: saving may run off the UI thread
        try:
            recovery = read_recovery(self.recovery_name)
        except FileError as error:
            # The path is long: a notification has room for it, the message line only for the gist.
            self.notify(f"{error}. Open it by hand (attn-tui FILE) or delete it.", title="Recovered work unreadable", severity="error", markup=False)
            self._say("Recovered work could not be read: see the notification.", error=True)
            return
        if recovery is None:
            return
        self.offered_recovery = recovery
        self._offered_over = self.scenario
        if self.restore_at_start:
            self.action_restore_recovered()
            return
        # The key first: a narrow message line may cut the end.
        self._say(f"Ctrl+R restores the unsaved work {_describe(recovery)} kept when the terminal went away.")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in (RESTORE_ACTION, RESTORE_LATER_ACTION):
            in_footer = self._offered_over is not None
            return self.offered_recovery is not None and len(self.screen_stack) == 1 and in_footer == (action == RESTORE_ACTION)
        return super().check_action(action, parameters)

    def note_change_for_recovery_offer(self) -> None:
        """The scenario changed: the first change takes the offer out of the footer (its key stays)."""
        if self._offered_over is not None and self.scenario is not self._offered_over:
            self._offered_over = None
            self.refresh_bindings()

    def offered_recovery_keys(self) -> list[Binding]:
        """For the help screen: the restore key, while there is something to restore."""
        return RECOVERY_BINDINGS[:1] if self.offered_recovery is not None else []

    def action_restore_recovered_later(self) -> None:
        """Ctrl+R after the first change: the same restore."""
        self.action_restore_recovered()

    def action_restore_recovered(self) -> None:
        """Replace the scenario with the recovered work, its views and its cell edit."""
        recovery = self.offered_recovery
        if recovery is None:
            return
        self.offered_recovery = None
        self._offered_over = None
        self.recovery_restored = True
        hint = "u brings back what was here." if self.unsaved and not self.restore_at_start else ""
        self.document_path = recovery.document
        self.imported_from = None
        self.saved_scenario = None  # unsaved until saved: the quit question protects it again
        self.change_scenario(recovery.scenario, f"Restored the unsaved work {_describe(recovery)}.", record=not self.restore_at_start, hint=hint)
        self.matrix_view = recovery.view.matrix_view
        self.compare_normalisations = recovery.view.compare_normalisations
        self.show_file_state()
        self.refresh_bindings()
        edit = recovery.cell_edit
        if edit is not None:
            # Back to the matrix the cell belongs to (the embeddings or a weight matrix), if the
            # scenario still has it; start_edit ignores a cell that is not there.
            self.grid_matrix = edit.matrix
            self.show_grid()
            if self.shown_grid_matrix().name == edit.matrix:
                column = LABEL_COLUMN if edit.dimension is None else edit.dimension + 1
                self.query_one(EmbeddingGrid).start_edit(edit.token, column, edit.text, quietly=True)

    def save_unsaved_work(self) -> Path | None:
        """Write the work to the recovery file if any is unsaved (the scenario changed since it was
        opened or saved, or a cell is being edited); return the file, or None. Safe from any thread:
        it only reads attributes."""
        grid = self._recovery_grid
        editing = grid.editing if grid is not None else None
        if not self.unsaved and editing is None:
            return None
        if self.offered_recovery is not None:
            set_aside_recovery(self.recovery_name)  # an offer not taken must not be overwritten
        cell_edit = None
        if editing is not None:
            dimension = None if editing.column == LABEL_COLUMN else editing.column - 1
            cell_edit = CellEditInProgress(editing.row, dimension, editing.text, self.shown_grid_matrix().name)
        return write_recovery(self.scenario, self.view_options(), self.recovery_name, cell_edit, document=self.document_path)

    def settle_recovery(self) -> None:
        """After a clean quit: the restored work's file goes; an offer not taken is set aside."""
        if self.recovery_restored:
            discard_recovery(self.recovery_name)
        elif self.offered_recovery is not None:
            set_aside_recovery(self.recovery_name)


def _describe(recovery: Recovery) -> str:
    """"from 14:02 (lesson.json)": when, in local time, and which file, for the one-line offer."""
    words = []
    if recovery.written_at:
        try:
            written = datetime.fromisoformat(recovery.written_at).astimezone()
        except ValueError:
            pass
        else:
            today = datetime.now().astimezone().date()
            words.append(f"from {written:%H:%M}" if written.date() == today else f"from {written:%Y-%m-%d %H:%M}")
    if recovery.document is not None:
        words.append(f"({recovery.document.name})")
    return " ".join(words)


def run_with_recovery(app: AttnApp) -> None:
    """``app.run()``, with the work saved if the terminal goes away (see attn_tui.terminal.lifeline),
    and the recovery file settled after a clean quit."""
    from attn_tui.terminal.lifeline import Lifeline

    lifeline = Lifeline(app.save_unsaved_work, lambda status, message: app.exit(return_code=status, message=message))
    lifeline.attach(app)
    try:
        app.run()
    finally:
        lifeline.detach()
    if lifeline.ended_by is None:
        app.settle_recovery()
