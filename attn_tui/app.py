"""The Textual app: owns the scenario, recomputes once per change, hands results to the views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Footer, Header, Static

from attn_tui.commands import AttnCommands
from attn_tui.formatting import format_number, token_vector
from attn_tui.messages import EditCancelled, EditStarted, EditSubmitted
from attn_tui.scenario import SEED_EXAMPLE, Scenario, ScenarioError, parse_number
from attn_tui.widgets.embedding_grid import LABEL_COLUMN, EmbeddingGrid
from attn_tui.widgets.help_screen import HelpScreen
from attn_tui.widgets.panels import ContextPanel, Panel, ScoresPanel, WeightsPanel
from attn_tui.widgets.query_bar import QueryBar

if TYPE_CHECKING:  # compute imports torch: loaded in the background after the first frame
    from attn_tui.compute import Analysis

MIN_WIDTH, MIN_HEIGHT = 80, 24
"""Below this the layout cannot show the grid and all three panels."""

DEFAULT_THEME = "textual-dark"


class AttnApp(App[None]):
    """attn-tui: edit embeddings, watch simple self-attention recompute."""

    CSS_PATH = "app.tcss"
    TITLE = "attn-tui"
    SUB_TITLE = "simple self-attention · Raschka ch. 3.3"
    COMMANDS = App.COMMANDS | {AttnCommands}

    BINDINGS = [
        Binding("left_square_bracket", "query_step(-1)", "Prev query", key_display="[", id="query.previous"),
        Binding("right_square_bracket", "query_step(1)", "Next query", key_display="]", id="query.next"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.commands"),
        Binding("ctrl+q", "quit", "Quit", key_display="^q", priority=True, id="app.quit"),
    ]

    scenario: reactive[Scenario] = reactive(SEED_EXAMPLE, init=False)
    """The single source of truth. Every change replaces it; the watcher refreshes every view."""

    analysis: Analysis | None = None
    """The numbers for the current scenario, computed once per change and shared by all views.
    None until torch has loaded."""

    _analyse: Callable[[Scenario], Analysis] | None = None
    """`compute.analyse`, once its module (and so torch) is imported."""

    def __init__(self, scenario: Scenario = SEED_EXAMPLE) -> None:
        super().__init__()
        self.set_reactive(AttnApp.scenario, scenario)
        self.theme = DEFAULT_THEME

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                grid = EmbeddingGrid(id="grid")
                grid.border_title = "Embeddings x⁽ⁱ⁾"
                yield grid
                yield QueryBar(id="query-bar")
                yield Static(id="message")
            with Vertical(id="right"):
                yield ScoresPanel(id="scores")
                yield WeightsPanel(id="weights")
                yield ContextPanel(id="context")
        yield Static(
            f"Terminal too small — need {MIN_WIDTH}×{MIN_HEIGHT}.\nEnlarge the window, or press Ctrl+Q to quit.",
            id="too-small",
        )
        yield Footer()

    def on_mount(self) -> None:
        self._show(self.scenario)
        self.query_one(EmbeddingGrid).focus()
        for panel in self.query(Panel):
            panel.show_loading_torch()
        self._load_compute()

    @work(thread=True, exclusive=True, group="load-compute")
    def _load_compute(self) -> None:
        # Importing torch takes about a second: the grid is on screen and editable meanwhile.
        from attn_tui.compute import analyse

        self.call_from_thread(self._compute_loaded, analyse)

    def _compute_loaded(self, analyse: Callable[[Scenario], Analysis]) -> None:
        self._analyse = analyse
        self._show(self.scenario)

    @property
    def is_ready(self) -> bool:
        """True once the numbers are on screen (torch has loaded)."""
        return self.analysis is not None

    def on_resize(self, event: events.Resize) -> None:
        too_small = event.size.width < MIN_WIDTH or event.size.height < MIN_HEIGHT
        self.screen.set_class(too_small, "-too-small")

    # --- state → views ---

    def watch_scenario(self, scenario: Scenario) -> None:
        self._show(scenario)

    def _show(self, scenario: Scenario) -> None:
        if self._analyse is not None:
            self.analysis = self._analyse(scenario)
        with self.batch_update():
            self.query_one(EmbeddingGrid).show(scenario)
            self.query_one(QueryBar).show(scenario)
            if self.analysis is not None:
                for panel in self.query(Panel):
                    panel.show(self.analysis)

    # --- query ---

    def action_query_step(self, step: int) -> None:
        """Make the previous (-1) or next (+1) token the query."""
        self.scenario = self.scenario.with_query_step(step)

    def action_select_query(self, index: int) -> None:
        """Make token ``index`` (0-based) the query."""
        if 0 <= index < self.scenario.n_tokens:
            self.scenario = self.scenario.with_query(index)

    # --- editing ---

    @on(EditStarted)
    def _explain_edit(self, event: EditStarted) -> None:
        scenario = self.scenario
        token = scenario.tokens[event.row]
        if event.column == LABEL_COLUMN:
            self._say(f"Renaming {token_vector(event.row + 1)} {token!r}: Enter commits, Esc cancels.")
        else:
            self._say(f"Editing {token} · dim {event.column}: Enter commits, Esc cancels.")

    @on(EditSubmitted)
    def _commit_edit(self, event: EditSubmitted) -> None:
        scenario = self.scenario
        grid = self.query_one(EmbeddingGrid)
        try:
            if event.column == LABEL_COLUMN:
                updated = scenario.with_label(event.row, event.text)
                done = f"Renamed token {event.row + 1} to {updated.tokens[event.row]!r}."
            else:
                value = parse_number(event.text)
                updated = scenario.with_value(event.row, event.column - 1, value)
                done = f"{scenario.tokens[event.row]} · dim {event.column} = {format_number(value)}"
        except ScenarioError as error:
            # Re-open the edit with the typed text: nothing the person wrote is lost.
            grid.start_edit(event.row, event.column, event.text, quietly=True)
            self._say(f"Refused: {error}. The old value stays; Esc cancels.", error=True)
            return
        self.scenario = updated
        self._say(done)

    @on(EditCancelled)
    def _cancel_edit(self) -> None:
        self._say("Edit cancelled.")

    def action_edit_cell(self) -> None:
        """Edit the cell under the grid's cursor (used by the command palette)."""
        grid = self.query_one(EmbeddingGrid)
        grid.focus()
        grid.start_edit(grid.cursor_row, grid.cursor_column)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.set_class(error, "-error")
        message.update(text)

    # --- help ---

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Anywhere", list(AttnApp.BINDINGS)),
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
    Binding("pageup,pagedown,home,end", "", "Scroll the grid"),
    Binding("tab,shift+tab", "", "Move focus between grid and panels"),
]
