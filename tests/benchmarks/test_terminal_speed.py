"""Start-up (issue 5 §1) and bytes on the wire (§3), in a pseudo-terminal at 80×24.
Run: pytest -m benchmark tests/benchmarks -s"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

pytest.importorskip("pyte", reason="the terminal benchmarks read the screen with pyte (pip install -e '.[test]')")

from latency import Timing  # noqa: E402
from pty_run import PtyProgram, python  # noqa: E402

pytestmark = [pytest.mark.benchmark, pytest.mark.skipif(shutil.which("attn-tui") is None, reason="needs attn-tui on PATH")]

ROUNDS = 11
BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("Embeddings")
Bare().run()
"""


@pytest.fixture(scope="module", autouse=True)
def compiled_bytecode():
    """Measure attn-tui as `pip install .` leaves it: with its modules compiled to bytecode.

    An editable install has no bytecode until Python writes it, and with PYTHONDONTWRITEBYTECODE
    (set on this machine) it never does: every start would compile the package from source.
    """
    import compileall

    import attn_tui

    compileall.compile_dir(Path(attn_tui.__file__).parent, quiet=1)


def first_frame(argv: list[str], text: str) -> float:
    program = PtyProgram(argv)
    try:
        return program.wait_for(text)
    finally:
        program.close()


def import_time() -> float:
    program = PtyProgram(python("-c", "import torch, textual.app; print('IMPORTED')"))
    try:
        return program.wait_for("IMPORTED")
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


def snapshot(program: PtyProgram) -> list[list[object]]:
    """Every cell's character and look (colours, bold, reverse …)."""
    screen = program.screen
    return [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]


def changed_cells(before: list[list[object]], after: list[list[object]]) -> list[object]:
    """The cells (as they are now) whose character, colours or attributes changed."""
    return [b for row_before, row_after in zip(before, after) for a, b in zip(row_before, row_after) if a != b]


CONTROL = re.compile(r"\x1b\[[0-9;?$]*([A-Za-z@`])|\x1b[^\[]|[\r\b\n]")


MOVES = tuple("HfABCDGd")
"""CSI finals that move the cursor: CUP, CUU/CUD/CUF/CUB, CHA, VPA."""


def breakdown(written: bytes) -> dict[str, int]:
    """Bytes spent on cursor moves, colour/attribute codes (SGR), characters and anything else."""
    text = written.decode("utf-8", "replace")
    parts = {"moves": 0, "sgr": 0, "characters": 0, "other": 0}
    position = 0
    for match in CONTROL.finditer(text):
        parts["characters"] += len(text[position : match.start()].encode())
        final, sequence = match.group(1), match.group(0)
        if final == "m":
            kind = "sgr"
        elif final in MOVES or sequence in ("\r", "\b", "\n"):
            kind = "moves"
        else:
            kind = "other"
        parts[kind] += len(match.group(0).encode())
        position = match.end()
    parts["characters"] += len(text[position:].encode())
    return parts


@pytest.mark.parametrize("colours", ["truecolor", "256"])
def test_bytes_on_the_wire(colours):
    env = {"COLORTERM": "truecolor"} if colours == "truecolor" else {"COLORTERM": ""}
    program = PtyProgram([shutil.which("attn-tui")], env=env)
    try:
        program.wait_for("0.4419, 0.6515, 0.5683")
        program.quiet(1.0)
        lines = [
            f"bytes on the wire, 80×24, {colours:<9} bytes  changed cells (their bytes)  ratio to them (goal ≤ 3×)  per cell"
            "   moves    sgr  chars  other",
        ]
        for name, keys, expect in [
            ("cell commit (1 ⏎)", [b"1", b"\r"], "1.2679"),
            ("query change (])", [b"]"], "Query x⁽³⁾"),
        ]:
            written, cells, cell_bytes = b"", 0, 0
            for key in keys:  # changes counted key by key: "1" opens the edit, ⏎ closes it again
                before = snapshot(program)
                program.send(key)
                written += program.quiet(0.5)
                changed = changed_cells(before, snapshot(program))
                cells += len(changed)
                cell_bytes += sum(len(cell.data.encode()) for cell in changed)
            assert expect in program.text()
            sent, parts = len(written), breakdown(written)
            lines.append(
                f"{name:<34} {sent:6d} {cells:14d} {f'({cell_bytes})':>12} {sent / max(1, cell_bytes):14.2f}×"
                f"{sent / max(1, cells):19.2f}×{parts['moves']:8d} {parts['sgr']:6d} {parts['characters']:6d} {parts['other']:6d}"
            )
        print("\n" + "\n".join(lines))
    finally:
        program.close()


def _key_to_last_byte(program: PtyProgram, key: bytes) -> float:
    """Milliseconds from writing ``key`` to the arrival of the last byte it caused."""
    program.quiet(0.15)
    sent = time.perf_counter()
    program.send(key)
    arrived = None
    while program.read(0.15):  # until 150 ms pass with nothing written
        arrived = program.arrived
    assert arrived is not None, f"{key!r} changed nothing on the screen"
    return (arrived - sent) * 1000


def test_key_to_screen_in_a_real_terminal(tmp_path):
    """A cross-check of the headless latency benchmark (test_latency.py): the installed attn-tui in
    a pseudo-terminal at 100×30, `]` pressed 30 times, key written → last byte of the new screen
    read. Besides the app's work this holds Textual's wait for its next 60 Hz frame (0–16.7 ms, 8
    on average) and the trip through the terminal driver, which the headless figures leave out."""
    from attn_tui.core.files import save_scenario
    from test_latency import MECHANISM_SIZES, SIZES

    cases = {
        "3.3 query change 6×3": SIZES["6×3"],
        "3.3 query change 64×64": SIZES["64×64"],
        "3.6 8 heads d_out 64, 64×64 query change": MECHANISM_SIZES["3.6 8 heads d_out 64, 64×64"],
    }
    lines = [f"{'real terminal, key → last byte (ms)':<44} {'median':>7} {'p95':>7}"]
    for number, (name, scenario) in enumerate(cases.items()):
        path = tmp_path / f"case{number}.json"
        save_scenario(path, scenario)
        program = PtyProgram([shutil.which("attn-tui"), str(path)], width=100, height=30, env={"XDG_STATE_HOME": str(tmp_path / "state")})
        try:
            program.wait_for("Query")
            program.quiet(1.5, timeout=30)  # torch loaded, the numbers drawn
            timing = Timing(tuple(_key_to_last_byte(program, b"]") for _ in range(30)))
            lines.append(f"{name:<44} {timing.median:7.1f} {timing.p95:7.1f}")
        finally:
            program.close()
    print("\n" + "\n".join(lines))
