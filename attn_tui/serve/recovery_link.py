"""A dropped student's work, kept by the recovery of issue 11 under the student's name.

The recovery itself (the file in the XDG state directory, the signals that write it, the "Ctrl+R
restores it" offer) is :mod:`attn_tui.core.recovery`, :mod:`attn_tui.terminal.lifeline` and
:mod:`attn_tui.ui.recovery_offer`, written on branch i11r. This adapter is all `serve` adds: each
student's own name, and an hour's limit on what is offered back. Until that branch is merged, the
imports fail and a session simply runs without recovery.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attn_tui.ui.app import AttnApp

KEPT_FOR = timedelta(hours=1)
"""A student who reconnects within this gets their scenario back; later, a lesson has moved on."""


def available() -> bool:
    """Whether issue 11's recovery is here; importing it also preloads it (see the zygote)."""
    try:
        import attn_tui.ui.recovery_offer  # noqa: F401
    except ImportError:
        return False
    return True


def run_keeping_work(app: AttnApp) -> None:
    """``app.run()``; the work is kept if the connection drops, under the policy's name."""
    if not available():  # issue 11 not merged: nothing to keep the work with
        app.run()
        return
    from attn_tui.ui.recovery_offer import run_with_recovery

    name = app.policy.recovery_name
    forget_if_older(name, KEPT_FOR)
    app.recovery_name = name
    run_with_recovery(app)


def forget_if_older(name: str, age: timedelta) -> None:
    """Discard ``name``'s recovered work if it was written more than ``age`` ago (or unreadably)."""
    from attn_tui.core.files import FileError
    from attn_tui.core.recovery import discard_recovery, read_recovery

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
