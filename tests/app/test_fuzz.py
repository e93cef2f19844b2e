"""Seeded fuzzing with the Pilot: random keys from the whole keymap, in every mode; the app must
never raise, and afterwards what it shows must equal a fresh computation on the grid's numbers."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import string

import pytest
from textual import events
from textual.dom import DOMNode

import attn_tui
from attn_tui.ui.app import AttnApp
from attn_tui.core.formatting import format_number
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from conftest import running
from attn_tui.core.compute import analyse
from conftest import widget_text
from test_app import NUMBER, assert_panels_match_fresh_computation, context_text

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


def _key_event(key: str) -> events.Key:
    names = {"enter": "\r", "space": " ", "full_stop": ".", "minus": "-", "tab": "\t", "escape": "\x1b",
             "left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
             "greater_than_sign": ">", "less_than_sign": "<", "backspace": "\x7f"}
    character = key if len(key) == 1 else names.get(key)
    return events.Key(key, character)


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


async def fuzz(seed: int, count: int, size: tuple[int, int] = (80, 24), app: AttnApp | None = None) -> None:
    rng = random.Random(seed)
    async with running(app, size=size) as pilot:
        app = pilot.app
        for start in range(0, count, 20):
            for key in random_keys(rng, 20):
                app._driver.send_message(_key_event(key))
            await pilot._wait_for_screen()
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
    app.grid_matrix = "X"
    app.show_grid()
    await app.workers.wait_for_complete()  # a mechanism's panels being mounted
    await pilot.pause()


def assert_consistent(app: AttnApp) -> None:
    assert app.analysis is not None and app.analysis.scenario == app.scenario
    if app.scenario.mechanism == "simple":
        assert_panels_match_fresh_computation(app)
    elif app.scenario.mechanism == "causal":
        assert_causal_panels_match_fresh_computation(app)
    elif app.scenario.mechanism == "multihead":
        assert_causal_panels_match_fresh_computation(app, context=False)  # the shown head's weights
        output = analyse(app.scenario).every_head_query.context
        last = widget_text(app.query_one("#context .panel-body")).splitlines()[-1]
        assert last.split(maxsplit=1)[1].strip() == "[" + ", ".join(format_number(v) for v in output.tolist()[:8]) + (", …]" if len(output) > 8 else "]")
    else:
        assert_trainable_panels_match_fresh_computation(app)
    grid = app.query_one(EmbeddingGrid)
    scenario = app.scenario
    for row in range(scenario.n_tokens):
        for dim in range(scenario.n_dims):
            assert grid.get_cell_at((row, dim + 1)).plain.strip() == format_number(scenario.embeddings[row][dim])


def assert_trainable_panels_match_fresh_computation(app: AttnApp) -> None:
    """3.4: the weights and the context vector on screen equal a fresh computation."""
    fresh = analyse(app.scenario).query
    rows = widget_text(app.query_one("#attention .panel-body")).splitlines()[1:]  # under the headings
    shown = [[field for field in row.split() if NUMBER.fullmatch(field)][-1] for row in rows if row.startswith("ω")]
    listed = app.query_one("#attention").rows(app.analysis)
    assert shown == [format_number(v) for v in fresh.weights.tolist()[listed.start : listed.stop]]
    assert context_text(app) == "[" + ", ".join(format_number(v) for v in fresh.context.tolist()) + "]"


def assert_causal_panels_match_fresh_computation(app: AttnApp, *, context: bool = True) -> None:
    """3.5: each visible token's last weight on screen (after dropout when it acts, unless dropped)
    and the context vector equal a fresh computation; the masked tokens show no number."""
    fresh = analyse(app.scenario)
    query = fresh.query
    rows = [row for row in widget_text(app.query_one("#attention .panel-body")).splitlines()[1:] if row.startswith("α")]
    listed = app.query_one("#attention").rows(app.analysis)
    for i, row in zip(listed, rows):
        if i > app.scenario.query:
            assert row.rstrip().endswith("—")
            continue
        kept = fresh.dropout.active and not bool(query.dropped[i])
        expected = query.dropped_weights[i] if kept else query.weights[i]
        assert [field for field in row.split() if NUMBER.fullmatch(field)][-1] == format_number(float(expected))
    if context:
        assert context_text(app) == "[" + ", ".join(format_number(v) for v in query.context.tolist()) + "]"


async def test_fuzz_in_3_5_with_dropout():
    """The fuzz started in 3.5, training, so that o, D and T act from the first key."""
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.mechanisms import mechanism_named

    parameters = mechanism_named("causal").default_parameters(SEED_EXAMPLE).replacing("training", True)
    await fuzz(3, 300, app=AttnApp(SEED_EXAMPLE.with_mechanism("causal", parameters)))


async def test_fuzz_in_3_6():
    """The fuzz started in 3.6, so that H and the heads' settings act from the first key."""
    from attn_tui.core.scenario import SEED_EXAMPLE

    await fuzz(4, 300, app=AttnApp(SEED_EXAMPLE.with_mechanism("multihead")))


def test_the_keymap_is_collected_from_every_class():
    keys = keymap()
    for key in ("w", "m", "c", "left_square_bracket", "enter", "escape", "j", "o", "D", "T", "H"):
        assert key in keys


@pytest.mark.parametrize("seed", [1, 2])
async def test_fuzz_short(seed):
    await fuzz(seed, 300)


@pytest.mark.slow
async def test_fuzz_10000_keys():
    await fuzz(2026, 10_000)
