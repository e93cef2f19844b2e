"""CPU of the wire diff (attn_tui.terminal.wire) per frame, on frames recorded from the real app.

The app runs once in a pseudo-terminal with the diff wrapped to keep every update Textual passes it
(query changes at 6×3 and 64×64, cell commits, walk steps, labels in other scripts); the updates
are then replayed through a fresh :class:`ScreenDiff` several times and timed (CPU time, the least
of the runs per frame: the machine may be busy). Each replay must draw on a pyte screen what
Textual's own full updates draw, but with the labels in other scripts: there pyte counts columns
otherwise than Rich, and the diff, which re-anchors after such labels, draws better than Textual. Run: pytest -m benchmark tests/benchmarks/test_wire_speed.py -s"""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
pyte = pytest.importorskip("pyte", reason="the terminal benchmarks read the screen with pyte (pip install -e '.[test]')")

from latency import Timing  # noqa: E402
from pty_run import PtyProgram  # noqa: E402

pytestmark = pytest.mark.benchmark

RUNS = 5
RECORDER = """
import os, pickle, sys
from attn_tui import cli
from attn_tui.terminal import wire
frames, phase_file, out = [], sys.argv[1], sys.argv[2]
diff_frame = wire.ScreenDiff.diff
class Recorded(wire.CompositorUpdate):
    def __init__(self, segments): self.segments = segments
    def __rich_console__(self, console, options): yield from self.segments
def recording_diff(self, update, console, width, height):
    segments = list(update.__rich_console__(console, console.options))
    frames.append((open(phase_file).read(), width, height, console.color_system, segments))
    return diff_frame(self, Recorded(segments), console, width, height)
wire.ScreenDiff.diff = recording_diff
def dump():
    with open(out, "wb") as file: pickle.dump(frames, file)
exit_now = os._exit
os._exit = lambda code: (dump(), exit_now(code))
try:
    cli.main(sys.argv[3:])
finally:
    dump()
"""
LABELS = "नमस्ते,0.43,0.15,0.89\nहिन्दी,0.55,0.87,0.66\nTie\u0302\u0301ng,0.57,0.85,0.64\n中文😀,0.22,0.58,0.33\n"
CASES = [  # (name, file, width, height, steps: (phase, keys))
    ("6×3", None, 80, 24, [("query change 6×3", [b"]"] * 5), ("cell commit", [b"1", b"\r", b"j", b"2", b"\r"]),
                           ("walk step", [b"w"] + [b" "] * 10 + [b"\x1b"])]),
    ("64×64", "64", 100, 30, [("query change 64×64", [b"]"] * 10)]),
    ("scripts", "labels", 80, 24, [("query change, scripts", [b"]", b"]", b"["])]),
]


def record(tmp_path: Path, name: str, file: str | None, width: int, height: int, steps) -> list[tuple]:
    phase, out = tmp_path / "phase", tmp_path / f"{name}.pickle"
    phase.write_text("first frame")
    argv = []
    if file == "64":
        # The 64×64 case of the latency benchmark (test_latency.SIZES): the size at which the diff costs most.
        from attn_tui.core.files import save_scenario
        from attn_tui.core.scenario import seeded_scenario

        save_scenario(tmp_path / "64.json", seeded_scenario(64, 64, seed=1))
        argv = [str(tmp_path / "64.json")]
    elif file == "labels":
        (tmp_path / "labels.csv").write_text(LABELS, encoding="utf-8")
        argv = [str(tmp_path / "labels.csv")]
    program = PtyProgram([sys.executable, "-c", RECORDER, str(phase), str(out), *argv], width=width, height=height,
                         env={"XDG_STATE_HOME": str(tmp_path / "state")})
    try:
        program.wait_for("Query", timeout=60)
        program.quiet(1.0, timeout=30)
        for name_of_phase, keys in steps:
            for key in keys:
                phase.write_text(name_of_phase)
                program.send(key)
                program.quiet(0.3, timeout=30)
        phase.write_text("quit")
        program.send(b"\x11")
        program.quiet(0.5)
        program.send(b"d")  # discard the unsaved changes
        for _ in range(200):
            program.read(0.05)
            if os.waitpid(program.pid, os.WNOHANG)[0]:
                break
    finally:
        program.close()
    return pickle.loads(out.read_bytes())


class Recorded:
    def __init__(self, segments) -> None:
        self.segments = segments

    def __rich_console__(self, console, options):
        yield from self.segments


def replay(frames, consoles) -> tuple[list[str], list[float]]:
    from attn_tui.terminal.wire import ScreenDiff

    diff, outputs, times = ScreenDiff(), [], []
    for _, width, height, color_system, segments in frames:
        started = time.process_time()
        outputs.append(diff.diff(Recorded(segments), consoles[color_system], width, height).text)
        times.append(time.process_time() - started)
    return outputs, times


def test_wire_diff_cpu_per_frame(tmp_path):
    from rich.console import Console

    rows = [f"{'wire diff, CPU ms per frame':<26} {'frames':>6} {'median':>7} {'p95':>7} {'bytes':>7}"]
    for name, file, width, height, steps in CASES:
        frames = record(tmp_path, name, file, width, height, steps)
        consoles = {system: Console(color_system=system, force_terminal=True, width=width, height=height)
                    for system in {frame[3] for frame in frames}}
        runs = [replay(frames, consoles) for _ in range(RUNS)]
        outputs = runs[0][0]
        assert all(run[0] == outputs for run in runs)
        full, through_diff = pyte.Screen(width, height), pyte.Screen(width, height)
        full_stream, diff_stream = pyte.Stream(full), pyte.Stream(through_diff)
        for (_, _, _, color_system, segments), output in zip(frames, outputs):
            full_stream.feed(consoles[color_system]._render_buffer(segments))
            diff_stream.feed(output)
            assert through_diff.display == full.display or file == "labels"
        by_phase: dict[str, list[int]] = {}
        for index, frame in enumerate(frames):
            by_phase.setdefault(frame[0], []).append(index)
        for phase, indices in by_phase.items():
            if phase == "quit":
                continue
            cpu = Timing(tuple(min(run[1][index] for run in runs) * 1000 for index in indices))
            sent = sum(len(outputs[index].encode()) for index in indices)
            rows.append(f"{(phase if phase != 'first frame' else f'start-up frames {name}'):<26} {len(cpu.samples):6d} "
                        f"{cpu.median:7.2f} {cpu.p95:7.2f} {sent:7d}")
    print("\n" + "\n".join(rows))
