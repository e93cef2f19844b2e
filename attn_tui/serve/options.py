"""The command line of `attn-tui serve`: its options and their checks (imports neither asyncssh,
torch nor Textual, so that `--help` answers at once)."""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 2222
DEFAULT_MAX_SESSIONS = 40
DEFAULT_IDLE_MINUTES = 30.0

DESCRIPTION = (
    "Serve attn-tui to a class over ssh: each student types one ssh command and gets their own "
    "session, with nothing installed. Sessions start in a fraction of a second (torch is loaded once)."
)

EPILOG = """\
authentication (choose one):
  --authorized-keys FILE   students' public keys, OpenSSH authorized_keys format (one per student)
  --passphrase-file FILE   one passphrase for the class (the file's first line)
  --no-auth                anyone who can connect; only on a loopback address (127.0.0.1, ::1)

students type (printed at start with the right host and port):
  ssh -t -p 2222 -o SendEnv=COLORTERM name@host      (SendEnv passes truecolor, if the server allows it)

In a session the server's files are out of reach: saving, opening and screenshots are off; the
snippet (Ctrl+E) and the CSV (Ctrl+T) are shown on screen to copy.
"""


@dataclass(frozen=True)
class ServeOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    authorized_keys: Path | None = None
    passphrase_file: Path | None = None
    no_auth: bool = False
    host_key: Path | None = None
    """None: the one generated in the state directory on first start."""
    scenario: Path | None = None
    max_sessions: int = DEFAULT_MAX_SESSIONS
    idle_timeout: float = DEFAULT_IDLE_MINUTES * 60
    """Seconds without a key press before a session ends."""


class OptionsError(ValueError):
    """Options that cannot work together; said in one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attn-tui serve",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    auth = parser.add_mutually_exclusive_group(required=True)
    auth.add_argument("--authorized-keys", metavar="FILE", type=Path, help="students' public keys (OpenSSH format)")
    auth.add_argument("--passphrase-file", metavar="FILE", type=Path, help="a class passphrase, compared in constant time")
    auth.add_argument("--no-auth", action="store_true", help="no authentication (loopback addresses only)")
    parser.add_argument("--host-key", metavar="FILE", type=Path, help="the server's private key (default: generated once in the state directory)")
    parser.add_argument("--scenario", metavar="FILE", type=Path, help="the scenario every session starts with (read once, at start)")
    parser.add_argument("--max-sessions", type=int, default=DEFAULT_MAX_SESSIONS, metavar="N", help=f"sessions at once (default {DEFAULT_MAX_SESSIONS})")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=DEFAULT_IDLE_MINUTES,
        metavar="MINUTES",
        help=f"end a session after this long without a key press (default {DEFAULT_IDLE_MINUTES:g})",
    )
    return parser


def parse_options(argv: Sequence[str]) -> ServeOptions:
    """The options in ``argv``; argparse exits on a malformed line, :class:`OptionsError` on a
    combination that cannot work."""
    args = build_parser().parse_args(argv)
    if args.no_auth and not is_loopback(args.host):
        raise OptionsError(f"--no-auth listens only on a loopback address (127.0.0.1 or ::1), not {args.host}")
    if not 0 <= args.port <= 65535:
        raise OptionsError(f"--port {args.port}: not a port number (0 to 65535)")
    if args.max_sessions < 1:
        raise OptionsError("--max-sessions must be at least 1")
    if args.idle_timeout <= 0:
        raise OptionsError("--idle-timeout must be more than 0 minutes")
    for flag, path in (("--authorized-keys", args.authorized_keys), ("--passphrase-file", args.passphrase_file), ("--host-key", args.host_key)):
        if path is not None and not path.is_file():
            raise OptionsError(f"{flag} {path}: no such file")
    return ServeOptions(
        host=args.host,
        port=args.port,
        authorized_keys=args.authorized_keys,
        passphrase_file=args.passphrase_file,
        no_auth=args.no_auth,
        host_key=args.host_key,
        scenario=args.scenario,
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout * 60,
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
