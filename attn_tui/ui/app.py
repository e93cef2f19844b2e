"""The Textual app: owns the scenario, recomputes once per change, hands results to the views."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.widget import AwaitMount
from textual.binding import Binding
from textual.filter import LineFilter
from textual.command import CommandListItem, CommandPalette
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive, reactive
from textual.timer import Timer
from textual.widgets import Footer, Static

from attn_tui.ui import layout
from attn_tui.ui.commands import AttnCommands
from attn_tui.ui.edit_bindings import EDIT_BINDINGS, HISTORY_BINDINGS, SCENARIO_ACTIONS, ScenarioEditing
from attn_tui.ui.file_actions import DIALOG_KEYS, FILE_BINDINGS, FileActions
from attn_tui.ui.session_policy import LOCAL, SessionPolicy
from attn_tui.ui.torch_loader import TorchLoader, freeze_long_lived_objects
from attn_tui.core.files import ViewOptions
from attn_tui.core.formatting import token_vector
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario
from attn_tui.mechanisms import mechanism_named
from attn_tui.mechanisms.base import Mechanism
from attn_tui.ui.recovery_offer import RECOVERY_BINDINGS, RecoveryOffer
from attn_tui.ui.plot_view import VectorPlotView
from attn_tui.ui.walk_bindings import (
    DEFAULT_PACE,
    KEYS_THAT_KEEP_AUTOPLAY,
    VIEW_BINDINGS,
    WALK_ARROW_ACTIONS,
    WALK_BINDINGS,
)
from attn_tui.terminal.wire import ScreenDiff
from attn_tui.core.walkthrough import Progress, Walkthrough, build_walkthrough
from attn_tui.ui.idle_collector import IdleCollector
from attn_tui.ui.line_filters import LineFilters
from attn_tui.ui.widgets.direct_lines import DirectStatic
from attn_tui.ui.widgets.embedding_grid import EmbeddingGrid
from attn_tui.ui.widgets.explanation import ExplanationPanel
from attn_tui.ui.widgets.header import AppHeader
from attn_tui.ui.widgets.help_screen import HelpScreen
from attn_tui.terminal.textual_internals import DiffedDisplay, DuplicateIds, SafeCommandPalette, is_command_palette
from attn_tui.ui.cell_editing import CellEditing
from attn_tui.ui.walk_actions import WalkActions
from attn_tui.ui.mechanism_actions import MECHANISM_ACTIONS, MECHANISM_BINDINGS, MechanismActions
from attn_tui.ui.widgets.panels import Panel
from attn_tui.ui.widgets.query_bar import QueryBar

if TYPE_CHECKING:  # compute imports torch: loaded in the background after the first frame
    from typing import Any as Analysis  # each mechanism's own analysis


MATRIX_BESIDE_GRID_WIDTH = 100
"""Narrower than this, the matrix view takes the whole width: beside the grid it would show only
four of the six columns."""

DEFAULT_THEME = "textual-dark"

QUERY_KEYS = Binding.Group("Query", compact=True)
"""The footer's one entry for the previous and next query keys."""


class AttnApp(VectorPlotView, FileActions, ScenarioEditing, MechanismActions, CellEditing, WalkActions, DiffedDisplay, RecoveryOffer, App[None]):
    """attn-tui: edit embeddings and weights, watch a chapter-3 attention mechanism recompute."""

    CSS_PATH = "app.tcss"
    TITLE = "attn-tui"
    COMMANDS = App.COMMANDS | {AttnCommands}
    HORIZONTAL_BREAKPOINTS = layout.HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = layout.VERTICAL_BREAKPOINTS

    BINDINGS = [
        *RECOVERY_BINDINGS,  # first: while recovered work is offered, its key leads the footer
        # One footer entry, "[] Query", for both: at 80 columns the footer has room for six.
        Binding("left_square_bracket", "query_step(-1)", "Prev query", key_display="[", group=QUERY_KEYS, id="query.previous"),
        Binding("right_square_bracket", "query_step(1)", "Next query", key_display="]", group=QUERY_KEYS, id="query.next"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.commands"),
        Binding("ctrl+q", "quit", "Quit", key_display="^q", priority=True, id="app.quit"),
        *WALK_BINDINGS,
        *VIEW_BINDINGS,
        *MECHANISM_BINDINGS,
        # After the walk's keys, so that the footer shows them first.
        *HISTORY_BINDINGS,
        *EDIT_BINDINGS,
        *FILE_BINDINGS,
    ]

    sub_title: Reactive[str] = Reactive("", compute=False, repaint=False)
    """Textual's, without its repaint: the header watches it and repaints its own line, while
    Textual's repaints the whole screen (a third of the query changes at 6 tokens, where the query
    comes back to the saved one and • unsaved comes and goes)."""

    scenario: reactive[Scenario] = reactive(SEED_EXAMPLE, init=False, repaint=False)
    """The single source of truth. Every change replaces it; the watcher refreshes every view."""

    analysis: Analysis | None = None
    """The numbers for the current scenario, computed once per change and shared by all views.
    None until torch has loaded."""

    is_loading_torch: bool = False
    """True while a thread of the app imports torch (which nothing can interrupt)."""

    _analyse: Callable[[Scenario, Analysis | None], Analysis] | None = None
    """`compute.analyse`, once its module (and so torch) is imported."""

    walk_position: reactive[int | None] = reactive(None, init=False, always_update=True, repaint=False)
    """How many walkthrough steps are done (0 = the start); None when not walking (the live view)."""

    walkthrough: Walkthrough | None = None
    """The steps for the current scenario while walking, rebuilt with every change."""

    matrix_view: reactive[bool] = reactive(False, init=False, repaint=False)
    """Show every query at once (the matrix form) instead of the single-query panels."""

    compare_normalisations: reactive[bool] = reactive(False, init=False, repaint=False)
    """The weights panel shows ω/Σω, softmax_naive and torch.softmax side by side."""

    autoplay: reactive[bool] = reactive(False, init=False, repaint=False)
    """The walk steps forward by itself, one step per `autoplay_pace` seconds."""

    autoplay_pace: reactive[float] = reactive(DEFAULT_PACE, init=False, repaint=False)
    """Seconds per autoplay step."""

    _autoplay_timer: Timer | None = None
    _screen_height: int = 0
    """The terminal's height, as the last resize gave it (0 before the first)."""
    _message_lines: int = -1
    _message_text: str = ""
    """Lines the message under the grid took, to lay out again only when that changes."""
    _message_wrap: tuple[tuple[str, int, int], int] = (("", 0, 0), 0)
    """The last wrapping measured: (text, width, least lines) and the lines it took."""
    _message: Static | None = None
    """The message line under the grid, once composed."""
    _layout_fit_deferred: bool = False
    """Inside :meth:`_fitting_layout_once`: fitting waits for the end of the change."""
    _layout_fit_wanted: bool = False
    _matrix_view_before_walk: bool = False

    def __init__(
        self,
        scenario: Scenario = SEED_EXAMPLE,
        *,
        view: ViewOptions | None = None,
        path: Path | None = None,
        imported_from: Path | None = None,
        policy: SessionPolicy = LOCAL,
        torch_preloaded: bool = False,
    ) -> None:
        """``path`` is the JSON file the scenario came from (Ctrl+S saves there); ``view`` its views;
        ``imported_from`` the embeddings file (CSV, .npy, .pt) it was imported from instead;
        ``policy`` what the session may do with this machine's files; ``torch_preloaded`` that
        this process imported torch before the app started (a session forked by `attn-tui serve`)."""
        super().__init__()
        self.policy = policy
        self._screen_diff = ScreenDiff()
        self._line_filters = LineFilters()
        self._idle_collector = IdleCollector()
        self._first_frame_drawn = threading.Event()
        self._torch_loader = TorchLoader(self, self._compute_loaded, self._torch_failed, preloaded=torch_preloaded)
        self.set_reactive(AttnApp.scenario, scenario)
        self.saved_scenario = scenario
        self._parameters_seen = {}
        self._panels: list[Panel] = []
        """The mechanism's panels, as mounted (the single-query ones, then the matrix view)."""
        self._panels_mechanism = ""
        """The mechanism whose panels are mounted or being mounted."""
        self._panels_swap_lock = asyncio.Lock()
        """Held by the one `_swap_panels` at work: two never remove and mount at once."""
        self.document_path = path
        self.imported_from = imported_from
        if view is not None:
            self.set_reactive(AttnApp.matrix_view, view.matrix_view)
            self.set_reactive(AttnApp.compare_normalisations, view.compare_normalisations)
        self.theme = DEFAULT_THEME

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                grid = EmbeddingGrid(id="grid")
                grid.border_title = "Embeddings x⁽ⁱ⁾"
                yield grid
                yield QueryBar(id="query-bar")
                self._message = DirectStatic(id="message")
                yield self._message
                yield ExplanationPanel(id="explanation")
            with Vertical(id="right"):
                # 3.3's panels, whose module the app imports anyway, say "loading torch…" in the
                # first frame; another section's (their modules) are swapped in once torch is (_show).
                yield from self._new_panels(mechanism_named("simple"))
        yield Static(id="too-small")
        yield Footer()

    def _new_panels(self, mechanism: Mechanism) -> list[Panel]:
        """Fresh widgets for ``mechanism``'s views: its single-query panels, then its matrix view."""
        panels = [panel(id=panel.PANEL_ID, classes="query-panel") for panel in mechanism.panels()]
        panels.append(mechanism.matrix_view()(id="matrix", classes="matrix-view"))
        self._panels = panels
        self._panels_mechanism = mechanism.name
        return panels

    @work(group="mechanism-panels")
    async def _swap_panels(self, mechanism: Mechanism) -> None:
        """Replace the panels with ``mechanism``'s; until they are mounted no panel is shown.

        Swaps run one after another and are never cancelled (not ``exclusive``): cancelling one
        while it awaits ``remove_children`` cancels the old panels' tasks mid-removal (Textual
        gathers them), which leaves dead panels on screen, fails every later swap and stops the
        app's own message loop, which awaits the same removal."""
        async with self._panels_swap_lock:
            if self._panels_mechanism != mechanism.name or self._panels:
                # A later switch came meanwhile: its swap, queued behind this one, mounts its panels.
                # Or a switch away and back during an earlier swap let that one mount these.
                return
            right = self.query_one("#right")
            await right.remove_children()
            panels = [panel(id=panel.PANEL_ID, classes="query-panel") for panel in mechanism.panels()]
            panels.append(mechanism.matrix_view()(id="matrix", classes="matrix-view"))
            await right.mount_all(panels)
            if not right.is_attached:
                return  # the app is closing (quit during the swap): the panels were not mounted
            if self._panels_mechanism != mechanism.name:
                return  # a later switch came during the mount: its queued swap replaces these
            self._panels = panels
            self.watch_compare_normalisations(self.compare_normalisations)
            self._show_results()  # fits the layout to the new panels too

    def on_mount(self) -> None:
        # After a suspend (Ctrl+Z) the terminal shows something else: repaint everything.
        self.app_resume_signal.subscribe(self, lambda _app: self._screen_diff.reset())
        self._show(self.scenario)
        self.show_file_state()
        # Views a scenario file asked for; a narrow matrix view hides the grid and has the focus.
        self.watch_matrix_view(self.matrix_view)
        self.watch_compare_normalisations(self.compare_normalisations)
        if not self.query_one("#main").has_class("-matrix-only"):
            self.query_one(EmbeddingGrid).focus()
        for panel in self.query(Panel):
            panel.show_loading_torch()
        self._torch_loader.start()
        self.offer_recovery()

    def _torch_failed(self, error: Exception) -> None:
        self.exit(return_code=1, message=f"attn-tui: torch could not be loaded: {error}")

    def _compute_loaded(self, analyse: Callable[[Scenario, Analysis | None], Analysis]) -> None:
        self._analyse = analyse
        self.complete_parameters()
        self._show(self.scenario)
        self.start_the_walk_asked_for()
        self.call_after_refresh(self._freeze_and_collect_when_idle)

    def _freeze_and_collect_when_idle(self) -> None:
        freeze_long_lived_objects()
        self._idle_collector.start(self)

    @property
    def is_ready(self) -> bool:
        """True once the numbers are on screen (torch has loaded)."""
        return self.analysis is not None

    def frame_written(self) -> None:
        self._first_frame_drawn.set()

    def on_resize(self, event: events.Resize) -> None:
        self._screen_diff.reset()  # the terminal may have redrawn or reflowed its lines
        too_small = layout.too_small(*event.size)
        # On the main screen, not the top one: a resize under the help screen must still count.
        main_screen = self.screen_stack[0]
        main_screen.set_class(too_small, "-too-small")
        if too_small:
            main_screen.query_one("#too-small", Static).update(layout.too_small_notice(*event.size))
        self._screen_height = event.size.height  # the app's size is not yet the new one while it resizes
        self.query_one(EmbeddingGrid).set_spacing(*layout.grid_spacing(event.size.width))
        self._sync_matrix_layout(event.size.width)
        # Text wraps anew at the new widths, known once they are laid out.
        self.call_after_refresh(self._fit_layout)
        self.sync_vector_plot_layout(event.size.width)
        if not too_small:
            # Hiding the layout took the focus from the grid: give it back, or keys go nowhere.
            self.call_after_refresh(self._refocus_grid)

    @on(Panel.Measured)
    def _fit_layout(self) -> None:
        """Share the screen's rows between the widgets (see :mod:`attn_tui.ui.layout`): the
        context vector and the walk's arithmetic always keep a place on screen."""
        if self._layout_fit_deferred:
            self._layout_fit_wanted = True
            return
        height = self._screen_height or self.size.height
        # Not a DOM query: this runs on every key, and a query walks every widget.
        if not height or not self.screen_stack or self._message is None or not self._message.is_attached:
            return  # not laid out yet, or the app is closing
        analysis = self.analysis
        query_panels = [panel for panel in self._panels if panel.has_class("query-panel")]
        if analysis is not None and not self.matrix_view and query_panels:
            # The mechanism's panels that list tokens share the rows; the last panel (the
            # context vector) keeps at least one line of numbers.
            listing = [panel for panel in query_panels if panel.LISTS_TOKENS and panel.display]  # not one a short screen hides
            last = query_panels[-1]
            fit = layout.fit_right_column(
                height,
                analysis.scenario.n_tokens,
                sum(panel.fixed_lines for panel in listing),
                getattr(last, "needed_lines", 1),
                listing=len(listing),
            )
            progress = self._walk_progress()
            for panel in listing:
                if fit.rows != panel.row_limit:
                    panel.row_limit = fit.rows
                    panel.show(analysis, progress)
            last.styles.max_height = fit.context_height  # unchanged, this sets nothing
        below_bar = self._message_height()
        if self.walking:
            below_bar += self.query_one(ExplanationPanel).essential_height()
        bar = self.query_one(QueryBar)
        bar.max_lines = layout.fit_query_bar_lines(height, below_bar)
        bar.show(self.scenario)  # fewer chips when it got fewer lines
        self.query_one(EmbeddingGrid).fit_to(layout.fit_grid_height(height, bar.needed_height() + below_bar))

    def _refocus_grid(self) -> None:
        main_screen = self.screen_stack[0]
        if main_screen.focused is None:
            matrix_only = main_screen.query_one("#main").has_class("-matrix-only")
            main_screen.set_focus(main_screen.query_one("#matrix" if matrix_only else "#grid"))

    # --- state → views ---

    def watch_scenario(self, scenario: Scenario) -> None:
        self._show(scenario)
        self.show_file_state()
        self.note_change_for_recovery_offer()

    def _show(self, scenario: Scenario) -> None:
        if self._analyse is not None and mechanism_named(scenario.mechanism).needs_parameters(scenario):
            self.complete_parameters()  # e.g. embeddings of another dimension dropped the weights
            return  # completing set the scenario again: its watcher shows it
        self.remember_parameters(scenario)
        if self._panels_mechanism != scenario.mechanism and self._analyse is not None:
            # The old mechanism's panels cannot show the new analysis: none is shown until the
            # new ones are mounted.
            self._panels = []
            self._panels_mechanism = scenario.mechanism
            self._swap_panels(mechanism_named(scenario.mechanism))
        if self._analyse is not None:
            self.analysis = self._analyse(scenario, self.analysis)
            if self.walk_position is not None:
                # The walk follows edits and query changes, at the same position (or its new end,
                # when fewer tokens make it shorter).
                self.walkthrough = build_walkthrough(self.analysis)
                self.set_reactive(AttnApp.walk_position, self.walkthrough.clamp(self.walk_position))
        with self.batch_update():
            self.show_grid()
            self.query_one(QueryBar).show(scenario)
            self._show_results()

    def show_grid(self) -> None:
        """The grid shows the matrix chosen with `g` (the embeddings at first)."""
        grid = self.query_one(EmbeddingGrid)
        matrix = self.shown_grid_matrix()
        # The grid's own keys, where the eye is: Enter edits; g cycles a mechanism's matrices.
        keys = "⏎ edit · g next matrix" if self.mechanism.matrices else "⏎ edit"
        if (grid.border_title, grid.border_subtitle) != (matrix.title, keys):  # each repaints the border
            grid.border_title, grid.border_subtitle = matrix.title, keys
        grid.show(matrix)

    def _show_results(self) -> None:
        """Hand the current numbers, limited to what a walk has reached, to every view."""
        if self.analysis is None:
            return
        progress = self._walk_progress()
        for panel in self._visible_panels():
            panel.show(self.analysis, progress)
        if progress is not None and self.walkthrough is not None:
            self.query_one(ExplanationPanel).show(self.walkthrough, progress, self._autoplay_status())
        grid_matrix = self.shown_grid_matrix().name
        self.query_one(EmbeddingGrid).set_highlight(progress.step.cells_of(grid_matrix) if progress and progress.step else ())
        self.show_vector_plot()
        self._fit_layout()

    def _visible_panels(self) -> list[Panel]:
        """The panels on screen: hidden ones are brought up to date when they are shown again."""
        if self.panels_covered_by_plot:
            return []
        if self.matrix_view:
            return [panel for panel in self._panels if panel.has_class("matrix-view")]
        return [panel for panel in self._panels if panel.has_class("query-panel")]

    def _walk_progress(self) -> Progress | None:
        if self.walk_position is None or self.walkthrough is None:
            return None
        return self.walkthrough.progress(self.walk_position)

    def change_scenario(self, updated: Scenario, description: str = "", *, record: bool = True, hint: str = "") -> None:
        """The one way the scenario changes: edits, query moves, loads, undo and redo.

        ``description`` says what changed, in words a person reads ("dim 1 of Your = 1.0000"); it
        is shown, with ``hint`` after it, and kept for undo ("Undid: dim 1 of Your = 1.0000").
        Undo and redo pass ``record=False``: they move through the history, not add to it.
        """
        with self._fitting_layout_once():
            if updated != self.scenario:
                if record:
                    self.history = self.history.record(self.scenario, updated, description or "a change")
                self.scenario = updated
            if description:
                self._say(f"{description} {hint}".strip())

    @contextmanager
    def _fitting_layout_once(self) -> Iterator[None]:
        """Fit the layout once, at the end of what runs inside: a change shows its numbers and
        then says what changed, and each would fit the layout (a third of a key press's work)."""
        if self._layout_fit_deferred:
            yield  # an outer change fits at its end
            return
        self._layout_fit_deferred, self._layout_fit_wanted = True, False
        try:
            yield
        finally:
            self._layout_fit_deferred = False
            if self._layout_fit_wanted:
                self._fit_layout()

    # --- query ---

    def action_query_step(self, step: int) -> None:
        """Make the previous (-1) or next (+1) token the query."""
        self._change_query(self.scenario.with_query_step(step))

    def action_select_query(self, index: int) -> None:
        """Make token ``index`` (0-based) the query."""
        if 0 <= index < self.scenario.n_tokens:
            self._change_query(self.scenario.with_query(index))

    def _change_query(self, updated: Scenario) -> None:
        if updated.query != self.scenario.query:
            self.change_scenario(updated, f"Query {token_vector(updated.query + 1)}: {updated.query_token}.")

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.set_class(error, "-error")
        self._message_text = text
        # Lay out again only if the message takes another number of lines.
        lines = self._message_height()
        message.update(Text(text), layout=lines != self._message_lines)  # Text: never parsed as markup
        self._message_lines = lines
        self._fit_layout()  # the grid makes room for a longer message: it is never cut
        if self.grid_hidden:
            # The message line is hidden with the grid: say it in a toast instead.
            self.notify(text, severity="error" if error else "information", markup=False)

    def _message_height(self) -> int:
        """Rows the message under the grid takes, wrapped (at least its min-height: 2, or 1 during
        a walk, see app.tcss)."""
        least = 1 if self.walking else 2
        width = self.query_one("#message", Static).content_region.width
        if width <= 1:
            return least
        # Asked two or three times per key press (the message, then the layout): wrapped once.
        measured, lines = self._message_wrap
        if measured != (self._message_text, width, least):
            lines = max(least, len(Text(self._message_text).wrap(self.console, width)))
            self._message_wrap = ((self._message_text, width, least), lines)
        return lines

    @property
    def grid_hidden(self) -> bool:
        """The matrix view fills a narrow screen: the grid and its message line are hidden."""
        return self.query_one("#main").has_class("-matrix-only")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WALK_ARROW_ACTIONS:
            # Priority keys (← → Home End) reach the app before the grid: only take them while
            # walking on the main screen, and never from an in-cell edit or a dialog.
            # While `w` waits for the numbers, the steps typed ahead are kept for the walk.
            walk_keys = self.walking or self.walk_waits_for_numbers
            return len(self.screen_stack) == 1 and walk_keys and not self.query_one(EmbeddingGrid).editing
        if action in MECHANISM_ACTIONS:
            return self.mechanism_action_available(action)
        if action in SCENARIO_ACTIONS:
            return len(self.screen_stack) == 1  # not from a dialog or the help screen
        if action == "walk_leave":
            return self.walking or self.walk_waits_for_numbers
        if action == "walk_stage":
            return self.walking
        if action in ("walk_start", "walk_restart"):
            # Two bindings share `w`: "Walk" in the footer before a walk, a hidden restart during one.
            return self.walking == (action == "walk_restart")
        return super().check_action(action, parameters)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, the truecolor one skipped on lines it leaves alone (see line_filters)."""
        return self._line_filters.wrap(super().get_line_filters())

    # --- events ---

    @property
    def keys_wait(self) -> bool:
        """The too-small notice covers the main screen: a key would change what nobody sees."""
        return len(self.screen_stack) == 1 and self.screen.has_class("-too-small")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self._idle_collector.note_activity()
        if isinstance(event, events.Key) and self.keys_wait and event.key != "ctrl+q":
            return  # dropped, as the notice says; Ctrl+Q still quits
        # During autoplay a key press only stops it: a presenter's Space must not also step.
        if isinstance(event, events.Key) and self.autoplay and event.key not in KEYS_THAT_KEEP_AUTOPLAY:
            self.autoplay = False
            self._say("Autoplay stopped.")
            return
        if isinstance(event, events.Key) and event.key in ("pageup", "pagedown") and is_command_palette(self.screen):
            return  # Textual 8's command palette raises KeyError on PgUp/PgDn while its list fills
        await super().on_event(event)

    # --- views ---

    def action_toggle_matrix(self) -> None:
        """Switch between the single-query panels and every query at once."""
        if self.plot_replaces_panels():  # the matrix view is wanted where the plot is: it gives way
            self.action_toggle_vector_plot()
            self.matrix_view = True
            return
        self.matrix_view = not self.matrix_view
        # Said, so that an older hint ("Press m …") does not outlive what it asked for.
        self._say("Matrix view: every query at once; m again: one query." if self.matrix_view else "One query: the scores, weights and context.")

    def watch_matrix_view(self, matrix_view: bool) -> None:
        self.query_one("#right").set_class(matrix_view, "-matrix")
        self.query_one("#main").set_class(matrix_view, "-matrix-view")  # the matrices take the room
        self._show_results()
        self._sync_matrix_layout()

    def _sync_matrix_layout(self, width: int | None = None) -> None:
        """On a narrow screen the matrix view hides the grid (not during a walk, whose explanation
        lives under the grid); focus follows what is visible so no key goes to a hidden widget."""
        width = self.size.width if width is None else width  # a Resize event knows the new size first
        matrix_only = self.matrix_view and not self.walking and width < MATRIX_BESIDE_GRID_WIDTH and not self.plot_replaces_panels(width)
        main = self.query_one("#main")
        if main.has_class("-matrix-only") == matrix_only:
            return
        main.set_class(matrix_only, "-matrix-only")
        if matrix_only:
            self.query_one("#matrix").focus()
        else:
            self.query_one(EmbeddingGrid).focus()

    def action_toggle_compare(self) -> None:
        """Put the mechanism's alternatives side by side (3.3: the three normalisations), or not."""
        self.compare_normalisations = not self.compare_normalisations
        note = self.mechanism.compare_note
        if self.compare_normalisations:
            self._say(note or f"Comparing {self.mechanism.compares}; c again: the weights with bars.")
        else:
            self._say("The weights with bars; c compares again.")

    def watch_compare_normalisations(self, comparing: bool) -> None:
        for panel in self._panels:
            panel.compare(comparing)

    def action_command_palette(self) -> None:
        """The command palette, safe against a second Enter while it closes."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            try:
                self.push_screen(SafeCommandPalette(id="--command-palette"))
            except DuplicateIds:
                pass  # Ctrl+P again while the last palette is still closing

    def search_themes(self) -> None:
        """The theme picker (from the command palette), with the same guards."""
        from textual.theme import ThemeProvider

        self.push_screen(SafeCommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def search_commands(self, commands: Sequence[CommandListItem], placeholder: str = "Search for commands…") -> AwaitMount:
        from textual.command import SimpleProvider

        return self.push_screen(SafeCommandPalette(providers=[SimpleProvider(self.screen, commands)], placeholder=placeholder))

    # --- help ---

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Anywhere", self.offered_recovery_keys() + [b for b in AttnApp.BINDINGS if not any(b in group for group in (WALK_BINDINGS, VIEW_BINDINGS, EDIT_BINDINGS, FILE_BINDINGS, MECHANISM_BINDINGS, RECOVERY_BINDINGS))]),
            ("Mechanism", MECHANISM_BINDINGS),
            ("Edit the scenario", EDIT_BINDINGS),
            ("Walkthrough", WALK_BINDINGS),
            ("Views", VIEW_BINDINGS),
            ("Files", FILE_BINDINGS),
            ("In file dialogs", DIALOG_KEYS),
            ("Embedding grid", _GRID_KEYS),
            ("While editing a cell", EmbeddingGrid.EDIT_KEYS),
            ("Help", list(HelpScreen.BINDINGS)),
        ]
        self.push_screen(HelpScreen(sections))


# The grid's keys as a person thinks of them (its bindings, grouped), for the help screen.
_GRID_KEYS = [
    Binding("up,down,left,right,h,j,k,l", "", "Move the cursor"),
    Binding("enter", "", "Edit the cell (pre-filled); on a token label, rename it"),
    Binding("0-9,-,.", "", "Start typing a new value"),
    Binding("pageup,pagedown", "", "A page up / down"),
    Binding("home,end", "", "First / last column (Home: the token label)"),
    Binding("ctrl+home,ctrl+end", "", "First / last token"),
    Binding("tab,shift+tab", "", "Move focus between grid and panels"),
    Binding("g", "", "Show the next matrix: the embeddings X, then the section's weight matrices"),
]
