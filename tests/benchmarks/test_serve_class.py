"""`attn-tui serve` with 1, 10 and 30 students: the figures of issue 12 §1, reported, not asserted.

Real OpenSSH clients in 100×30 pseudo-terminals on loopback, one server for the whole run.
Run: pytest -m benchmark tests/benchmarks/test_serve_class.py -s
A quick check that it still runs (one student, a "burst" of one):
ATTN_TUI_SERVE_CLASS_SIZES=1 pytest -m benchmark tests/benchmarks/test_serve_class.py -s
"""

from __future__ import annotations

import os
import select
import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "serve"))
sys.path.insert(0, str(Path(__file__).parent))
from latency import Timing  # noqa: E402
from ssh_client import Server, Terminal, session_pids, ssh  # noqa: E402

pytest.importorskip("asyncssh")
pytestmark = [pytest.mark.benchmark, pytest.mark.skipif(shutil.which("ssh") is None, reason="needs the OpenSSH client")]

NUMBERS = b"0.4419"
STARTING = "starting attn-tui".encode()
CLASS_SIZES = tuple(int(n) for n in os.environ.get("ATTN_TUI_SERVE_CLASS_SIZES", "1 10 30").split())
"""The classes measured, one after another; the largest also arrives all at once (the burst)."""
BURST = max(CLASS_SIZES)
ARRIVAL_SPREAD = 10.0
"""Seconds over which a class of 10 or 30 arrives (one every spread/n seconds)."""
BURST_TIMEOUT = 60.0
KEY_SAMPLES = 20


class Student:
    """A terminal of 100×30 running ``argv`` (an ssh client, or attn-tui itself for reference)."""

    def __init__(self, argv: list[str]) -> None:
        self.started = time.perf_counter()
        self.terminal = Terminal(argv, 100, 30)
        self.starting_at: float | None = None
        self.numbers_at: float | None = None

    def read(self) -> None:
        try:
            data = os.read(self.terminal.master, 65536)
        except OSError:
            return
        now = time.perf_counter()
        output = self.terminal.output
        output += data
        if self.starting_at is None and STARTING in output:
            self.starting_at = now - self.started
        if self.numbers_at is None and NUMBERS in output:
            self.numbers_at = now - self.started


def pump(students: list[Student], seconds: float) -> None:
    """Read every student's bytes for ``seconds`` (raw bytes only: parsing 30 screens would take
    the CPU the server is being measured on)."""
    deadline = time.perf_counter() + seconds
    by_fd = {student.terminal.master: student for student in students}
    while (remaining := deadline - time.perf_counter()) > 0:
        readable, _, _ = select.select(list(by_fd), [], [], remaining)
        for fd in readable:
            by_fd[fd].read()


def wait_for_numbers(students: list[Student], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while any(s.numbers_at is None for s in students) and time.perf_counter() < deadline:
        pump(students, 0.05)


def arrive(port: int, n: int, spread: float) -> list[Student]:
    students: list[Student] = []
    gap = spread / n if n > 1 else 0.0
    for _ in range(n):
        students.append(Student(ssh(port, "-tt")))
        pump(students, gap)
    wait_for_numbers(students, BURST_TIMEOUT)
    return students


def leave(students: list[Student]) -> None:
    for student in students:
        student.terminal.close()
    time.sleep(1.0)


def private_mib(pid: int) -> float:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024


def pss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def key_to_first_byte(student: Student, others: list[Student]) -> list[float]:
    """Seconds from a key press (] then [: the query moves and back) to the first byte back."""
    samples = []
    for index in range(KEY_SAMPLES):
        pump(others + [student], 0.15)  # let the last repaint finish
        start = time.perf_counter()
        student.terminal.type("]" if index % 2 == 0 else "[")
        readable, _, _ = select.select([student.terminal.master], [], [], 5.0)
        if readable:
            samples.append(time.perf_counter() - start)
            student.read()
    return samples


def median_p95(values: list[float]) -> str:
    if not values:
        return "–"
    timing = Timing(tuple(values))
    return f"{timing.median:.3f} / {timing.p95:.3f}"


def test_a_class_on_one_server(tmp_path):
    server = Server("--no-auth", "--max-sessions", "40", state=tmp_path).wait_ready()
    zygote = next(iter(_children(server.process.pid)))
    lines = ["", "attn-tui serve, 100×30 OpenSSH clients on loopback (median / p95; noisy on a shared 2-core machine)"]
    try:
        for n in CLASS_SIZES:
            students = arrive(server.port, n, ARRIVAL_SPREAD if n > 1 else 0.0)
            starts = [s.numbers_at for s in students if s.numbers_at is not None]
            # From the "starting…" line (the connection is up) to the numbers: the session's own start.
            after_login = [s.numbers_at - s.starting_at for s in students if s.numbers_at is not None and s.starting_at is not None]
            sessions = sorted(session_pids(server))
            private = [private_mib(pid) for pid in sessions]
            whole = sum(pss_mib(pid) for pid in [server.process.pid, zygote, *sessions])
            server_pids = [server.process.pid, zygote, *sessions]
            before = cpu_seconds(server_pids)
            pump(students, 5.0)
            idle_cpu = (cpu_seconds(server_pids) - before) / 5.0 * 100
            keys = key_to_first_byte(students[0], students[1:])
            lines += [
                f"{n:>2} arriving over {ARRIVAL_SPREAD if n > 1 else 0:g} s: numbers after {median_p95(starts)} s"
                f" ({len(starts)}/{n} shown; {median_p95(after_login)} s of it after login); private memory per session {median_p95(private)} MiB;"
                f" whole server (PSS) {whole:.0f} MiB; idle CPU {idle_cpu:.1f} % of a core;"
                f" key → first byte with {n - 1} idle {median_p95([k * 1000 for k in keys])} ms",
            ]
            if n == 1:
                lines.append(f"   after a lesson (walk, matrix, compare, 60 keys): private {lesson(students[0], sessions[0]):.1f} MiB")
            leave(students)
        burst = [Student(ssh(server.port, "-tt")) for _ in range(BURST)]
        wait_for_numbers(burst, BURST_TIMEOUT)
        starting = [s.starting_at for s in burst if s.starting_at is not None]
        numbers = [s.numbers_at for s in burst if s.numbers_at is not None]
        lines.append(
            f"{BURST} at once: 'starting…' after {median_p95(starting)} s; numbers after {median_p95(numbers)} s,"
            f" worst {max(numbers, default=float('nan')):.2f} s ({len(numbers)}/{BURST} shown)"
        )
        leave(burst)
        lines.append(f"reference, attn-tui run directly in a pty: key → first byte {median_p95([k * 1000 for k in local_key_to_first_byte()])} ms")
    finally:
        server.stop()
    print("\n".join(lines))


def local_key_to_first_byte() -> list[float]:
    """The same key measure without ssh or serve: what the app itself takes on this machine now."""
    local = Student([sys.executable, "-m", "attn_tui"])
    try:
        wait_for_numbers([local], BURST_TIMEOUT)
        return key_to_first_byte(local, [])
    finally:
        local.terminal.close()


def lesson(student: Student, pid: int) -> float:
    """A short lesson's keys in one session; its private memory afterwards."""
    keys = ["w"] + [" "] * 20 + ["\x1b", "m", "m", "c", "c"] + ["]"] * 6 + ["9", "\r", "u"] * 3 + ["w", "a"]
    for key in keys:
        student.terminal.type(key)
        pump([student], 0.1)
    pump([student], 1.0)
    student.terminal.type("\x1b")
    pump([student], 0.5)
    return private_mib(pid)


def _children(parent: int) -> set[int]:
    from ssh_client import children

    return children(parent)
