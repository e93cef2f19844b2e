"""Seeded fuzzing with the Pilot: random keys from the whole keymap, in every mode; the app must
never raise, and afterwards what it shows must equal a fresh computation on the grid's numbers."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import string

import pytest
from textual.dom import DOMNode

import attn_tui
from attn_tui.ui.app import AttnApp
from attn_tui.core.formatting import format_number
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from conftest import running, send_burst
from test_app import assert_panels_match_fresh_computation

NEVER = {"ctrl+q", "ctrl+c"}
"""Keys that end the run (quit) are left out: the fuzz must keep going."""
JUNK = ["[red]", "[/]", "\\", "1e999", "nan", "--", "é", "→", "  ", "[@click=app.quit]x[/]", "\t", "0.5", "-0"]


def _classes_with_bindings() -> list[type[DOMNode]]:
    """Every class in attn_tui with BINDINGS (the app, widgets, dialog screens), found at run time
    so keys added later are fuzzed too."""
    modules = [attn_tui]
    for info in pkgutil.walk_packages(attn_tui.__path__, attn_tui.__name__ + "."):
        if info.name.endswith(("__main__", ".cli")):
            continue
        modules.append(importlib.import_module(info.name))
    classes = {
        value
        for module in modules
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, DOMNode) and value.__module__.startswith("attn_tui")
    }
    return sorted(classes, key=lambda cls: cls.__qualname__)


def keymap() -> list[str]:
    keys = set()
    for cls in _classes_with_bindings():
        for binding in cls.BINDINGS:
            key = binding.key if hasattr(binding, "key") else binding[0]
            keys.update(k.strip() for k in key.split(","))
    return sorted(keys - NEVER)


def _character_key(character: str) -> str:
    from textual.keys import _character_to_key

    return character if character.isalnum() else _character_to_key(character)


def random_keys(rng: random.Random, count: int) -> list[str]:
    bound = keymap()
    keys: list[str] = []
    while len(keys) < count:
        kind = rng.random()
        if kind < 0.55:
            keys.append(rng.choice(bound))
        elif kind < 0.75:
            keys.append(rng.choice(string.digits + ".-"))
        elif kind < 0.9:
            keys.append(rng.choice(string.ascii_letters))
        else:
            keys.extend(_character_key(c) for c in rng.choice(JUNK))
    return keys[:count]


async def fuzz(seed: int, count: int, size: tuple[int, int] = (80, 24)) -> None:
    rng = random.Random(seed)
    async with running(size=size) as pilot:
        app = pilot.app
        for start in range(0, count, 20):
            await send_burst(pilot, *random_keys(rng, 20))
            if rng.random() < 0.05:
                await pilot.resize_terminal(rng.choice([60, 80, 120]), rng.choice([20, 24, 40]))
        await pilot.pause()
        await settle(pilot)
        assert_consistent(app)


async def settle(pilot) -> None:
    """Back to the plain live view: no dialog, edit, walk, autoplay or other view."""
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()
    app.autoplay = False
    await pilot.resize_terminal(100, 30)
    await pilot.pause()
    assert tuple(app.size) == (100, 30)
    grid = app.query_one(EmbeddingGrid)
    grid.cancel_edit(quietly=True)
    app.action_walk_leave()
    app.matrix_view = False
    app.compare_normalisations = False
    await pilot.pause()


def assert_consistent(app: AttnApp) -> None:
    assert app.analysis is not None and app.analysis.scenario == app.scenario
    assert_panels_match_fresh_computation(app)
    grid = app.query_one(EmbeddingGrid)
    scenario = app.scenario
    for row in range(scenario.n_tokens):
        for dim in range(scenario.n_dims):
            assert grid.get_cell_at((row, dim + 1)).plain.strip() == format_number(scenario.embeddings[row][dim])


def test_the_keymap_is_collected_from_every_class():
    keys = keymap()
    for key in ("w", "m", "c", "left_square_bracket", "enter", "escape", "j"):
        assert key in keys


@pytest.mark.parametrize("seed", [1, 2])
async def test_fuzz_short(seed):
    await fuzz(seed, 300)


@pytest.mark.slow
async def test_fuzz_10000_keys():
    await fuzz(2026, 10_000)
