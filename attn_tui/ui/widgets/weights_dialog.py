"""The weights dialog (W): fill a mechanism's weight matrices anew, as the book does — which
initialisation (torch.rand, nn.Linear …), the seed, and d_out.

Keyboard-driven like the other scenario dialogs: ↑/↓ choose the initialisation, Tab moves to the
seed and d_out, Enter applies, Esc cancels; bad input is explained and the dialog stays open.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from attn_tui.core.quoting import quote
from attn_tui.core.scenario import ScenarioError
from attn_tui.core.sentence import parse_seed
from attn_tui.mechanisms.base import Initialisation
from attn_tui.ui.widgets.scenario_dialogs import _Dialog


@dataclass(frozen=True)
class WeightsChoice:
    initialisation: str
    seed: int
    d_out: int


def parse_d_out(text: str, largest: int) -> int:
    """d_out as typed: a whole number from 1 to ``largest``."""
    stripped = text.strip()
    if not stripped.isdigit() or not 1 <= int(stripped) <= largest:
        raise ScenarioError(f"d_out must be a whole number from 1 to {largest}, not {quote(stripped)}")
    return int(stripped)


class WeightsDialog(_Dialog):
    """Choose how to fill W_q, W_k, W_v: an initialisation, its seed, and d_out."""

    def __init__(self, initialisations: tuple[Initialisation, ...], seed: int | None, d_out: int, largest_d_out: int, d_in: int) -> None:
        super().__init__(classes="dialog")
        self._initialisations = initialisations
        self._seed = seed
        self._d_out = d_out
        self._largest = largest_d_out
        self._d_in = d_in
        self._shown_option = 0
        """The initialisation highlighted when the dialog opened or last moved."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body") as body:
            body.border_title = "New weights W_q, W_k, W_v"
            body.border_subtitle = "Enter applies · Tab next field · Esc cancels"
            yield OptionList(*(Option(init.description, id=init.name) for init in self._initialisations), id="initialisation")
            with Horizontal(classes="dialog-fields"):
                yield Label("seed")
                yield Input(str(self._seed if self._seed is not None else self._initialisations[0].default_seed), id="seed")
            with Horizontal(classes="dialog-fields"):
                yield Label("d_out")
                yield Input(str(self._d_out), id="d_out")
            yield Static(
                f"Three {self._d_in}×d_out matrices, drawn in the book's order (query, key, value) after "
                "torch.manual_seed(seed). A larger d_out (e.g. 64) shows why scores are scaled by √d_k: "
                "press c. Tokens, embeddings and query stay; u undoes.",
                classes="dialog-note",
            )
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionHighlighted)
    def _offer_books_seed(self, event: OptionList.OptionHighlighted) -> None:
        # Another initialisation comes with the seed the book uses for it (3.5: SelfAttention_v2's
        # 789, CausalAttention's 123), so the book's weights are one choice away.
        if self.is_mounted and event.option_index != self._shown_option:
            self.query_one("#seed", Input).value = str(self._initialisations[event.option_index].default_seed)
        self._shown_option = event.option_index

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def _apply(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        try:
            seed = parse_seed(self.query_one("#seed", Input).value)
            d_out = parse_d_out(self.query_one("#d_out", Input).value, self._largest)
        except ScenarioError as error:
            self._refuse(error)
            return
        self.close(WeightsChoice(self._initialisations[index].name, seed, d_out))
