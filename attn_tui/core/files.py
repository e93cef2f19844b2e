"""Scenario files: read JSON, CSV, .npy and .pt; write JSON atomically — no Textual, no torch at import.

Everything that can go wrong with a file raises :class:`FileError`, a :class:`ScenarioError`
that names the file, so the command line prints one line and the app one notification, and the
current scenario is never touched. JSON and CSV need only the standard library; numpy and torch are
imported only for ``.npy`` and ``.pt`` files.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from attn_tui.core.quoting import quote
from attn_tui.core.scenario import Scenario, ScenarioError, check_value

MAX_FILE_BYTES = 100 * 1024 * 1024
"""Files of this size or more are refused before reading: a scenario is never this big."""

SCENARIO_SUFFIXES = (".json",)
EMBEDDING_SUFFIXES = (".csv", ".npy", ".pt", ".pth")
"""Files holding only embeddings (an n×d matrix, optionally token labels)."""
SUPPORTED_SUFFIXES = SCENARIO_SUFFIXES + EMBEDDING_SUFFIXES
NPY_MAGIC = b"\x93NUMPY"


class FileError(ScenarioError):
    """A file that cannot be read or written. ``str()`` is "FILE: problem", one line."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = " ".join(str(problem).split())  # one line, whatever the cause said
        super().__init__(f"{self.path}: {self.problem}")


@dataclass(frozen=True)
class ViewOptions:
    """How the scenario was being looked at; saved with it so a teacher reopens the same view."""

    matrix_view: bool = False
    """Every query at once instead of the single-query panels."""
    compare_normalisations: bool = False
    """ω/Σω, softmax_naive and torch.softmax side by side."""

    def to_dict(self) -> dict[str, bool]:
        return {"matrix_view": self.matrix_view, "compare_normalisations": self.compare_normalisations}

    @classmethod
    def from_dict(cls, data: Any) -> ViewOptions:
        if not isinstance(data, dict):
            raise ScenarioError(f'"view" must be an object, not {type(data).__name__}')
        values = {}
        for name in ("matrix_view", "compare_normalisations"):
            value = data.get(name, False)
            if not isinstance(value, bool):
                raise ScenarioError(f'"view.{name}" must be true or false, not {quote(value)}')
            values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class Loaded:
    """What a file gave: a scenario, and the view options when the file is a saved scenario."""

    scenario: Scenario
    view: ViewOptions | None = None
    """None for embedding files (CSV, .npy, .pt): they say nothing about the view."""
    is_scenario_file: bool = field(default=False)
    """True for JSON scenario files: saving may go back to the same file."""


# --- reading ---


def load_file(path: str | os.PathLike[str]) -> Loaded:
    """Read a scenario (.json) or embeddings (.csv, .npy, .pt/.pth); raise FileError naming ``path``."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        raise FileError(path, f"unknown file type {quote(suffix) if suffix else '(no extension)'}: attn-tui reads {kinds}")
    size = _checked_size(path)
    try:
        if suffix == ".json":
            scenario, view = scenario_from_json(_read_text(path, size, "JSON"))
            return Loaded(scenario, view, is_scenario_file=True)
        if suffix == ".csv":
            tokens, rows = embeddings_from_csv(_read_text(path, size, "CSV"))
        elif suffix == ".npy":
            tokens, rows = None, _npy_rows(path)
        else:
            tokens, rows = _torch_rows(path)
        return Loaded(scenario_from_embeddings(rows, tokens))
    except FileError:
        raise
    except ScenarioError as error:
        raise FileError(path, str(error)) from None
    except OSError as error:
        raise FileError(path, f"cannot read it ({error.strerror or error})") from None
    except RecursionError:
        raise FileError(path, "nested too deeply to be a scenario") from None
    except MemoryError:
        raise FileError(path, "too large to load") from None
    except Exception as error:  # a reader's surprise must never become a traceback
        raise FileError(path, f"cannot read it ({type(error).__name__}: {error})") from None


def _checked_size(path: str | os.PathLike[str]) -> int:
    """The file's size, checked before a byte is read."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileError(path, "no such file") from None
    except OSError as error:
        raise FileError(path, f"cannot read it ({error.strerror or error})") from None
    if os.path.isdir(path):
        raise FileError(path, "is a folder, not a file")
    if info.st_size >= MAX_FILE_BYTES:
        raise FileError(path, f"is {info.st_size / 2**20:.0f} MB: files of {MAX_FILE_BYTES // 2**20} MB or more are refused")
    if info.st_size == 0:
        raise FileError(path, "is empty")
    return info.st_size


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as file:
            # Never more than the limit, even if the file grew since it was measured.
            data = file.read(MAX_FILE_BYTES)
    except OSError as error:
        raise FileError(path, f"cannot read it ({error.strerror or error})") from None
    if not data:
        raise FileError(path, "is empty")
    return data


def _read_text(path: str | os.PathLike[str], size: int, kind: str) -> str:
    data = _read_bytes(path)
    if b"\0" in data:
        raise FileError(path, f"is a binary file, not {kind} text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(path, f"is not UTF-8 text (byte {error.start + 1} is 0x{data[error.start]:02x}): not {kind}") from None
    if not text.strip():
        raise FileError(path, "holds only whitespace (an empty file)")
    return text


def scenario_from_json(text: str) -> tuple[Scenario, ViewOptions]:
    """A saved scenario and its view options from JSON text (see :func:`scenario_to_json`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    scenario = Scenario.from_dict(data)
    from attn_tui.mechanisms import mechanism_named  # the registry names no torch or Textual module

    mechanism_named(scenario.mechanism)  # an unknown mechanism is refused like any bad field
    view = ViewOptions.from_dict(data.get("view", {}))
    return scenario, view


def embeddings_from_csv(text: str) -> tuple[list[str] | None, list[list[float]]]:
    """Token labels (or None) and rows of numbers from CSV.

    A first row without any number is a header and is skipped. A first column without any number
    holds the token labels. Blank lines are ignored; everything else must be a finite number.
    """
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise ScenarioError(f"not valid CSV ({error})") from None
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(row)]
    if not numbered:
        raise ScenarioError("no rows of numbers")
    if not any(_is_number(cell) for cell in numbered[0][1]):
        numbered = numbered[1:]  # a header: column names
        if not numbered:
            raise ScenarioError("only a header row, no numbers")
    labelled = all(not _is_number(row[0]) for _, row in numbered)
    width = len(numbered[0][1])
    for number, row in numbered:
        if len(row) != width:
            raise ScenarioError(f"ragged rows: line {numbered[0][0]} has {width} values, line {number} has {len(row)}")
    if labelled and width == 1:
        raise ScenarioError("no numbers, only a column of labels")
    tokens = [row[0] for _, row in numbered] if labelled else None
    start = 1 if labelled else 0
    values = [
        [_csv_number(cell, number, column) for column, cell in enumerate(row[start:], start=start + 1)]
        for number, row in numbered
    ]
    return tokens, values


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_number(cell: str, line: int, column: int) -> float:
    where = f"line {line}, column {column}"
    if not cell:
        raise ScenarioError(f"{where} is empty")
    try:
        value = float(cell)
    except ValueError:
        raise ScenarioError(f"{where}: {quote(cell)} is not a number") from None
    return check_value(value, lambda: f"{where} ({quote(cell)})")


def _npy_rows(path: str | os.PathLike[str]) -> list[list[float]]:
    with open(path, "rb") as file:
        if file.read(len(NPY_MAGIC)) != NPY_MAGIC:
            raise FileError(path, "is not a .npy file (numpy.save writes one array)")
    import numpy

    try:
        array = numpy.load(path, allow_pickle=False)
    except ValueError as error:
        if "Object arrays" in str(error):
            raise FileError(path, "holds Python objects, not numbers (refused: loading them could run code)") from None
        raise FileError(path, f"is not a valid .npy file ({error})") from None
    except (OSError, EOFError) as error:
        raise FileError(path, f"is not a valid .npy file ({error})") from None
    if isinstance(array, numpy.lib.npyio.NpzFile):  # a .npz archive renamed to .npy
        array.close()
        raise FileError(path, "is an .npz archive, not one array")
    return _matrix_rows(array.shape, array.dtype.kind, str(array.dtype), array.tolist)


def _torch_rows(path: str | os.PathLike[str]) -> tuple[list[str] | None, list[list[float]]]:
    import pickle

    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Detected pickle protocol 4": not for the user
            # weights_only: tensors and plain containers only — a file can never run code.
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "weights_only" in str(error) or "Unsupported" in str(error) or "global" in str(error).lower():
            raise FileError(path, "holds Python objects beyond tensors (refused: loading them could run code)") from None
        raise FileError(path, "is not a PyTorch tensor file") from None
    except Exception:  # torch raises RuntimeError, EOFError, zipfile errors … for a broken file
        raise FileError(path, "is not a PyTorch tensor file (torch.save of one 2-D tensor)") from None
    tokens: list[str] | None = None
    if isinstance(obj, dict) and "embeddings" in obj:
        # {"embeddings": tensor, "tokens": [...]}: embeddings with their labels.
        tokens = obj.get("tokens")
        if tokens is not None and not (isinstance(tokens, (list, tuple)) and all(isinstance(t, str) for t in tokens)):
            raise FileError(path, '"tokens" must be a list of strings')
        obj = obj["embeddings"]
    if not isinstance(obj, torch.Tensor):
        raise FileError(path, f"holds a {type(obj).__name__}, not a tensor: save one 2-D tensor with torch.save")
    dtype = obj.dtype
    kind = "c" if dtype.is_complex else "f" if dtype.is_floating_point else "b" if dtype == torch.bool else "i"
    rows = _matrix_rows(tuple(obj.shape), kind, str(dtype).removeprefix("torch."), lambda: obj.double().tolist())
    return (list(tokens) if tokens is not None else None), rows


def _matrix_rows(shape: Sequence[int], kind: str, dtype_name: str, to_list: Any) -> list[list[float]]:
    """Check a tensor's shape and number type, then its values (finite, float32-sized)."""
    if len(shape) != 2:
        shape_text = f"{shape[0]} values" if len(shape) == 1 else "×".join(map(str, shape)) or "a single number"
        raise ScenarioError(f"holds a {len(shape)}-D tensor ({shape_text}); attn-tui needs a 2-D tensor, tokens × dimensions")
    if kind not in "fiu":
        raise ScenarioError(f"holds {dtype_name} values; attn-tui needs real numbers (float or int)")
    if shape[0] == 0 or shape[1] == 0:
        raise ScenarioError(f"holds an empty {shape[0]}×{shape[1]} tensor")
    rows = to_list()
    for i, row in enumerate(rows):
        for k, value in enumerate(row):
            if not math.isfinite(value):
                raise ScenarioError(f"token {i + 1}, dimension {k + 1} is {value}: not a finite number")
    return rows


def scenario_from_embeddings(rows: Sequence[Sequence[float]], tokens: Sequence[str] | None = None) -> Scenario:
    """Embeddings as a scenario; tokens are t1…tn when the file has no labels; the query is token 1."""
    if not rows:
        raise ScenarioError("no rows of numbers")
    if tokens is None:
        tokens = [f"t{i + 1}" for i in range(len(rows))]
    return Scenario(tokens=tuple(tokens), embeddings=tuple(tuple(row) for row in rows), query=0)


# --- writing ---


def scenario_to_json(scenario: Scenario, view: ViewOptions = ViewOptions(), *, extra: dict[str, Any] | None = None) -> str:
    """A scenario file a person can read and edit: one embedding row per line.

    ``query`` is the 0-based index of the query token (the screen counts from 1). ``extra`` adds
    fields after the view (a recovery file's details); reading a scenario ignores them.
    """
    data = scenario.to_dict()
    tokens = json.dumps(data["tokens"], ensure_ascii=False)  # "ω" stays readable …
    try:
        tokens.encode("utf-8")
    except UnicodeEncodeError:
        tokens = json.dumps(data["tokens"])  # … unless a label holds a lone surrogate: escape it
    lines = [
        "{",
        f'  "version": {json.dumps(data["version"])},',
        f'  "tokens": {tokens},',
        f'  "query": {json.dumps(data["query"])},',
        f'  "view": {json.dumps(view.to_dict())},',
        f'  "mechanism": {json.dumps(data["mechanism"])},',
        '  "parameters": {' + ",".join(f"\n    {json.dumps(name)}: {json.dumps(value)}" for name, value in data["parameters"].items()) + ("\n  }," if data["parameters"] else "},"),
        *(f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in (extra or {}).items()),
        '  "embeddings": [',
        ",\n".join(f"    {json.dumps(row)}" for row in data["embeddings"]),
        "  ]",
        "}",
    ]
    return "\n".join(lines) + "\n"


def save_scenario(path: str | os.PathLike[str], scenario: Scenario, view: ViewOptions = ViewOptions(), *, overwrite: bool = False) -> None:
    """Write a scenario as JSON, atomically; refuse to replace a file unless ``overwrite``."""
    write_text_atomically(path, scenario_to_json(scenario, view), overwrite=overwrite)


def write_text_atomically(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place.

    A crash or a full disk leaves the old file (or none) — never half a file. Without
    ``overwrite`` an existing file is refused (the caller asks the person first).
    """
    target = Path(path)
    if target.is_dir():
        raise FileError(path, "is a folder, not a file")
    if target.exists() and not overwrite:
        raise FileExists(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileError(path, f"cannot save: the folder {os.fspath(folder) or '.'!r} does not exist")
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise FileError(path, f"cannot save ({error.strerror or error})") from None
    except UnicodeEncodeError:
        raise FileError(path, "cannot save: the text holds characters UTF-8 cannot store") from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


class FileExists(FileError):
    """Saving would replace an existing file: ask before calling again with ``overwrite=True``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path, "already exists")


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 minus umask)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # os.umask can only be read by setting it, which would race with other threads (sessions).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
