"""Files that must be refused, each with the words its error must contain; shared by the
command-line, app and pure tests."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Callable

from attn_tui.core.files import MAX_FILE_BYTES

RUNS_CODE_MARKER = "code-ran.txt"
"""A malicious pickle would create this file next to itself."""


class RunsCode:
    """Unpickling this runs code: it would create RUNS_CODE_MARKER."""

    def __init__(self, folder: Path) -> None:
        self.marker = str(folder / RUNS_CODE_MARKER)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _write(text: str | bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return make


def _scenario_json(**changes: object) -> str:
    data = {"version": 1, "tokens": ["a", "b"], "embeddings": [[1.0, 2.0], [3.0, 4.0]], "query": 0}
    data.update(changes)
    return json.dumps(data)


def _huge(path: Path) -> None:
    with open(path, "wb") as file:
        file.truncate(MAX_FILE_BYTES)  # sparse: no disk space used, but stat says 100 MB


def _npy(shape: tuple[int, ...], value: float = 1.0) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        import numpy

        numpy.save(path, numpy.full(shape, value))

    return make


def _npy_objects(path: Path) -> None:
    import numpy

    numpy.save(path, numpy.array([{"a": 1}, None], dtype=object), allow_pickle=True)


def _pt(obj_factory: Callable[[], object]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        import torch

        torch.save(obj_factory(), path)

    return make


def _pt_runs_code(path: Path) -> None:
    import torch

    torch.save(RunsCode(path.parent), path)


def _pickle_runs_code(path: Path) -> None:
    with open(path, "wb") as file:
        pickle.dump(RunsCode(path.parent), file)


def _folder(path: Path) -> None:
    path.mkdir()


def _tensor(*shape: int) -> Callable[[], object]:
    def make() -> object:
        import torch

        return torch.ones(*shape)

    return make


BAD_FILES: dict[str, tuple[str, Callable[[Path], None] | None, str]] = {
    # case: (file name, how to make it (None: it does not exist), words the error must contain)
    "missing": ("missing.json", None, "no such file"),
    "folder": ("folder.json", _folder, "is a folder"),
    "empty": ("empty.json", _write(""), "is empty"),
    "blank": ("blank.csv", _write("  \n\n"), "empty"),
    "invalid JSON": ("invalid.json", _write('{"version": 1, "tokens": ['), "invalid JSON at line 1"),
    "wrong version": ("v99.json", _write(_scenario_json(version=99)), "unsupported schema version 99"),
    "no version": ("noversion.json", _write('{"tokens": ["a"], "embeddings": [[1]]}'), 'no "version"'),
    "ragged JSON": ("ragged.json", _write(_scenario_json(embeddings=[[1, 2], [3]])), "ragged"),
    "unknown mechanism": ("future.json", _write(_scenario_json(version=2, mechanism="3.9")), "unknown mechanism '3.9'"),
    "weights of the wrong shape": (
        "weights.json",
        _write(_scenario_json(version=2, mechanism="trainable", parameters={"W_q": {"matrix": [[1.0], [2.0], [3.0]]}})),
        "W_q has 3 rows but the embeddings have 2 dimensions",
    ),
    "a weight that is not a number": (
        "weight.json",
        _write(_scenario_json(version=2, mechanism="trainable", parameters={"W_k": {"matrix": [[1.0], ["x"]]}})),
        "W_k: row 2, column 1 ('x') is not a number",
    ),
    "ragged CSV": ("ragged.csv", _write("1,2,3\n4,5\n"), "ragged rows: line 1 has 3 values, line 2 has 2"),
    "text in CSV": ("text.csv", _write("1,2\n3,abc\n"), "line 2, column 2: 'abc' is not a number"),
    "text in JSON": ("text.json", _write(_scenario_json(embeddings=[[1, "x"], [3, 4]])), "is not a number"),
    "NaN in JSON": ("nan.json", _write(_scenario_json(embeddings=[[1, float("nan")], [3, 4]])), "not a finite number"),
    "inf in CSV": ("inf.csv", _write("1,2\n3,inf\n"), "not a finite number"),
    "1e999 in CSV": ("big.csv", _write("1,1e999\n"), "not a finite number"),
    "too large for float32": ("f32.csv", _write("1,1e39\n"), "float32"),
    "inf in .npy": ("inf.npy", _npy((2, 2), float("inf")), "not a finite number"),
    "1-D .npy": ("vector.npy", _npy((3,)), "1-D tensor"),
    "3-D .npy": ("cube.npy", _npy((2, 2, 2)), "3-D tensor"),
    "objects in .npy": ("objects.npy", _npy_objects, "Python objects"),
    "not a .npy": ("junk.npy", _write(b"hello, not numpy"), "not a .npy file"),
    "1-D .pt": ("vector.pt", _pt(_tensor(3)), "1-D tensor"),
    "3-D .pt": ("cube.pt", _pt(_tensor(2, 2, 2)), "3-D tensor"),
    "not a tensor in .pt": ("dict.pt", _pt(lambda: {"weights": [1, 2, 3]}), "not a tensor"),
    "list in .pt": ("list.pt", _pt(lambda: [1.0, 2.0]), "not a tensor"),
    "code in .pt": ("code.pt", _pt_runs_code, "could run code"),
    "code in a pickle .pt": ("pickle.pt", _pickle_runs_code, "could run code"),
    "not a .pt": ("junk.pt", _write(b"PK\x03\x04 not really a zip"), "not a PyTorch tensor file"),
    "binary as JSON": ("binary.json", _write(bytes(range(256)) * 4), "binary file"),
    "not UTF-8 JSON": ("latin1.json", _write("{\"tokens\": [\"caf\xe9\"]}".encode("latin-1")), "not UTF-8"),
    "100 MB": ("huge.json", _huge, "100 MB"),
    "unknown type": ("notes.txt", _write("1,2\n"), "unknown file type '.txt'"),
}


def make_bad_file(folder: Path, case: str) -> tuple[Path, str]:
    """Create the file for ``case`` in ``folder``; return its path and the words its error contains."""
    name, make, expected = BAD_FILES[case]
    path = folder / name
    if make is not None and not os.path.lexists(path):
        make(path)
    return path, expected
