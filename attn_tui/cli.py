"""Command line: parse arguments, then start the app.

`--help` and `--version` must answer instantly, so torch and Textual are imported only once the
app is really going to run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from attn_tui import __version__

DESCRIPTION = (
    "See simple self-attention in your terminal: the example from Raschka's "
    "'Build a Large Language Model (From Scratch)', ch. 3 — edit any embedding and watch the "
    "scores, softmax weights and context vector recompute."
)

EPILOG = """\
keys (inside the app):
  arrows, h/j/k/l   move in the embedding grid
  Enter, 0-9 - .    edit the number under the cursor (Enter commits, Esc cancels)
  [ ]               previous / next query token
  w                 walk through the computation step by step
                    (Space/→ next, Backspace/← back, s/S stage, a autoplay, Esc exit)
  m  c              matrix view (every query at once);  compare normalisations
  ?, F1             every key;  Ctrl+P  commands;  Ctrl+Q  quit

over SSH:  ssh -t host attn-tui   (add COLORTERM=truecolor for full colour)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attn-tui",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"attn-tui {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    build_parser().parse_args(argv)

    # Anything written to the terminal around a full-screen app garbles it; warnings included.
    import warnings

    warnings.simplefilter("ignore")

    from attn_tui.app import AttnApp

    app = AttnApp()
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
