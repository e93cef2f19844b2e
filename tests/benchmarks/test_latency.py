"""Keystroke latency (issue 5 §2): key press → repainted screen, headless, median and p95, with
the compute alone beside it. Run: pytest -m benchmark tests/benchmarks -s"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from attn_tui.ui.app import AttnApp
from attn_tui.core.compute import analyse
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario, seeded_scenario
from conftest import running
from latency import Timing, measure_sync, press_and_repaint, press_and_repaint_pilot

pytestmark = pytest.mark.benchmark

REPEAT = 30


def reference_loop_ms() -> float:
    """A fixed pure-Python loop, timed (median of 5): this machine's speed drifts, between about 33
    and 50 ms for this loop, in phases minutes long. Each row prints it, measured just before and
    after its samples, to tell a slow phase from a slow build. (Not used to scale anything.)"""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(500_000):
            total += i * i
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def with_reference(timing: Timing, before: float) -> Timing:
    """``timing`` with the reference loop's mean of ``before`` and now."""
    return replace(timing, reference=(before + reference_loop_ms()) / 2)


class _BuiltWhenAsked(Mapping[str, Scenario]):
    """Scenarios by name, each built the first time it is asked for: the largest take minutes of
    CPU to build (3.6 with d_out 768), and every run of the suite imports this module to collect
    it, benchmarks selected or not."""

    def __init__(self, makers: dict[str, Callable[[], Scenario]]) -> None:
        self._makers = makers
        self._built: dict[str, Scenario] = {}

    def __getitem__(self, name: str) -> Scenario:
        if name not in self._built:
            self._built[name] = self._makers[name]()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


SIZES = _BuiltWhenAsked({
    "6×3": lambda: SEED_EXAMPLE,
    "64×64": lambda: seeded_scenario(64, 64, seed=1),
    "512×768": lambda: seeded_scenario(512, 768, seed=1),
})
GOALS = {"6×3": 16.0, "64×64": 16.0, "512×768": 50.0}


def row(name: str, ui: Timing, compute: Timing | None, goal: float | None) -> str:
    compute_text = f"{compute.median:8.2f}" if compute else "       –"
    verdict = "" if goal is None else ("ok" if ui.median <= goal else "OVER")
    goal_text = f"≤{goal:g}" if goal else ""
    reference = "" if ui.reference != ui.reference else f"  (reference loop {ui.reference:.1f} ms)"  # NaN: not measured
    return f"{name:<28} {ui.median:8.2f} {ui.p95:8.2f} {compute_text}  {goal_text:>5} {verdict}{reference}"


async def _commit_timing(scenario, before: tuple[str, ...] = ()) -> tuple[Timing, Timing]:
    async with running(AttnApp(scenario), size=(100, 30)) as pilot:
        app = pilot.app
        for key_before in before:
            await press_and_repaint(pilot, key_before)
        reference = reference_loop_ms()
        samples = []
        for i in range(REPEAT):
            value = str(i % 9 + 1)
            await press_and_repaint(pilot, value)  # opens the edit (not timed)
            samples.append(await press_and_repaint(pilot, "enter"))  # the commit
            assert app.scenario.embeddings[0][0] == float(value)
        timing = with_reference(Timing(tuple(samples)), reference)
        compute = measure_sync(lambda: analyse(app.scenario.with_value(0, 0, 0.5), app.analysis), REPEAT)
        return timing, compute


def _with_weights(scenario, d_out: int):
    """``scenario`` in section 3.4, with torch.rand weights of width ``d_out`` (seed 123)."""
    from attn_tui.mechanisms import mechanism_named

    trainable = mechanism_named("trainable")
    return scenario.with_mechanism("trainable", trainable.initialise(scenario, "rand", 123, d_out))


TRAINABLE_SIZES = _BuiltWhenAsked({
    "6×3": lambda: _with_weights(SIZES["6×3"], 2),
    "64×64": lambda: _with_weights(SIZES["64×64"], 64),
    "512×768": lambda: _with_weights(SIZES["512×768"], 64),
})
"""Issue 9's cases: d_out 2 for the book's example, 64 for the larger ones."""


def _in_mechanism(scenario, name: str, initialisation: str, d_out: int, **settings):
    """``scenario`` in mechanism ``name`` with ``settings`` (e.g. heads) and new weights."""
    from attn_tui.mechanisms import mechanism_named

    mechanism = mechanism_named(name)
    for setting, value in settings.items():
        scenario = scenario.with_parameter(setting, value)
    return scenario.with_mechanism(name, mechanism.initialise(scenario, initialisation, 123, d_out))


MECHANISM_SIZES = _BuiltWhenAsked({
    "3.5 (dropout) 64×64": lambda: _in_mechanism(SIZES["64×64"], "causal", "causal", 64, training=True),
    "3.5 (dropout) 512×768": lambda: _in_mechanism(SIZES["512×768"], "causal", "causal", 64, training=True),
    "3.6 8 heads d_out 64, 64×64": lambda: _in_mechanism(SIZES["64×64"], "multihead", "split", 64, heads=8),
    "3.6 12 heads d_out 768, 512×768": lambda: _in_mechanism(SIZES["512×768"], "multihead", "split", 768, heads=12),
})
"""Issue 10's cases: 3.5 with dropout acting; 3.6 with 64 tokens, d_out 64, 8 heads and 512 tokens,
d_out 768, 12 heads."""


async def _weight_commit_timing(scenario) -> tuple[Timing, Timing]:
    async with running(AttnApp(scenario), size=(100, 30)) as pilot:
        app = pilot.app
        await app.workers.wait_for_complete()
        await press_and_repaint(pilot, "g")  # the grid shows W_q
        reference = reference_loop_ms()
        samples = []
        for i in range(REPEAT):
            value = str(i % 9 + 1)
            await press_and_repaint(pilot, value)
            samples.append(await press_and_repaint(pilot, "enter"))
            assert app.scenario.matrix("W_q")[0][0] == float(value)
        timing = with_reference(Timing(tuple(samples)), reference)
        compute = measure_sync(lambda: analyse(app.scenario.with_matrix_value("W_q", 0, 0, 0.5), app.analysis), REPEAT)
        return timing, compute


async def _key_timing(scenario, key: str | None, before: tuple[str, ...] = (), repeat: int = REPEAT, press=press_and_repaint) -> Timing:
    async with running(AttnApp(scenario), size=(100, 30)) as pilot:
        for key_before in before:
            await press_and_repaint(pilot, key_before)
        keys = () if key is None else (key,)
        reference = reference_loop_ms()
        samples = [await press(pilot, *keys) for _ in range(repeat)]
        return with_reference(Timing(tuple(samples)), reference)


async def test_keystroke_latency():
    lines = [f"{'key press → repainted (ms)':<28} {'median':>8} {'p95':>8} {'compute':>8}  goal"]
    for name, scenario in SIZES.items():
        ui, compute = await _commit_timing(scenario)
        lines.append(row(f"cell commit (⏎) {name}", ui, compute, GOALS[name]))
    for name, scenario in SIZES.items():
        ui = await _key_timing(scenario, "right_square_bracket")
        previous = analyse(scenario)
        compute = measure_sync(lambda: analyse(scenario.with_query_step(1), previous), REPEAT)
        lines.append(row(f"query change {name}", ui, compute, GOALS[name]))
    ui = await _key_timing(SEED_EXAMPLE, "space", before=("w",), repeat=25)
    lines.append(row("walk step 6×3", ui, None, GOALS["6×3"]))
    for name, scenario in TRAINABLE_SIZES.items():
        ui, compute = await _weight_commit_timing(scenario)
        lines.append(row(f"3.4 weight commit {name}", ui, compute, GOALS[name]))
        ui = await _key_timing(scenario, "right_square_bracket")
        previous = analyse(scenario)
        compute = measure_sync(lambda: analyse(scenario.with_query_step(1), previous), REPEAT)
        lines.append(row(f"3.4 query change {name}", ui, compute, GOALS[name]))
    ui = await _key_timing(SIZES["512×768"], "down")
    lines.append(row("cursor move 512×768", ui, None, GOALS["512×768"]))
    # The floor: the same waits and paint with no key at all (the harness's own cost).
    ui = await _key_timing(SEED_EXAMPLE, None)
    lines.append(row("no key (harness floor) 6×3", ui, None, None))
    # The earlier harness (a round trip to every widget, three times), for comparison.
    ui = await _key_timing(SEED_EXAMPLE, "right_square_bracket", press=press_and_repaint_pilot)
    lines.append(row("query change 6×3, Pilot wait", ui, None, None))
    ui = await _key_timing(SEED_EXAMPLE, None, press=press_and_repaint_pilot)
    lines.append(row("no key, Pilot wait", ui, None, None))
    print("\n" + "\n".join(lines))


async def test_mechanism_keystroke_latency():
    """Issue 10's rows (3.5 and 3.6), apart so that they run alone: pytest -m benchmark
    tests/benchmarks/test_latency.py -k mechanism -s"""
    lines = [f"{'key press → repainted (ms)':<28} {'median':>8} {'p95':>8} {'compute':>8}  goal"]
    for name, scenario in MECHANISM_SIZES.items():
        goal = GOALS[name.rpartition(" ")[2]]
        ui, compute = await _weight_commit_timing(scenario)
        lines.append(row(f"{name} weight commit", ui, compute, goal))
        ui = await _key_timing(scenario, "right_square_bracket")
        previous = analyse(scenario)
        compute = measure_sync(lambda: analyse(scenario.with_query_step(1), previous), REPEAT)
        lines.append(row(f"{name} query change", ui, compute, goal))
        if scenario.mechanism == "multihead":
            ui = await _key_timing(scenario, "H")
            compute = measure_sync(lambda: analyse(scenario.with_parameter("head", 2), previous), REPEAT)
            lines.append(row(f"{name} next head (H)", ui, compute, goal))
    ui = await _key_timing(SEED_EXAMPLE, None)
    lines.append(row("no key (harness floor) 6×3", ui, None, None))
    print("\n" + "\n".join(lines))


async def test_vector_plot_redraw_latency():
    """A cell commit with the vector plot open (v): recompute, plot data, plotext's drawing, paint."""
    from attn_tui.core.plot_data import plane_data, planes_for
    from attn_tui.mechanisms.simple.plot import vector_spaces

    lines = [f"{'plot open: key → repainted (ms)':<28} {'median':>8} {'p95':>8} {'plot data':>8}  goal"]
    for name in ("6×3", "512×768"):
        scenario = SIZES[name]
        without_plot, _ = await _commit_timing(scenario)  # the same machine's load, for comparison
        lines.append(row(f"  (plot closed) {name}", without_plot, None, None))
        ui, _ = await _commit_timing(scenario, before=("v",))
        # After an edit (a new tensor): at 100×30 one plane shows, the principal components for 768 dimensions.
        edited = [analyse(scenario.with_value(0, 0, i / 10)) for i in range(REPEAT)]
        first_plane = planes_for(scenario.n_dims)[0]
        data = measure_sync(lambda: plane_data(vector_spaces(edited.pop())[0], first_plane), REPEAT)
        lines.append(row(f"plot open, cell commit {name}", ui, data, GOALS[name]))
    print("\n" + "\n".join(lines))
