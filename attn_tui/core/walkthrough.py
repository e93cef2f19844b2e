"""The walkthrough engine: a computation as an ordered list of steps, with the real numbers.

Each mechanism writes its own steps and stages (e.g. :mod:`attn_tui.mechanisms.simple.walk`) from its
analysis, which already keeps every term; this module holds what every walk shares: stages, steps,
positions and progress, and the helpers that write terms and vectors. Plain data: no Textual, and no
torch import of its own (the app imports it before torch has loaded), so a notebook can print a walk.

A walk *position* counts the steps done: 0 is the start (nothing computed yet) and
``len(steps)`` the end, so ``steps[position - 1]`` is the step just taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Sequence, TypeVar

from attn_tui.core.formatting import format_number, format_operand

Cell = tuple[int, int]
"""(row, column), both 0-based: one number of a grid (for the embeddings, token and dimension)."""


@dataclass(frozen=True)
class Stage:
    number: int
    """1-based, in the seed's order."""
    name: str
    explanation: str
    """Why this stage exists, in a few sentences, following the seed's narrative."""
    shows_matrix_view: bool = False
    """Stepping into this stage switches to the matrix view (every query at once), out of it back."""


@dataclass(frozen=True)
class Progress:
    """Where a walk stands, as the views need it: what they may show and the step just taken."""

    position: int
    end: int
    step: Step | None
    """None at the start, before the first step."""
    known: Any
    """What the views may show: the mechanism's own record of what is known (e.g. 3.3's
    :class:`~attn_tui.mechanisms.simple.walk.Known`)."""

    @property
    def stage(self) -> Stage | None:
        return self.step.stage if self.step is not None else None

    def reads(self, *stages: Stage) -> int | None:
        """The token the current step is about, if the step belongs to one of ``stages``."""
        step = self.step
        return step.token if step is not None and step.stage in stages else None


@dataclass(frozen=True)
class Step:
    """One step of the walk: what it computes, what it reads, and the arithmetic written out."""

    stage: Stage
    title: str
    """Short, e.g. "ω₂₁ = x⁽¹⁾·x⁽²⁾"."""
    computes: str
    """In words, e.g. "the score of “Your” for the query “journey”"."""
    cells: frozenset[Cell]
    """Grid cells the step reads, for the grid to emphasise."""
    rows: tuple[int, ...]
    """Token rows whose embeddings the step reads (0-based)."""
    reads_query: bool
    """True when the step reads the query's embedding."""
    token: int | None
    """The token whose term this step computes (0-based), or None for a step about all tokens."""
    arithmetic: tuple[str, ...]
    """The computation with the actual numbers, one line each."""
    known: Any
    """What is known once this step is done (the mechanism's record)."""
    note: str = ""
    """A remark on this step's numbers, e.g. why exp overflowed."""
    matrix_cells: tuple[tuple[str, frozenset[Cell]], ...] = ()
    """Cells the step reads in the mechanism's other matrices, by matrix name (e.g. W_q)."""

    def cells_of(self, matrix: str) -> frozenset[Cell]:
        """The cells this step reads in ``matrix`` (the embeddings are ``"X"``)."""
        if matrix == "X":
            return self.cells
        return next((cells for name, cells in self.matrix_cells if name == matrix), frozenset())


@dataclass(frozen=True)
class Walkthrough:
    """A mechanism's walk for one scenario: its stages and every step, in order."""

    query: int
    """The query token (0-based)."""
    query_token: str
    n_tokens: int
    steps: tuple[Step, ...]
    stages: tuple[Stage, ...]
    nothing_known: Any
    """What is known at the start, before any step (the mechanism's record)."""
    introduction: str
    """What the start position says, before anything is computed."""

    @property
    def end(self) -> int:
        """The last position: every step done."""
        return len(self.steps)

    def clamp(self, position: int) -> int:
        return max(0, min(self.end, position))

    def step_at(self, position: int) -> Step | None:
        """The step just taken at ``position``; None at the start."""
        position = self.clamp(position)
        return self.steps[position - 1] if position else None

    def known_at(self, position: int) -> Any:
        step = self.step_at(position)
        return step.known if step is not None else self.nothing_known

    def progress(self, position: int) -> Progress:
        position = self.clamp(position)
        return Progress(position, self.end, self.step_at(position), self.known_at(position))

    def stage_start(self, stage: Stage) -> int:
        """The position right after the first step of ``stage``."""
        return next(index for index, step in enumerate(self.steps, 1) if step.stage == stage)

    def next_stage(self, position: int) -> int:
        """The first step of the next stage (the end from the last stage)."""
        step = self.step_at(position)
        following = [s for s in self.stages if step is None or s.number > step.stage.number]
        return self.stage_start(following[0]) if following else self.end

    def previous_stage(self, position: int) -> int:
        """Back to the first step of this stage, or of the previous one if already there."""
        step = self.step_at(position)
        if step is None:
            return 0
        start = self.stage_start(step.stage)
        if position > start:
            return start
        earlier = [s for s in self.stages if s.number < step.stage.number]
        return self.stage_start(earlier[-1]) if earlier else 0

    def intro(self) -> str:
        return self.introduction


def build_walkthrough(analysis: Any) -> Walkthrough:
    """The walk of the analysis' mechanism for its scenario and query."""
    from attn_tui.mechanisms import mechanism_named

    return mechanism_named(analysis.scenario.mechanism).walkthrough(analysis)


# --- what every mechanism's steps write ---

T = TypeVar("T")

MAX_TERMS = 8
"""Longer sums and vectors show their first four and last two terms: a 768-term line helps nobody."""


def terms(values: Sequence[T], write: Callable[[T], str], separator: str) -> str:
    """``values`` written and joined; beyond MAX_TERMS the middle is left out, saying how much."""
    if len(values) <= MAX_TERMS:
        return separator.join(write(v) for v in values)
    return separator.join([*(write(v) for v in values[:4]), f"… {len(values) - 6} more …", *(write(v) for v in values[-2:])])


def vector(values: Sequence[float], write: Callable[[float], str] = format_number) -> str:
    """[0.4419, 0.6515, 0.5683], abbreviated when long."""
    return "[" + terms(values, write, ", ") + "]"


def row_cells(*rows: int, n_dims: int) -> frozenset[Cell]:
    if len(rows) == 1:
        return _one_row_cells(rows[0], n_dims)
    return frozenset().union(*(_one_row_cells(row, n_dims) for row in rows))


@lru_cache(maxsize=1024)
def _one_row_cells(row: int, n_dims: int) -> frozenset[Cell]:
    # Cached: a 512×768 walk reads each row in several steps; building the sets again per step
    # took most of a second per edit.
    return frozenset((row, dim) for dim in range(n_dims))


def factor(value: float) -> str:
    """An operand of a product; negatives in parentheses, so "0.5×(-0.2)" cannot be misread."""
    text = format_operand(value)
    return f"({text})" if text.startswith("-") else text
