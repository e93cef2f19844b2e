"""Dialogs that make a new scenario: type a sentence, randomise with a seed, pick a preset.

Each is a keyboard-driven ModalScreen: Tab moves between fields, Enter applies, Esc cancels.
Bad input is explained inside the dialog and the dialog stays open with what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from attn_tui.core.presets import PRESETS, Preset
from attn_tui.core.scenario import Scenario, ScenarioError
from attn_tui.core.sentence import (
    SPLIT_RULE,
    MAX_DIM,
    check_tokens,
    parse_dim,
    parse_seed,
    scenario_from_sentence,
    tokenize,
    vocabulary,
)
from attn_tui.ui.widgets.modal import Dialog

CANCEL = Binding("escape", "cancel", "Cancel", id="dialog.cancel")


class _Dialog(Dialog):
    """A centred box; Esc closes it without changing anything."""

    BINDINGS = [CANCEL]

    def _refuse(self, error: ScenarioError) -> None:
        """Say what is wrong; every field keeps what was typed."""
        message = self.query_one(".dialog-error", Static)
        message.update(f"Refused: {escape(str(error))}")
        message.display = True


@dataclass(frozen=True)
class SentenceChoice:
    """What the sentence dialog made, and the settings to offer next time."""

    scenario: Scenario
    sentence: str
    dim: int
    seed: int


class SentenceDialog(_Dialog):
    """Type a sentence; its tokens get seeded ``torch.nn.Embedding`` vectors."""

    def __init__(self, sentence: str, dim: int, seed: int) -> None:
        super().__init__(classes="dialog")
        self._initial = (sentence, dim, seed)

    def compose(self) -> ComposeResult:
        sentence, dim, seed = self._initial
        with Vertical(classes="dialog-body") as body:
            body.border_title = "Type a sentence"
            body.border_subtitle = "Enter builds · Tab next field · Esc cancels"
            yield Input(sentence, placeholder="e.g. Your journey starts with one step", id="sentence")
            with Horizontal(classes="dialog-fields"):
                yield Label(f"dimension (1–{MAX_DIM})")
                yield Input(str(dim), id="dim")
                yield Label("seed")
                yield Input(str(seed), id="seed")
            yield Static(id="tokens", classes="dialog-note")
            yield Static(f"Tokens: {escape(SPLIT_RULE)}.", id="split-rule", classes="dialog-note")
            yield Static(
                "Each distinct word or punctuation mark gets a row of torch.nn.Embedding(vocabulary, "
                "dimension) drawn under the seed: same word, same vector; same seed, same numbers.",
                classes="dialog-note",
            )
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False
        self._show_tokens(self.query_one("#sentence", Input).value)

    @on(Input.Changed, "#sentence")
    def _sentence_changed(self, event: Input.Changed) -> None:
        self._show_tokens(event.value)

    def _show_tokens(self, sentence: str) -> None:
        tokens = tokenize(sentence)
        if not tokens:
            text = "No tokens yet."
        else:
            shown = " │ ".join(escape(token) for token in tokens[:12]) + (" │ …" if len(tokens) > 12 else "")
            text = f"{len(tokens)} tokens, {len(vocabulary(tokens))} distinct: {shown}"
        self.query_one("#tokens", Static).update(text)

    @on(Input.Submitted)
    def _build(self) -> None:
        sentence = self.query_one("#sentence", Input).value
        try:
            check_tokens(tokenize(sentence))
            dim = parse_dim(self.query_one("#dim", Input).value)
            seed = parse_seed(self.query_one("#seed", Input).value)
            scenario = scenario_from_sentence(sentence, dim, seed)
        except ScenarioError as error:
            self._refuse(error)
            return
        self.close(SentenceChoice(scenario, sentence, dim, seed))


class SeedDialog(_Dialog):
    """Choose the seed for fresh random embeddings of the current tokens."""

    def __init__(self, seed: int, n_tokens: int, n_dims: int) -> None:
        super().__init__(classes="dialog")
        self._seed = seed
        self._shape = (n_tokens, n_dims)

    def compose(self) -> ComposeResult:
        n_tokens, n_dims = self._shape
        with Vertical(classes="dialog-body") as body:
            body.border_title = "Randomise the embeddings"
            body.border_subtitle = "Enter randomises · Esc cancels"
            with Horizontal(classes="dialog-fields"):
                yield Label("seed")
                yield Input(str(self._seed), id="seed")
            yield Static(
                f"New values for all {n_tokens}×{n_dims} embeddings from a torch.nn.Embedding drawn "
                "under this seed; tokens and query stay, equal tokens get equal rows. u undoes.",
                classes="dialog-note",
            )
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False

    @on(Input.Submitted)
    def _randomise(self) -> None:
        try:
            seed = parse_seed(self.query_one("#seed", Input).value)
        except ScenarioError as error:
            self._refuse(error)
            return
        self.close(seed)


def _preset_prompt(preset: Preset) -> Group:
    """The name in bold, the lesson indented under it (wrapped lines too)."""
    return Group(Text(preset.name, style="bold"), Padding(Text(preset.lesson, style="dim"), (0, 0, 0, 2)))


class PresetDialog(_Dialog):
    """Pick one of the ready-made scenarios."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body") as body:
            body.border_title = "Presets"
            body.border_subtitle = "↑↓ choose · Enter loads · Esc cancels"
            yield OptionList(
                *(Option(_preset_prompt(preset), id=preset.key) for preset in PRESETS),
                id="presets",
            )

    @on(OptionList.OptionSelected)
    def _pick(self, event: OptionList.OptionSelected) -> None:
        self.close(PRESETS[event.option_index])

