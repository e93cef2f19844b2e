"""How the app gets torch: imported in a thread of its own after the first frame, or already there.

``import torch`` takes over a second and holds the GIL for most of it, so a normal start shows the
screen first and imports torch (through :mod:`attn_tui.core.compute`) in the background. A session
of ``attn-tui serve`` is forked from a process that imported torch before it forked: there is
nothing to wait for, so no thread, no pause of garbage collection and no hurried exit.
"""

from __future__ import annotations

import gc
import threading
from functools import partial
from typing import TYPE_CHECKING, Callable, Protocol

if TYPE_CHECKING:  # compute imports torch
    from attn_tui.core.compute import Analysis
    from attn_tui.core.scenario import Scenario

    Analyse = Callable[[Scenario, Analysis | None], Analysis]

FIRST_FRAME_WAIT = 2.0
"""Seconds torch's import waits for the first frame before going ahead anyway."""


class TorchHost(Protocol):
    """What the loader needs from the app."""

    is_loading_torch: bool
    _first_frame_drawn: threading.Event

    def call_from_thread(self, callback: Callable[..., object], *args: object) -> object: ...
    def call_later(self, callback: Callable[..., object], *args: object) -> bool: ...


class TorchLoader:
    """Delivers ``compute.analyse`` to ``loaded``, or the import's error to ``failed``, on the app's thread."""

    def __init__(
        self,
        host: TorchHost,
        loaded: Callable[[Analyse], None],
        failed: Callable[[Exception], None],
        *,
        preloaded: bool = False,
    ) -> None:
        """``preloaded``: this process imported torch before the app started (a forked session)."""
        self._host = host
        self._loaded = loaded
        self._failed = failed
        self.preloaded = preloaded

    def start(self) -> None:
        if self.preloaded:
            from attn_tui.core.compute import analyse  # already in sys.modules: no import work

            self._host.call_later(self._loaded, analyse)
            return
        # A thread of its own, not a Textual worker: asyncio joins its workers' threads on the way
        # out, and quitting must not wait for an import that nothing can interrupt (see cli.main).
        # Started before the first frame, so that it exists before the dynamic loader is busy: a
        # thread created meanwhile waits for the loader's lock.
        self._host.is_loading_torch = True
        # Importing torch creates objects fast enough to set off collection after collection (a
        # sixth of its time), and they live as long as the process: no collection until the
        # numbers are shown (see freeze_long_lived_objects). The command line pauses it earlier.
        gc.disable()
        threading.Thread(target=self._load, name="load-torch", daemon=True).start()

    def _load(self) -> None:
        # torch's import holds the GIL for most of a second: it begins once the first frame is
        # out, and the grid is editable meanwhile.
        host = self._host
        try:
            host._first_frame_drawn.wait(timeout=FIRST_FRAME_WAIT)
            from attn_tui.terminal import preload

            preload.load_torch_libraries()  # without the GIL: beside the event loop's work after that frame
            from attn_tui.core.compute import analyse
        except Exception as error:  # a broken torch installation: say so, never a traceback
            outcome = partial(self._fail, error)
        else:
            outcome = partial(self._loaded, analyse)
        finally:
            host.is_loading_torch = False
        try:
            host.call_from_thread(outcome)
        except RuntimeError:
            pass  # the app closed meanwhile

    def _fail(self, error: Exception) -> None:
        gc.enable()  # no numbers will be shown to turn it back on
        self._failed(error)


def freeze_long_lived_objects() -> None:
    """Exempt what start-up created (torch, Textual, the widgets) from the cyclic garbage collector.

    Otherwise a full collection now and then walks those hundreds of thousands of objects in the
    middle of a key press: about 10 ms, most of a frame.
    """
    gc.collect()
    gc.freeze()
    gc.enable()  # off since the start-up (see TorchLoader.start and the command line)
