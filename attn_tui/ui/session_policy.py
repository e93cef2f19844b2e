"""What a session may do with the files of the machine the app runs on.

Run by a person on their own machine, the app saves, opens, imports and exports wherever they say.
A session of ``attn-tui serve`` belongs to a student on another machine: the server's files are
not theirs to read or write, so those actions say why they are off, and what makes sense remotely
(the snippet, the CSV) is shown on screen to copy instead. The file actions check this one object
(see :mod:`attn_tui.ui.file_actions`) rather than asking "are we serving?" here and there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionPolicy:
    uses_local_files: bool = True
    """Save, open, import and export read and write this machine's files."""

    recovery_name: str = "default"
    """Whose scenario a lost connection keeps for the next start (a student's key or name)."""

    refusal: str = ""
    """Why the file actions are off, said when one is tried."""


LOCAL = SessionPolicy()
"""A person at their own terminal: every file action."""


def remote_student(recovery_name: str) -> SessionPolicy:
    """A session of ``attn-tui serve``: no file of the server is read or written on request."""
    return SessionPolicy(
        uses_local_files=False,
        recovery_name=recovery_name,
        refusal="This class session cannot open or save files on the server; "
        "Ctrl+E (snippet) and Ctrl+T (CSV) show the text to copy.",
    )
