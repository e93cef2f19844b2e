"""`attn-tui serve`: check the options, start the zygote and the ssh front, say how to connect,
and stop everything cleanly on Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import signal
import sys
from typing import Sequence

from attn_tui.cli import EXIT_BAD_INPUT
from attn_tui.serve.options import OptionsError, ServeOptions, parse_options

log = logging.getLogger("attn_tui.serve")


def main(argv: Sequence[str]) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:  # Ctrl+C before the server was up: nothing to stop yet
        return 0


def _run(argv: Sequence[str]) -> int:
    try:
        options = parse_options(argv)
    except OptionsError as error:
        print(f"attn-tui serve: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if importlib.util.find_spec("asyncssh") is None:
        print("attn-tui serve: error: the ssh server needs asyncssh: pip install 'attn-tui[serve]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    logging.basicConfig(format="attn-tui serve: %(message)s", level=logging.INFO, stream=sys.stderr)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # a line per packet type otherwise
    try:
        prepared = prepare(options)
    except (OSError, ValueError) as error:  # a key file, a scenario, a passphrase file
        print(f"attn-tui serve: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return asyncio.run(serve(options, *prepared))


def prepare(options: ServeOptions) -> tuple[object, object, str | None]:
    """What is read once, before listening: the authentication, the host key, the scenario."""
    from attn_tui.serve.auth import Authenticator
    from attn_tui.serve.host_key import load_host_key

    authenticator = Authenticator(options)
    host_key = load_host_key(options.host_key)
    scenario_json = None
    if options.scenario is not None:
        from attn_tui.core.files import load_file, scenario_to_json

        loaded = load_file(options.scenario)  # a ScenarioError is a ValueError: one line, exit 2
        scenario_json = scenario_to_json(loaded.scenario, loaded.view or _default_view())
    return authenticator, host_key, scenario_json


def _default_view() -> object:
    from attn_tui.core.files import ViewOptions

    return ViewOptions()


async def serve(options: ServeOptions, authenticator: object, host_key: object, scenario_json: str | None) -> int:
    from attn_tui.serve.front import Classroom, adopt_orphans, listen
    from attn_tui.serve.host_key import fingerprint
    from attn_tui.serve.zygote_link import ZygoteLink

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    adopt_orphans()
    zygote = ZygoteLink(scenario_json)
    await zygote.start()
    classroom = Classroom(zygote, authenticator, max_sessions=options.max_sessions, idle_timeout=options.idle_timeout)  # type: ignore[arg-type]
    try:
        server = await listen(classroom, options.host, options.port, host_key)  # type: ignore[arg-type]
    except OSError as error:
        await zygote.stop()
        print(f"attn-tui serve: error: cannot listen on {options.host}:{options.port}: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    port = server.sockets[0].getsockname()[1] if server.sockets else options.port
    print(announcement(options, port, fingerprint(host_key)), flush=True)  # type: ignore[arg-type]
    await stop.wait()
    server.close()
    classroom.end_all()
    await zygote.stop()
    log.info("stopped")
    return 0


def announcement(options: ServeOptions, port: int, host_fingerprint: str) -> str:
    """Where it listens, the fingerprint to check, and the command students type."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    port_flag = "" if port == 22 else f" -p {port}"
    user = "" if options.authorized_keys else "student@"
    return (
        f"attn-tui serve: listening on {host}:{port}\n"
        f"host key fingerprint: {host_fingerprint}\n"
        f"students type:  ssh -t{port_flag} -o SendEnv=COLORTERM {user}{host if options.host not in ('0.0.0.0', '::') else '<this machine>'}\n"
        "Ctrl+C stops the server and ends every session."
    )
