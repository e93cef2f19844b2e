"""Load torch's native libraries without holding the GIL, so the event loop keeps running.

A fifth of ``import torch`` is the dynamic loader mapping and relocating libtorch (hundreds of MB).
Python's import, like ``ctypes.CDLL``, does that holding the GIL: nothing else in the process runs
meanwhile. libc's ``dlopen`` called through ctypes releases the GIL, so the loading overlaps with
the event loop's work, and ``import torch`` afterwards finds the libraries loaded. Everything
here is a head start only: where it cannot help (another platform, another build of torch), it
does nothing and torch's import does it all. It imports neither torch nor Textual.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

_LIBRARIES = (("libtorch_global_deps", True), ("libtorch_python", False))
"""What torch's import loads, in its order, and whether with RTLD_GLOBAL: the global deps
(OpenMP …) first, then the library its extension module links against (which brings libtorch_cpu
and libc10)."""

_SUFFIXES = {"linux": ".so", "darwin": ".dylib"}


def torch_library_folder() -> Path | None:
    """Where the installed torch keeps its shared libraries, found without importing torch."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def torch_libraries() -> list[tuple[Path, int]]:
    """The libraries to load, with their dlopen modes; empty where there is nothing to do."""
    suffix = _SUFFIXES.get(sys.platform)
    folder = torch_library_folder()
    if suffix is None or folder is None:
        return []
    libraries = [
        (folder / f"{name}{suffix}", os.RTLD_NOW | (os.RTLD_GLOBAL if is_global else os.RTLD_LOCAL))
        for name, is_global in _LIBRARIES
    ]
    return libraries if all(path.is_file() for path, _ in libraries) else []


def load_torch_libraries() -> bool:
    """Load torch's native libraries, releasing the GIL meanwhile; whether it did.

    Call it from a thread that exists already: while the loader works, creating a thread (or
    importing an extension module) waits for the loader's lock.
    """
    libraries = [] if "torch" in sys.modules else torch_libraries()
    if not libraries:
        return False
    import ctypes

    try:
        dlopen = ctypes.CDLL(None).dlopen  # a foreign call: ctypes releases the GIL around it
    except (OSError, AttributeError):
        return False
    dlopen.restype = ctypes.c_void_p
    dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    # A failure returns NULL and changes nothing: torch's import then loads (and reports) it.
    return all(dlopen(os.fsencode(path), mode) for path, mode in libraries)
