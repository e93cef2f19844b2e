"""A dropped student's work, kept by the app's recovery under the student's name.

The recovery itself (the file in the XDG state directory, the signals that write it, the "Ctrl+R
restores it" offer) is :mod:`attn_tui.core.recovery`, :mod:`attn_tui.terminal.lifeline` and
:mod:`attn_tui.ui.recovery_offer`. This adapter is all `serve` adds: each student's own name, and
an hour's limit on what is offered back. The zygote imports it, and so the recovery, once for
every session.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from attn_tui.core.files import FileError
from attn_tui.core.recovery import discard_recovery, read_recovery
from attn_tui.ui.app import AttnApp
from attn_tui.ui.recovery_offer import run_with_recovery

KEPT_FOR = timedelta(hours=1)
"""A student who reconnects within this gets their scenario back; later, a lesson has moved on."""


def run_keeping_work(app: AttnApp) -> None:
    """``app.run()``; the work is kept if the connection drops, under the policy's name."""
    name = app.policy.recovery_name
    forget_if_older(name, KEPT_FOR)
    app.recovery_name = name
    run_with_recovery(app)


def forget_if_older(name: str, age: timedelta) -> None:
    """Discard ``name``'s recovered work if it was written more than ``age`` ago (or unreadably)."""
    try:
        recovery = read_recovery(name)
    except FileError:
        discard_recovery(name)
        return
    if recovery is None or not recovery.written_at:
        return
    try:
        written = datetime.fromisoformat(recovery.written_at)
    except ValueError:
        return
    if datetime.now(timezone.utc) - written > age:
        discard_recovery(name)
