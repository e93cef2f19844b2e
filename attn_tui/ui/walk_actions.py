"""The walkthrough and its autoplay in the app: where a walk stands, stepping, stages, autoplay.

A mixin of :class:`~attn_tui.ui.app.AttnApp`, which declares the reactives it drives
(``walk_position``, ``autoplay``, ``autoplay_pace``); the walk itself is plain data each mechanism
builds (:mod:`attn_tui.core.walkthrough`), so nothing here knows which mechanism is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attn_tui.core.walkthrough import build_walkthrough
from attn_tui.ui.walk_bindings import AUTOPLAY_PACES

if TYPE_CHECKING:
    from attn_tui.ui.app import AttnApp


class WalkActions:
    """Actions for the walk's keys (:data:`~attn_tui.ui.walk_bindings.WALK_BINDINGS`)."""

    walk_waits_for_numbers: bool = False
    """`w` came before torch had loaded (a presenter's first key): the walk starts with the numbers."""

    _walk_position_asked: int = 0
    """Where the keys pressed while the walk waited for the numbers lead (Space, →, End): it
    starts there, so no step typed ahead is lost."""

    @property
    def walking(self: AttnApp) -> bool:
        return self.walk_position is not None

    def action_walk_start(self: AttnApp) -> None:
        """Start (or restart) the walkthrough at its beginning, nothing computed yet."""
        if self.analysis is None:
            self.walk_waits_for_numbers = True
            self._walk_position_asked = 0
            self._say("The walk starts as soon as the numbers are loaded.")
            return
        self.walk_waits_for_numbers = False
        if not self.walking:
            self._matrix_view_before_walk = self.matrix_view
        self.walkthrough = build_walkthrough(self.analysis)
        self.walk_position = 0
        self.query_one("#main").add_class("-walking")
        self._say("Walking through the computation.")

    def action_walk_restart(self: AttnApp) -> None:
        self.action_walk_start()

    def start_the_walk_asked_for(self: AttnApp) -> None:
        """The numbers have arrived: start the walk `w` asked for while they loaded."""
        if self.walk_waits_for_numbers and self.analysis is not None:
            asked = self._walk_position_asked
            self.action_walk_start()
            if asked:
                self.action_walk_to(asked)

    def action_walk_step(self: AttnApp, steps: int) -> None:
        """Forward (+1) or back (-1) one step."""
        if self.walk_position is not None:
            self._walk_to(self.walk_position + steps)
        elif self.walk_waits_for_numbers and self._walk_position_asked >= 0:
            self._walk_position_asked = max(0, self._walk_position_asked + steps)

    def action_walk_to(self: AttnApp, position: int) -> None:
        """Jump to ``position``; -1 is the end."""
        if self.walkthrough is not None:
            self._walk_to(self.walkthrough.end if position < 0 else position)
        elif self.walk_waits_for_numbers:
            self._walk_position_asked = position

    def action_walk_stage(self: AttnApp, direction: int) -> None:
        walkthrough = self.walkthrough
        if walkthrough is None or self.walk_position is None:
            return
        if direction > 0:
            self._walk_to(walkthrough.next_stage(self.walk_position))
        else:
            self._walk_to(walkthrough.previous_stage(self.walk_position))

    def _walk_to(self: AttnApp, position: int) -> None:
        if self.walkthrough is not None:
            self.walk_position = self.walkthrough.clamp(position)

    def watch_walk_position(self: AttnApp, old: int | None, new: int | None) -> None:
        if self.walkthrough is not None and old is not None and new is not None:
            # Stepping into the matrix stage shows the matrix view, stepping back out leaves it.
            was, now = self.walkthrough.progress(old).stage, self.walkthrough.progress(new).stage
            into = now is not None and now.shows_matrix_view
            if (was is not None and was.shows_matrix_view) != into:
                self.matrix_view = into
        if (old is None) != (new is None):
            self.refresh_bindings()  # the footer swaps "Walk" for "Leave walk"
            self._sync_matrix_layout()
        self._show_results()

    def action_walk_leave(self: AttnApp) -> None:
        """Back to the live view: every number shown."""
        if not self.walking:
            self.walk_waits_for_numbers = False  # Esc before the numbers: no walk when they come
            return
        self.autoplay = False
        self.walk_position = None
        self.walkthrough = None
        self.query_one("#main").remove_class("-walking")
        self.matrix_view = self._matrix_view_before_walk
        self._say("Left the walkthrough: every number is live again.")

    # --- autoplay ---

    def action_autoplay(self: AttnApp) -> None:
        """Toggle autoplay; it starts the walk if none is under way, or restarts one at its end."""
        if self.autoplay:
            self.autoplay = False
            return
        if not self.walking or (self.walkthrough and self.walk_position == self.walkthrough.end):
            self.action_walk_start()
        if self.walking:
            self.autoplay = True

    def action_autoplay_pace(self: AttnApp, direction: int) -> None:
        """Slower (+1) or faster (-1)."""
        paces = AUTOPLAY_PACES
        index = min(range(len(paces)), key=lambda i: abs(paces[i] - self.autoplay_pace))
        self.autoplay_pace = paces[max(0, min(len(paces) - 1, index + direction))]
        self._say(f"Autoplay pace: {self.autoplay_pace:g} s per step.")

    def watch_autoplay(self: AttnApp) -> None:
        self._restart_autoplay_timer()
        self._show_results()

    def watch_autoplay_pace(self: AttnApp) -> None:
        self._restart_autoplay_timer()
        self._show_results()

    def _restart_autoplay_timer(self: AttnApp) -> None:
        if self._autoplay_timer is not None:
            self._autoplay_timer.stop()
            self._autoplay_timer = None
        if self.autoplay:
            self._autoplay_timer = self.set_interval(self.autoplay_pace, self._autoplay_tick)

    def _autoplay_tick(self: AttnApp) -> None:
        walkthrough = self.walkthrough
        if walkthrough is None or self.walk_position is None or self.walk_position >= walkthrough.end:
            self.autoplay = False
            self._say("Autoplay reached the end of the walk.")
            return
        self.walk_position += 1

    def _autoplay_status(self: AttnApp) -> str:
        if not self.autoplay:
            return ""
        return f"autoplay {self.autoplay_pace:g} s/step · < > pace · any key stops"
