"""Command line: parse arguments, read and check a file, then start the app.

`--help` and `--version` must answer instantly, so torch and Textual are imported only once the
app is really going to run. A file is read and validated before Textual starts: a bad one gives
one line on stderr and exit status 2, never a half-drawn screen or a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from attn_tui import __version__

if TYPE_CHECKING:
    from attn_tui.core.scenario import Scenario

EXIT_BAD_INPUT = 2
"""argparse's status for bad arguments; a bad file is bad input too."""

DESCRIPTION = (
    "See self-attention in your terminal: the example from Raschka's "
    "'Build a Large Language Model (From Scratch)', ch. 3 — edit any embedding or weight and "
    "watch the scores, softmax weights and context vector recompute."
)

EPILOG = """\
keys (inside the app):
  arrows, h/j/k/l   move in the embedding grid
  Enter, 0-9 - .    edit the number under the cursor (Enter commits, Esc cancels)
  [ ]               previous / next query token
  w                 walk through the computation step by step
                    (Space/→ next, Backspace/← back, s/S stage, a autoplay, Esc exit)
  m  c              matrix view (every query at once);  compare (normalisations, √d_k)
  { }  g            previous / next mechanism (3.3–3.6);  the grid's next matrix (X, W_q …)
  Ctrl+S  F2        save the scenario (JSON);  save as
  Ctrl+O  Ctrl+L    open a scenario or embeddings file;  import embeddings
  Ctrl+E  Ctrl+T    export a Python/torch snippet;  the panels as CSV
  F12               save an SVG screenshot
  ?, F1             every key;  Ctrl+P  commands;  Ctrl+Q  quit

files:
  attn-tui lesson.json              open a saved scenario (tokens, embeddings, query, view)
  attn-tui emb.csv --query 2        embeddings from CSV (optional header row and label
                                    column), .npy or .pt (one 2-D tensor; tokens t1…tn)

over SSH:  ssh -t host attn-tui   (add COLORTERM=truecolor for full colour)

unsaved work survives a dropped connection, a closed window or SIGTERM: it is kept in
$XDG_STATE_HOME/attn-tui/recovery/ (~/.local/state/…); the next start offers it (Ctrl+R),
and attn-tui --recover opens it directly.

a class:   attn-tui serve --help    (one ssh command per student, nothing to install)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attn-tui",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"attn-tui {__version__}")
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="a scenario (.json) or embeddings (.csv, .npy, .pt/.pth) to open",
    )
    parser.add_argument("--load", metavar="FILE", help="the same as FILE")
    parser.add_argument(
        "--mechanism",
        metavar="NAME|SECTION",
        help="the section of chapter 3 to show: simple (3.3), trainable (3.4), causal (3.5) "
        "or multihead (3.6); default: the file's, else simple. { and } switch inside the app",
    )
    parser.add_argument(
        "--query",
        metavar="TOKEN|INDEX",
        help="the query: a token's label, or its number counted from 1 as on screen "
        "(x⁽²⁾ is token 2); a label wins over a number. Default: the file's query, "
        "token 1 for embeddings, 'journey' for the built-in example",
    )
    parser.add_argument(
        "--recover",
        action="store_true",
        help="open the unsaved work kept when the terminal went away (SSH dropped, window "
        "closed, SIGTERM); without it, attn-tui offers that work at start (Ctrl+R)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["serve"]:  # a file named "serve" is ./serve
        from attn_tui.serve.command import main as serve

        return serve(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.file and args.load:
        parser.error("give the file once: FILE or --load FILE")
    if args.recover and (args.file or args.load):
        parser.error("--recover opens the recovered work: give no FILE with it")

    import gc

    # Start-up creates objects that live as long as the app: collecting among them is wasted work
    # (a tenth of the time to the first frame). The app collects once, and turns collection back
    # on, when the numbers are on screen.
    gc.disable()

    # Anything written to the terminal around a full-screen app garbles it; warnings included.
    import warnings

    warnings.simplefilter("ignore")

    from attn_tui.core.files import ViewOptions, load_file
    from attn_tui.core.scenario import SEED_EXAMPLE, ScenarioError

    path = args.load or args.file
    scenario, view, document, imported = SEED_EXAMPLE, None, None, None
    try:
        if path:
            loaded = load_file(path)
            scenario, view = loaded.scenario, loaded.view
            document, imported = (Path(path), None) if loaded.is_scenario_file else (None, Path(path))
        if args.query is not None:
            scenario = scenario.with_query(query_index(scenario, args.query))
        if args.mechanism is not None:
            from attn_tui.mechanisms import mechanism_named

            chosen = mechanism_named(args.mechanism).name
            if chosen != scenario.mechanism:  # its weights are made once torch has loaded
                scenario = scenario.with_mechanism(chosen)
        if args.recover:
            check_recovery_exists()
    except ScenarioError as error:
        print(f"attn-tui: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from attn_tui.ui.app import AttnApp
    from attn_tui.ui.recovery_offer import run_with_recovery

    app = AttnApp(scenario, view=view or ViewOptions(), path=document, imported_from=imported)
    app.restore_at_start = args.recover
    run_with_recovery(app)
    status = app.return_code or 0
    if app.is_loading_torch:
        # Quit within the first second: torch is still being imported, in a daemon thread that
        # nothing can interrupt. Tearing the interpreter down under it could fail in native code,
        # so leave at once. The app has finished and restored the terminal; nothing is pending.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def check_recovery_exists() -> None:
    """For --recover: refuse at once, on the command line, when there is nothing to restore."""
    from attn_tui.core.recovery import read_recovery, recovery_path
    from attn_tui.core.scenario import ScenarioError

    if read_recovery() is None:  # a broken file raises FileError, naming it
        raise ScenarioError(f"--recover: no unsaved work was kept ({recovery_path()} does not exist)")


def query_index(scenario: Scenario, text: str) -> int:
    """The 0-based index of the token ``text`` names: its label, else its 1-based number."""
    import unicodedata

    from attn_tui.core.quoting import quote
    from attn_tui.core.scenario import ScenarioError

    wanted = unicodedata.normalize("NFC", text.strip())  # as the labels are stored
    if wanted in scenario.tokens:
        return scenario.tokens.index(wanted)
    if wanted.isdigit() and 1 <= int(wanted) <= scenario.n_tokens:
        return int(wanted) - 1
    shown = ", ".join(scenario.tokens[:8]) + (", …" if scenario.n_tokens > 8 else "")
    raise ScenarioError(f"--query {quote(text)}: no token {quote(wanted)} ({shown}) and not a number from 1 to {scenario.n_tokens}")


if __name__ == "__main__":
    sys.exit(main())
