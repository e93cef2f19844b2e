"""The registry: every mechanism of chapter 3, in the book's order.

Each entry is a :class:`~attn_tui.mechanisms.base.Mechanism` declared in its own package; importing
this module loads neither torch nor Textual. The app, the command line and the file reader find
mechanisms only here, so a new section of the chapter is one package and one line below.
"""

from __future__ import annotations

from attn_tui.core.quoting import quote
from attn_tui.core.scenario import ScenarioError
from attn_tui.mechanisms.base import Mechanism
from attn_tui.mechanisms.simple import SIMPLE
from attn_tui.mechanisms.trainable import TRAINABLE
from attn_tui.mechanisms.causal import CAUSAL
from attn_tui.mechanisms.multihead import MULTIHEAD

MECHANISMS: tuple[Mechanism, ...] = (SIMPLE, TRAINABLE, CAUSAL, MULTIHEAD)


def mechanism_named(name: str) -> Mechanism:
    """The mechanism called ``name`` or numbered ``name`` (e.g. "trainable" or "3.4")."""
    for mechanism in MECHANISMS:
        if name in (mechanism.name, mechanism.section):
            return mechanism
    known = ", ".join(f"{m.section} ({m.name})" for m in MECHANISMS)
    raise ScenarioError(f"unknown mechanism {quote(name)}: choose one of {known}")


def neighbour(name: str, step: int) -> Mechanism:
    """The next (``step`` = 1) or previous (-1) mechanism after ``name``, wrapping around."""
    index = next(i for i, mechanism in enumerate(MECHANISMS) if mechanism.name == name)
    return MECHANISMS[(index + step) % len(MECHANISMS)]
