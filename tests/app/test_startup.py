"""Start-up order: the first frame goes out before torch is imported; what speeds that up
(loading torch's libraries without the GIL, no garbage collection meanwhile) changes no result."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap

import pytest

from attn_tui import cli
from attn_tui.terminal import preload
from attn_tui.ui.app import AttnApp
from attn_tui.ui.torch_loader import freeze_long_lived_objects
from conftest import running


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform != "linux", reason="the libraries' layout is checked for Linux wheels")
def test_the_installed_torch_libraries_are_found_without_importing_torch():
    result = run_python(
        """
        import os, sys
        from attn_tui.terminal.preload import torch_libraries
        libraries = torch_libraries()
        print([path.name for path, _ in libraries], bool(libraries[0][1] & os.RTLD_GLOBAL), "torch" in sys.modules)
        """
    )
    assert result.stdout.split("\n")[0] == "['libtorch_global_deps.so', 'libtorch_python.so'] True False", result.stderr


def test_torch_imported_after_its_libraries_were_loaded_gives_the_books_numbers():
    result = run_python(
        """
        import sys
        from attn_tui.terminal.preload import load_torch_libraries
        loaded = load_torch_libraries()
        print("loaded", loaded, "torch imported", "torch" in sys.modules, "textual", "textual" in sys.modules)
        from attn_tui.core.compute import analyse
        from attn_tui.core.scenario import SEED_EXAMPLE
        print("context", [round(v, 4) for v in analyse(SEED_EXAMPLE).query.context.tolist()])
        """
    )
    loaded_line, context_line = result.stdout.strip().split("\n")
    expected_loaded = sys.platform in ("linux", "darwin")
    assert loaded_line == f"loaded {expected_loaded} torch imported False textual False", result.stderr
    assert context_line == "context [0.4419, 0.6515, 0.5683]"
    assert result.stderr == ""


def test_nothing_is_loaded_where_the_libraries_are_not_where_expected(tmp_path, monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    monkeypatch.setattr(preload, "torch_library_folder", lambda: tmp_path)  # an empty folder
    assert preload.torch_libraries() == []
    assert preload.load_torch_libraries() is False


def test_nothing_is_loaded_on_other_platforms_or_once_torch_is_imported(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    assert preload.torch_libraries() == []
    monkeypatch.setitem(sys.modules, "torch", sys.modules.get("torch", object()))
    assert preload.load_torch_libraries() is False


async def test_torch_is_imported_only_once_the_first_frame_is_out(monkeypatch):
    seen = []

    def record() -> bool:
        seen.append(app._first_frame_drawn.is_set())
        return False

    monkeypatch.setattr(preload, "load_torch_libraries", record)
    app = AttnApp()
    async with running(app):
        pass
    assert seen == [True]


FIRST_FRAME_MODULES = """
    import asyncio, json, sys
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.terminal import preload
    from attn_tui.ui.app import AttnApp

    loaded = []

    def record():  # the loader's first step, once the first frame is out
        loaded.extend(sorted(sys.modules))
        return False

    preload.load_torch_libraries = record

    async def main():
        async with AttnApp(SEED_EXAMPLE.with_mechanism(sys.argv[1])).run_test(size=(80, 24)) as pilot:
            while not loaded:
                await pilot.pause(0.02)

    asyncio.run(main())
    print(json.dumps(loaded))
"""


def modules_before_the_first_frame(mechanism: str) -> set[str]:
    """What a fresh interpreter has imported when the first frame of ``mechanism`` is out."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FIRST_FRAME_MODULES), mechanism], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_every_section_imports_what_3_3_imports_before_the_first_frame():
    """3.4–3.6 mount their own panels once torch has loaded: the first frame of --mechanism 3.6
    waits for no module 3.3's does not (their panels' modules load with the numbers)."""
    simple = modules_before_the_first_frame("simple")
    assert "attn_tui.ui.app" in simple and "torch" not in simple
    for mechanism in ("trainable", "causal", "multihead"):
        assert sorted(modules_before_the_first_frame(mechanism) - simple) == [], mechanism


async def test_garbage_collection_is_back_on_once_the_numbers_are_shown():
    assert gc.isenabled()
    gc.disable()  # as the command line does for the start-up
    try:
        async with running() as pilot:
            for _ in range(200):  # the collection runs after the numbers' frame
                if gc.isenabled():
                    break
                await pilot.pause(0.01)
            assert gc.isenabled()
    finally:
        gc.enable()


def test_the_command_line_starts_the_app_with_garbage_collection_paused(monkeypatch):
    states = []
    monkeypatch.setattr(AttnApp, "run", lambda self: states.append(gc.isenabled()))
    try:
        assert cli.main([]) == 0
    finally:
        gc.enable()
    assert states == [False]


def test_freezing_start_up_objects_turns_collection_back_on():
    gc.disable()
    try:
        freeze_long_lived_objects()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_quitting_while_torch_loads_leaves_at_once(monkeypatch):
    exits = []

    def run_and_quit_early(self) -> None:
        self.is_loading_torch = True  # as when Ctrl+Q comes within the first second

    monkeypatch.setattr(AttnApp, "run", run_and_quit_early)
    monkeypatch.setattr(cli.os, "_exit", exits.append)
    try:
        cli.main([])
    finally:
        gc.enable()
    assert exits == [0]


async def test_a_torch_that_cannot_be_loaded_ends_the_app_with_a_clear_message(monkeypatch):
    def broken() -> bool:
        raise ImportError("libtorch_cpu.so: cannot open shared object file")

    monkeypatch.setattr(preload, "load_torch_libraries", broken)
    app = AttnApp()
    async with app.run_test() as pilot:
        for _ in range(100):
            if app.return_code is not None:
                break
            await pilot.pause(0.02)
    assert app.return_code == 1
    assert not app.is_loading_torch
    assert gc.isenabled()


async def test_a_session_forked_with_torch_loaded_starts_no_loader_and_never_pauses_collection(monkeypatch):
    """`attn-tui serve`'s sessions: torch came with the fork; nothing to load, nothing to wait for."""
    import attn_tui.core.compute  # noqa: F401 - as the zygote has, before it forks

    loads = []
    monkeypatch.setattr(preload, "load_torch_libraries", lambda: loads.append(True))
    app = AttnApp(torch_preloaded=True)
    collection = []
    async with app.run_test() as pilot:
        for _ in range(100):
            collection.append(gc.isenabled())
            if app.is_ready:
                break
            await pilot.pause(0.01)
        assert app.is_ready
    assert loads == [] and all(collection) and not app.is_loading_torch
