"""Seeded fuzzing with the Pilot: random keys from the whole keymap, in every mode; the app must
never raise, and afterwards what it shows must equal a fresh computation on the grid's numbers."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import random
import string
from pathlib import Path

import pytest
from textual.dom import DOMNode

import attn_tui
from attn_tui.ui.app import AttnApp
from attn_tui.core.formatting import format_number
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario
from attn_tui.core.sentence import scenario_from_sentence
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.panels import Panel
from attn_tui.core.compute import analyse
from conftest import quiet, running, screen_text, send_burst, widget_text
import oracle_weights
from oracle_weights import scaled_attention
from test_app import NUMBER, assert_panels_match_fresh_computation, assert_panels_match_oracle, context_text

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


FUZZ_STARTS: dict[str, Scenario] = {
    "book-6-tokens": SEED_EXAMPLE,
    # More tokens than the panels list at 80×24: the window around the query is fuzzed too.
    "sentence-14-tokens": scenario_from_sentence("the quick brown fox jumps over the lazy dog while a cat naps nearby", 4, 123),
    # Section 3.4: the book's weights (drawn once torch has loaded), W_q, W_k, W_v editable too.
    "trainable-6-tokens": SEED_EXAMPLE.with_mechanism("trainable"),
}
"""What a fuzz run starts from. A second mechanism adds its starts (or a third axis) here."""

LONG_FUZZ_SEEDS_VARIABLE = "ATTN_TUI_FUZZ_SEEDS"
REGRESSION_SEED = 2026
"""Found the key-burst crash (issue 15 §0): an edit opened on a row that "x x" had deleted."""


def long_fuzz_seeds() -> list[int]:
    """The long fuzz's seeds: ``ATTN_TUI_FUZZ_SEEDS="2026 7 31"`` (CI runs several), else 2026."""
    return [int(seed) for seed in os.environ.get(LONG_FUZZ_SEEDS_VARIABLE, str(REGRESSION_SEED)).replace(",", " ").split()]


class StayingApp(AttnApp):
    """The app the fuzz drives. Ctrl+Q is left out of its keys, but the palette's "Quit" is a few
    random letters and an Enter away (the long fuzz found it under load): an exit the app asks
    for, after its unsaved-changes question, is counted here instead, and the run goes on."""

    CSS_PATH = str(Path(inspect.getfile(AttnApp)).with_name(str(AttnApp.CSS_PATH)))  # beside the app, not this test

    exits_asked: int = 0

    def exit(self, result: object = None, return_code: int = 0, message: object = None) -> None:
        self.exits_asked += 1


async def fuzz(seed: int, count: int, size: tuple[int, int] = (80, 24), scenario: Scenario = SEED_EXAMPLE) -> None:
    rng = random.Random(seed)
    async with running(StayingApp(scenario), size=size) as pilot:
        app = pilot.app
        for start in range(0, count, 20):
            await send_burst(pilot, *random_keys(rng, 20))
            if rng.random() < 0.05:
                await pilot.resize_terminal(rng.choice([60, 80, 120]), rng.choice([20, 24, 40]))
        await pilot.pause()
        await settle(pilot)
        try:
            assert_consistent(app)
        except (AssertionError, IndexError) as failure:
            # What CI prints is all there is of a run that fails only on a loaded machine.
            raise AssertionError(f"{type(failure).__name__}: {failure}\n\n{state_of(app)}") from failure


def state_of(app: AttnApp) -> str:
    """The app's state and screen, for a failure's message."""
    facts = {
        "screens": [type(screen).__name__ for screen in app.screen_stack],
        "size": tuple(app.size),
        "mechanism": app.scenario.mechanism,
        "query": app.scenario.query,
        "tokens": app.scenario.tokens,
        "focused": repr(app.focused),
        "help panel": bool(app.screen.query("HelpPanel")),
        "maximized": repr(app.screen.maximized),
        "regions": {panel.id: tuple(panel.region) for panel in app.query(Panel)},
    }
    return "\n".join(f"{name}: {value}" for name, value in facts.items()) + "\n\n" + screen_text(app)


async def settle(pilot) -> None:
    """Back to the plain live view: no dialog, edit, walk, autoplay or other view.

    Every step first waits until the app is quiet: a key of the last burst handled after these
    resets (a late c turns the comparison back on) or a layout still pending when the panels are
    read would fail the check on a loaded machine, where a fixed pause can end too soon."""
    app = pilot.app
    await quiet(pilot)
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await quiet(pilot)
    app.autoplay = False
    app.screen.minimize()  # the palette's "Maximize" hides the panels the check reads (Escape undoes it)
    await pilot.resize_terminal(100, 30)
    await quiet(pilot)
    assert tuple(app.size) == (100, 30)
    grid = app.query_one(EmbeddingGrid)
    grid.cancel_edit(quietly=True)
    app.action_walk_leave()
    app.matrix_view = False
    if app.vector_plot_shown:  # at 100×30 it covers the panels the check reads
        app.action_toggle_vector_plot()
    app.compare_normalisations = False
    app.action_hide_help_panel()  # Textual's keys panel (the palette's "Keys") takes a third of the width
    app.grid_matrix = "X"
    app.show_grid()
    await quiet(pilot)  # a mechanism's panels being mounted; the new layout and its Resize events


def assert_consistent(app: AttnApp) -> None:
    assert app.analysis is not None and app.analysis.scenario == app.scenario
    if app.scenario.mechanism == "simple":
        assert_panels_match_fresh_computation(app)
        assert_panels_match_oracle(app)
    elif app.scenario.mechanism == "causal":
        assert_causal_panels_match_fresh_computation(app)
        assert_causal_panels_match_oracle(app, context_text(app).strip("[]").split(", "))
    elif app.scenario.mechanism == "multihead":
        assert_causal_panels_match_fresh_computation(app, context=False)  # the shown head's weights
        output = analyse(app.scenario).every_head_query.context
        shown = multihead_output_text(app)
        assert shown == "[" + ", ".join(format_number(v) for v in output.tolist()[:8]) + (", …]" if len(output) > 8 else "]")
        assert_causal_panels_match_oracle(app, shown.strip("[]").split(", ")[:8])
    else:
        assert_trainable_panels_match_fresh_computation(app)
    grid = app.query_one(EmbeddingGrid)
    scenario = app.scenario
    for row in range(scenario.n_tokens):
        for dim in range(scenario.n_dims):
            assert grid.get_cell_at((row, dim + 1)).plain.strip() == format_number(scenario.embeddings[row][dim])


def assert_trainable_panels_match_fresh_computation(app: AttnApp) -> None:
    """3.4: the weights and the context vector on screen equal a fresh computation, and the
    independent float64 reference (tests/oracle_weights.py) where float32 cannot drift far."""
    scenario = app.scenario
    fresh = analyse(scenario).query
    rows = widget_text(app.query_one("#attention .panel-body")).splitlines()[1:]  # under the headings
    shown = [[field for field in row.split() if NUMBER.fullmatch(field)][-1] for row in rows if row.startswith("ω")]
    listed = app.query_one("#attention").rows(app.analysis)
    assert shown == [format_number(v) for v in fresh.weights.tolist()[listed.start : listed.stop]]
    context = context_text(app)
    assert context == "[" + ", ".join(format_number(v) for v in fresh.context.tolist()) + "]"
    reference = scaled_attention(scenario.embeddings, scenario.matrix("W_q"), scenario.matrix("W_k"), scenario.matrix("W_v"))
    magnitudes = [abs(v) for row in reference["scores"] for v in row] + [abs(v) for row in reference["values"] for v in row]
    if max(magnitudes) < 100:  # beyond, float32's rounding of large scores moves the softmax more than a printed unit
        expected = reference["weights"][scenario.query][listed.start : listed.stop] + reference["context"][scenario.query]
        printed = shown + context.strip("[]").split(", ")
        # One unit of the 4th decimal: the rounding of the printed value, plus float32's error.
        assert all(abs(float(text) - value) <= 1e-4 for text, value in zip(printed, expected)), (printed, expected)


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


def multihead_output_text(app: AttnApp) -> str:
    """3.6's output for the query as the heads panel's last line shows it: "[0.2943, 0.3897]"."""
    last = widget_text(app.query_one("#context .panel-body")).splitlines()[-1]
    return last.split(maxsplit=1)[1].strip()


def oracle_of_shown_head(app: AttnApp) -> tuple[dict, list[list[float]]]:
    """3.5 or 3.6 by the float64 reference (tests/oracle_weights.py): the shown head's numbers, and
    what the context panel shows for every query (3.5's context, 3.6's module output). Dropout
    takes the mask the app drew: the reference checks the arithmetic, not torch's random draw."""
    from attn_tui.mechanisms.multihead import head_names

    scenario = app.scenario
    analysis = analyse(scenario)
    x = [list(row) for row in scenario.embeddings]

    def matrix(name: str) -> list[list[float]]:
        return [list(row) for row in scenario.matrix(name)]

    def keep(multiplier) -> list | None:
        return None if multiplier is None else (multiplier != 0).tolist()

    p = float(analysis.dropout.p)
    if scenario.mechanism == "causal":
        head = oracle_weights.causal_attention(x, matrix("W_q"), matrix("W_k"), matrix("W_v"), keep=keep(analysis.all_queries.dropout_multiplier), p=p)
        return head, head["context"]
    keeps = keep(analysis.every_head.heads.dropout_multiplier)
    if analysis.variant == "split":
        result = oracle_weights.multihead(x, matrix("W_q"), matrix("W_k"), matrix("W_v"), matrix("W_out"), matrix("b_out")[0], analysis.num_heads, keeps=keeps, p=p)
        return result["heads"][analysis.head], result["context"]
    heads = [tuple(matrix(name) for name in head_names(k + 1)) for k in range(analysis.num_heads)]
    head = oracle_weights.causal_attention(x, *heads[analysis.head], keep=None if keeps is None else keeps[analysis.head], p=p)
    return head, oracle_weights.wrapper(x, heads, keeps=keeps, p=p)


def assert_causal_panels_match_oracle(app: AttnApp, context: list[str]) -> None:
    """3.5 and 3.6: each visible token's last weight on screen (as in the check against
    analyse()) and the context panel's ``context`` numbers equal the float64 reference within one
    unit of the 4th decimal, where float32 cannot drift further (scores and values under 100)."""
    head, contexts = oracle_of_shown_head(app)
    q = app.scenario.query
    magnitudes = [abs(v) for row in head["scores"] + head["values"] for v in row]
    if max(magnitudes) >= 100:
        return
    fresh = analyse(app.scenario)
    rows = [row for row in widget_text(app.query_one("#attention .panel-body")).splitlines()[1:] if row.startswith("α")]
    printed, expected = [], []
    for i, row in zip(app.query_one("#attention").rows(app.analysis), rows):
        if i <= q:
            kept = fresh.dropout.active and not bool(fresh.query.dropped[i])
            printed.append([field for field in row.split() if NUMBER.fullmatch(field)][-1])
            expected.append(head["dropped_weights" if kept else "weights"][q][i])
    printed += [text for text in context if text != "…"]
    expected += contexts[q][: len(printed) - len(expected)]
    assert len(printed) == len(expected)
    # One unit of the 4th decimal: the rounding of the printed value, plus float32's error.
    assert all(abs(float(text) - value) <= 1e-4 for text, value in zip(printed, expected)), (printed, expected)


async def test_fuzz_in_3_5_with_dropout():
    """The fuzz started in 3.5, training, so that o, D and T act from the first key."""
    from attn_tui.core.scenario import SEED_EXAMPLE
    from attn_tui.mechanisms import mechanism_named

    parameters = mechanism_named("causal").default_parameters(SEED_EXAMPLE).replacing("training", True)
    await fuzz(3, 300, scenario=SEED_EXAMPLE.with_mechanism("causal", parameters))


async def test_fuzz_in_3_6():
    """The fuzz started in 3.6, so that H and the heads' settings act from the first key."""
    from attn_tui.core.scenario import SEED_EXAMPLE

    await fuzz(4, 300, scenario=SEED_EXAMPLE.with_mechanism("multihead"))


async def test_a_quit_from_the_palette_does_not_end_a_fuzz_run():
    async with running(StayingApp(SEED_EXAMPLE), size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("ctrl+p", *"quit")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await quiet(pilot)
        assert app.exits_asked == 1 and app.is_running


def test_the_keymap_is_collected_from_every_class():
    keys = keymap()
    for key in ("w", "m", "c", "left_square_bracket", "enter", "escape", "j", "o", "D", "T", "H"):
        assert key in keys


@pytest.mark.parametrize("start", FUZZ_STARTS)
@pytest.mark.parametrize("seed", [1])  # one seed per start here; the long fuzz (CI) runs several
async def test_fuzz_short(seed, start):
    await fuzz(seed, 300, scenario=FUZZ_STARTS[start])


def test_the_long_fuzz_seeds_come_from_the_environment(monkeypatch):
    monkeypatch.delenv(LONG_FUZZ_SEEDS_VARIABLE, raising=False)
    assert long_fuzz_seeds() == [REGRESSION_SEED]
    monkeypatch.setenv(LONG_FUZZ_SEEDS_VARIABLE, "2026 7,31")
    assert long_fuzz_seeds() == [2026, 7, 31]


def test_the_starts_include_more_tokens_than_fit_at_80x24():
    assert max(start.n_tokens for start in FUZZ_STARTS.values()) >= 12


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~2 minutes on a quiet machine; far longer when it is shared
@pytest.mark.parametrize("start", FUZZ_STARTS)
@pytest.mark.parametrize("seed", long_fuzz_seeds())
async def test_fuzz_10000_keys(seed, start):
    await fuzz(seed, 10_000, size=(80, 24), scenario=FUZZ_STARTS[start])


@pytest.mark.parametrize("mechanism, settings", [
    ("causal", {"training": True}),
    ("multihead", {"training": True}),
    ("multihead", {"training": True, "heads": 3, "head": 2}),
])  # fmt: skip
async def test_the_consistency_check_reads_3_5_and_3_6_against_the_oracle(mechanism, settings):
    """The fuzz's check, on 3.5 and 3.6 with dropout acting (a fuzz run checks whichever
    mechanism its keys ended in): what the panels show equals analyse() and the float64 oracle."""
    from attn_tui.mechanisms import mechanism_named

    unit = mechanism_named(mechanism)
    scenario = SEED_EXAMPLE.with_query(5).with_mechanism(mechanism, unit.default_parameters(SEED_EXAMPLE))  # "step": some weights survive
    for name, value in settings.items():
        scenario = scenario.with_parameter(name, value)
    if "heads" in settings:  # MultiHeadAttentionWrapper: d_out 2 per head, any number of heads
        scenario = scenario.with_mechanism(mechanism, unit.initialise(scenario, "wrapper", 123, 2))
    async with running(AttnApp(scenario), size=(100, 30)) as pilot:
        await quiet(pilot)
        assert analyse(pilot.app.scenario).dropout.active
        assert_consistent(pilot.app)
