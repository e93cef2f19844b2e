"""Start-up (issue 5 §1) and bytes on the wire (§3), in a pseudo-terminal at 80×24.
Run: pytest -m benchmark tests/benchmarks -s"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pty_run import PtyProgram, python  # noqa: E402

pytestmark = [pytest.mark.benchmark, pytest.mark.skipif(shutil.which("attn-tui") is None, reason="needs attn-tui on PATH")]

ROUNDS = 5
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("Embeddings")
Bare().run()
"""


def first_frame(argv: list[str], text: str) -> float:
    program = PtyProgram(argv)
    try:
        return program.wait_for(text)
    finally:
        program.close()


def import_time() -> float:
    start = time.perf_counter()
    program = PtyProgram(python("-c", "import torch, textual.app; print('IMPORTED')"))
    try:
        program.wait_for("IMPORTED")
        return time.perf_counter() - start
    finally:
        program.close()


def test_start_up():
    attn = shutil.which("attn-tui")
    rows = {"bare Textual app, first frame": [], "attn-tui, first frame": [], "import torch, textual.app": [], "attn-tui, numbers on screen": []}
    for _ in range(ROUNDS):  # interleaved, so a busy moment hits every column alike
        rows["bare Textual app, first frame"].append(first_frame(python("-c", BARE_APP), "Embeddings"))
        rows["attn-tui, first frame"].append(first_frame([attn], "Embeddings"))
        rows["import torch, textual.app"].append(import_time())
        rows["attn-tui, numbers on screen"].append(first_frame([attn], "0.4419, 0.6515, 0.5683"))
    median = {name: statistics.median(times) * 1000 for name, times in rows.items()}
    lines = [f"{'start-up (ms, median of %d)' % ROUNDS:<34} {'ms':>7}"]
    lines += [f"{name:<34} {ms:7.0f}" for name, ms in median.items()]
    lines.append(f"first frame ratio  {median['attn-tui, first frame'] / median['bare Textual app, first frame']:.2f}× (goal ≤ 1.5×)")
    lines.append(f"numbers ratio      {median['attn-tui, numbers on screen'] / median['import torch, textual.app']:.2f}× (goal ≤ 1.15×)")
    print("\n" + "\n".join(lines))


def changed_cells(before: list[str], after: list[str]) -> int:
    return sum(a != b for line_before, line_after in zip(before, after) for a, b in zip(line_before, line_after))


def test_bytes_on_the_wire():
    program = PtyProgram([shutil.which("attn-tui")])
    try:
        program.wait_for("0.4419, 0.6515, 0.5683")
        program.quiet(1.0)
        lines = ["bytes on the wire at 80×24        bytes  changed cells  ratio (goal ≤ 3×)"]
        for name, keys, expect in [
            ("cell commit (1 ⏎)", [b"1", b"\r"], "1.2679"),
            ("query change (])", [b"]"], "Query x⁽³⁾"),
        ]:
            before = list(program.screen.display)
            sent = 0
            for key in keys:
                program.send(key)
                sent += len(program.quiet(0.5))
            assert expect in program.text()
            cells = changed_cells(before, list(program.screen.display))
            lines.append(f"{name:<32} {sent:6d} {cells:14d} {sent / max(1, cells):8.1f}×")
        print("\n" + "\n".join(lines))
    finally:
        program.close()
