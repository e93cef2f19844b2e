"""Recovery files: unsaved work written when the terminal goes away — no Textual, no torch.

When the SSH connection drops (SIGHUP), the process is told to stop (SIGTERM) or the terminal
stops answering, the app has no one to ask "save?". It writes the scenario, its views and a cell
edit in progress here instead, and the next start offers it back. Each session has a ``name``: the
local app uses ``"default"``; a server with one session per student passes the student's name, so
two students never share a file.

A recovery file is an ordinary scenario file (the JSON of :mod:`attn_tui.core.files`) with one
more field, ``"recovery"``: ``attn-tui FILE`` opens it like any saved scenario. It is written
atomically (a temporary file renamed into place): a second signal during the write leaves the old
file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from attn_tui.core.files import (
    MAX_FILE_BYTES,
    FileError,
    ViewOptions,
    scenario_from_json,
    scenario_to_json,
    write_text_atomically,
)
from attn_tui.core.scenario import Scenario, ScenarioError

EMBEDDINGS_MATRIX = "X"
"""The name the embeddings go by among the grid's matrices (main's ``core.scenario.EMBEDDINGS``)."""

DEFAULT_NAME = "default"
"""The name of the local (one-person) session's recovery file."""

RECOVERY_FIELD = "recovery"
"""The field a recovery file adds to a scenario file: what was being typed, and when it was written."""


@dataclass(frozen=True)
class CellEditInProgress:
    """Text typed into a cell but not yet committed (Enter): a person's work as much as a number."""

    token: int
    """0-based row of the token being edited."""
    dimension: int | None
    """0-based dimension of the number being edited; None when the token's label is being renamed."""
    text: str
    """Exactly what was typed, valid or not."""
    matrix: str = EMBEDDINGS_MATRIX
    """Which matrix the cell belongs to, as the grid names it: the embeddings, or (once the grid
    shows mechanisms' weights) a weight matrix; ``token`` and ``dimension`` are its row and column."""

    def to_dict(self) -> dict[str, Any]:
        return {"matrix": self.matrix, "token": self.token, "dimension": self.dimension, "text": self.text}

    @classmethod
    def from_dict(cls, data: Any) -> CellEditInProgress:
        if not isinstance(data, dict):
            raise ScenarioError(f'"{RECOVERY_FIELD}.cell_edit" must be an object, not {type(data).__name__}')
        token, dimension, text, matrix = data.get("token"), data.get("dimension"), data.get("text"), data.get("matrix", EMBEDDINGS_MATRIX)
        if type(token) is not int or token < 0:
            raise ScenarioError(f'"{RECOVERY_FIELD}.cell_edit.token" must be a token index, not {token!r}')
        if dimension is not None and (type(dimension) is not int or dimension < 0):
            raise ScenarioError(f'"{RECOVERY_FIELD}.cell_edit.dimension" must be a dimension index or null, not {dimension!r}')
        if not isinstance(text, str):
            raise ScenarioError(f'"{RECOVERY_FIELD}.cell_edit.text" must be a string, not {text!r}')
        if not isinstance(matrix, str):
            raise ScenarioError(f'"{RECOVERY_FIELD}.cell_edit.matrix" must be a string, not {matrix!r}')
        return cls(token, dimension, text, matrix)


@dataclass(frozen=True)
class Recovery:
    """What a recovery file gives back."""

    scenario: Scenario
    view: ViewOptions
    cell_edit: CellEditInProgress | None
    """The edit that was open, if it still fits the scenario (its token and dimension exist)."""
    document: Path | None
    """The scenario file the work came from, so saving can go back there; None if never saved."""
    written_at: str | None
    """When it was written (ISO 8601, UTC), to tell the person how old it is."""
    path: Path
    """The recovery file itself."""


def recovery_dir() -> Path:
    """``$XDG_STATE_HOME/attn-tui/recovery`` (``~/.local/state/…`` without it): the XDG place for
    state that outlives a run but is not worth backing up."""
    state_home = os.environ.get("XDG_STATE_HOME", "")
    # The XDG spec: a relative path in the variable is invalid and must be ignored.
    base = Path(state_home) if os.path.isabs(state_home) else Path.home() / ".local" / "state"
    return base / "attn-tui" / "recovery"


DECLINED_FOLDER = "declined"
"""Beside the recovery files: the last one each session left unrestored (see :func:`set_aside_recovery`)."""


def recovery_path(name: str = DEFAULT_NAME) -> Path:
    """The file for session ``name``. Any name is safe: it is percent-encoded into one file name,
    so "../x" or "a/b" cannot leave the folder and two different names never share a file."""
    if not name:
        raise ValueError("a recovery file needs a non-empty name")
    return recovery_dir() / f"{quote(name, safe='-_')}.json"


def write_recovery(
    scenario: Scenario,
    view: ViewOptions = ViewOptions(),
    name: str = DEFAULT_NAME,
    cell_edit: CellEditInProgress | None = None,
    *,
    document: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the scenario (and the edit in progress) to session ``name``'s recovery file, atomically,
    replacing an older one; return its path. Raise :class:`FileError` if it cannot be written."""
    path = recovery_path(name)
    try:
        # Private: the state folder may hold other people's sessions on a shared server.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise FileError(path.parent, f"cannot create the recovery folder ({error.strerror or error})") from None
    extra = {
        "cell_edit": cell_edit.to_dict() if cell_edit is not None else None,
        "document": os.fspath(os.path.abspath(document)) if document is not None else None,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_text_atomically(path, scenario_to_json(scenario, view, extra={RECOVERY_FIELD: extra}), overwrite=True)
    return path


def read_recovery(name: str = DEFAULT_NAME) -> Recovery | None:
    """Session ``name``'s recovered work, or None if there is none.

    A file that exists but cannot be read raises :class:`FileError` naming it (the caller says so
    and leaves it in place: the person may still open it by hand)."""
    path = recovery_path(name)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise FileError(path, f"cannot read it ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8")
        scenario, view = scenario_from_json(text)
        return _recovery_from(path, scenario, view, text)
    except UnicodeDecodeError:
        raise FileError(path, "is not UTF-8 text: not a recovery file") from None
    except ScenarioError as error:
        raise FileError(path, str(error)) from None
    except RecursionError:
        raise FileError(path, "nested too deeply to be a recovery file") from None


def _recovery_from(path: Path, scenario: Scenario, view: ViewOptions, text: str) -> Recovery:
    details = json.loads(text).get(RECOVERY_FIELD) or {}
    if not isinstance(details, dict):
        raise ScenarioError(f'"{RECOVERY_FIELD}" must be an object, not {type(details).__name__}')
    edit = details.get("cell_edit")
    cell_edit = CellEditInProgress.from_dict(edit) if edit is not None else None
    if cell_edit is not None and not _fits(cell_edit, scenario):
        cell_edit = None  # an edit of a cell that is not there cannot be reopened; the scenario still can
    document = details.get("document")
    written_at = details.get("written_at")
    return Recovery(
        scenario=scenario,
        view=view,
        cell_edit=cell_edit,
        document=Path(document) if isinstance(document, str) and document else None,
        written_at=written_at if isinstance(written_at, str) else None,
        path=path,
    )


def _fits(edit: CellEditInProgress, scenario: Scenario) -> bool:
    if edit.matrix != EMBEDDINGS_MATRIX:
        return True  # a weight matrix's shape is the mechanism's business: the app checks it
    return edit.token < scenario.n_tokens and (edit.dimension is None or edit.dimension < scenario.n_dims)


def discard_recovery(name: str = DEFAULT_NAME) -> bool:
    """Remove session ``name``'s recovery file; True if there was one. Never raises: a file that
    cannot be removed is offered again next time, which loses nothing."""
    try:
        recovery_path(name).unlink()
    except FileNotFoundError:
        return False
    except OSError:
        return False
    return True


def set_aside_recovery(name: str = DEFAULT_NAME) -> Path | None:
    """Move session ``name``'s recovery file to the ``declined`` folder beside it (replacing the one
    set aside before) and return where; None if there was none or it cannot be moved.

    A session that offered the work and ended without restoring it declines it: the next start
    offers nothing, and the work is still there to open by hand, until the next one is declined.
    """
    source = recovery_path(name)
    target = source.parent / DECLINED_FOLDER / source.name
    try:
        target.parent.mkdir(exist_ok=True, mode=0o700)
        os.replace(source, target)
    except OSError:
        return None
    return target
