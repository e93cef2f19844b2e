"""Regenerate the SVG screenshots in `screenshots/` that the README shows.

Run after any change to what the screen looks like:

    python tools/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import running  # noqa: E402  (the tests' way of starting the app and waiting for numbers)

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    keys: tuple[str, ...] = field(default=())
    title: str = "attn-tui"


SHOTS = [
    Shot("default-80x24", (80, 24)),
    Shot("default-120x32", (120, 32)),
    Shot("edited-80x24", (80, 24), keys=("enter", *["backspace"] * 4, "1", "enter", "right_square_bracket")),
    Shot("help-80x24", (80, 24), keys=("question_mark",)),
    # Mid-walk: stage 3, the second term of the context vector.
    Shot("walk-80x24", (80, 24), keys=("w", "s", "s", "s", "space")),
    Shot("walk-120x32", (120, 32), keys=("w", "s", "s", "s", "space")),
    Shot("matrix-120x32", (120, 32), keys=("m",)),
    Shot("plot-100x30", (100, 30), keys=("v",)),
    # The plot in 3.5 (the keys after journey masked: ○) and 3.6 (the output after out_proj).
    Shot("causal-plot-100x30", (100, 30), keys=("right_curly_bracket", "right_curly_bracket", "v")),
    Shot("multihead-plot-100x30", (100, 30), keys=(*["right_curly_bracket"] * 3, "v", "V", "V")),
    # journey · dim 1 = 100: exp overflows in softmax_naive, torch.softmax stays right.
    Shot("softmax-overflow-100x30", (100, 30), keys=("c", "down", "enter", *["backspace"] * 4, "1", "0", "0", "enter")),
    # Section 3.4 (}): the book's weights; the walk with W_q in the grid; every query at once.
    Shot("trainable-80x24", (80, 24), keys=("right_curly_bracket",)),
    Shot("trainable-walk-100x30", (100, 30), keys=("right_curly_bracket", "g", "w", "space")),
    Shot("trainable-matrix-120x40", (120, 40), keys=("right_curly_bracket", "m")),
    # Section 3.5 (} twice): −∞ above the diagonal; dropout (T) on the query "starts" (]), whose
    # row of the book's matrix keeps three weights, doubled; and the book's dropout matrix.
    Shot("causal-matrix-120x40", (120, 40), keys=("right_curly_bracket", "right_curly_bracket", "m")),
    Shot("causal-dropout-80x24", (80, 24), keys=("right_curly_bracket", "right_curly_bracket", "T", "right_square_bracket")),
    Shot("causal-dropout-matrix-120x40", (120, 40), keys=("right_curly_bracket", "right_curly_bracket", "T", "m")),
    # Section 3.6 (} three times): the book's MultiHeadAttention, its second head (H); every
    # head's weights side by side where the terminal is wide enough.
    Shot("multihead-80x24", (80, 24), keys=(*["right_curly_bracket"] * 3, "H")),
    Shot("multihead-heads-160x40", (160, 40), keys=(*["right_curly_bracket"] * 3, "m")),
    # At 80×24 the matrix view has the screen: both heads side by side with two decimals.
    Shot("multihead-heads-80x24", (80, 24), keys=(*["right_curly_bracket"] * 3, "m")),
]


async def take(shot: Shot) -> Path:
    async with running(size=shot.size) as pilot:
        app = pilot.app
        await pilot.press(*shot.keys)
        await app.workers.wait_for_complete()  # a section's panels being mounted
        await pilot.pause()
        path = SCREENSHOTS / f"{shot.name}.svg"
        path.write_text(app.export_screenshot(title=shot.title), encoding="utf-8")
    return path


async def main() -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    for shot in SHOTS:
        print(await take(shot), file=sys.stderr)


if __name__ == "__main__":
    # A state folder of its own: work the user's own sessions left to recover would otherwise put
    # "Ctrl+R restores …" into every screenshot.
    with tempfile.TemporaryDirectory() as state:
        os.environ["XDG_STATE_HOME"] = state
        asyncio.run(main())
