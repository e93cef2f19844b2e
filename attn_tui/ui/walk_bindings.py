"""Keys of the walkthrough and of the views (matrix, normalisations), kept apart so the help
screen can list them in their own sections. The app's actions do the work.
"""

from __future__ import annotations

from textual.binding import Binding

WALK_BINDINGS = [
    Binding("w", "walk_start", "Walk", id="walk.start"),
    # The same key while walking, kept out of the footer to leave room for the stepping keys.
    Binding("w", "walk_restart", "Restart the walk (while walking)", show=False, id="walk.restart"),
    Binding("space,n", "walk_step(1)", "Next step", show=False, id="walk.forward"),
    Binding("backspace,p", "walk_step(-1)", "Previous step", show=False, id="walk.back"),
    # The grid also uses ← → Home End: while walking these take precedence (priority), except
    # while a cell is being edited, where they move the caret (see AttnApp.check_action).
    Binding("right", "walk_step(1)", "Next step", show=False, priority=True, id="walk.forward_arrow"),
    Binding("left", "walk_step(-1)", "Previous step", show=False, priority=True, id="walk.back_arrow"),
    Binding("home", "walk_to(0)", "Start of the walk", show=False, priority=True, id="walk.home"),
    Binding("end", "walk_to(-1)", "End of the walk", show=False, priority=True, id="walk.end"),
    Binding("s", "walk_stage(1)", "Next stage", show=False, id="walk.next_stage"),
    Binding("S", "walk_stage(-1)", "Previous stage (or this one's start)", show=False, id="walk.previous_stage"),
    Binding("escape", "walk_leave", "Exit", key_display="esc", id="walk.leave"),
    Binding("a", "autoplay", "Autoplay on/off (any key stops it)", show=False, id="walk.autoplay"),
    Binding("greater_than_sign", "autoplay_pace(-1)", "Autoplay faster", show=False, id="walk.faster"),
    Binding("less_than_sign", "autoplay_pace(1)", "Autoplay slower", show=False, id="walk.slower"),
]
"""Stepping through the computation."""

VIEW_KEYS = Binding.Group("Views", compact=True)
"""One footer entry, "mv Views", for the matrix view and the plot: at 80 columns (while walking,
with "esc Exit") a longer one would cut off the last entry."""

VIEW_BINDINGS = [
    # The footer says "mv Views"; the help screen the tooltips.
    Binding("m", "toggle_matrix", "Matrix", tooltip="Matrix view: every query at once", group=VIEW_KEYS, id="view.matrix"),
    Binding("v", "toggle_vector_plot", "Plot", tooltip="Vector plot: the embeddings, the query and z as points", group=VIEW_KEYS, id="view.plot"),
    # Not in the footer (no room at 80 columns): in the plot's frame while it shows ("V next ·
    # A axes"), the help screen and the command palette.
    Binding("V", "next_plane", "Vector plot: next plane, projection or space", show=False, id="view.plot_plane"),
    Binding("A", "choose_axes", "Vector plot: choose the axes (any two dimensions, or the principal components)", show=False, id="view.plot_axes"),
    Binding("c", "toggle_compare", "Compare ω/Σω, softmax_naive, torch.softmax", show=False, id="view.compare"),
]
"""What the right-hand side shows."""

WALK_ARROW_ACTIONS = frozenset({"walk_step", "walk_to"})
"""Actions bound to keys the grid also uses (priority bindings)."""

AUTOPLAY_PACES = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
"""Seconds per step a presenter can choose with < and >."""
DEFAULT_PACE = 1.5

KEYS_THAT_KEEP_AUTOPLAY = frozenset({"greater_than_sign", "less_than_sign", "ctrl+q"})
"""Every other key stops autoplay (and does nothing else)."""
