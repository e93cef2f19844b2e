"""What a mechanism declares: one section of chapter 3 as a unit the app plugs in.

A mechanism says what it is (name, section, title), which matrices a person may edit besides the
embeddings, how to compute its numbers (pure torch), its walkthrough, its panels and matrix view (the
only Textual pieces, imported when the app asks for them), its export snippet and CSV. The app knows
mechanisms only through this class and the registry in :mod:`attn_tui.mechanisms`: adding one
touches neither the app class nor the other mechanisms.

Importing this module loads neither torch nor Textual, so the command line, the file reader and the
registry can name mechanisms before either has loaded.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence, Union

from attn_tui.core.parameters import Parameters
from attn_tui.core.scenario import ScenarioError

if TYPE_CHECKING:
    from attn_tui.core.scenario import Scenario
    from attn_tui.core.walkthrough import Walkthrough


@dataclass(frozen=True)
class MatrixSpec:
    """A matrix the grid can show and edit, besides the embeddings."""

    name: str
    """The parameter's name in the scenario, e.g. "W_q"."""
    title: str
    """What the grid's border says, e.g. "W_q  query weights (d_in×d_out)"."""
    row_label: str = "in"
    """Rows are labelled "in 1", "in 2" …: one per embedding dimension."""
    column_label: str = "out"


@dataclass(frozen=True)
class Initialisation:
    """A way to fill the weight matrices, as the book does it (e.g. torch.rand after a seed)."""

    name: str
    description: str
    default_seed: int


@dataclass(frozen=True)
class Parts:
    """Where a mechanism's pieces are: "module:name", the module absolute or, with a leading dot,
    in :attr:`package` (e.g. ".compute:analyse"). Each is imported the first time the app asks for
    it, so declaring a mechanism imports neither torch nor Textual."""

    package: str
    """The mechanism's package, which the relative paths start from (its ``__name__``)."""
    analyse: str
    """``analyse(scenario, previous)``: every number the views show (torch)."""
    walkthrough: str
    """``build_walkthrough(analysis)``: the walk's steps (plain data)."""
    panels: tuple[str, ...]
    """The single-query panels' widget classes, top to bottom (Textual)."""
    matrix_view: str
    """The every-query-at-once panel's widget class (Textual)."""
    python_snippet: str
    """``python_snippet(scenario)``: the export's torch code."""
    panels_csv: str
    """``panels_csv(analysis, every_query=…)``: the panels' numbers as CSV."""
    vector_spaces: str = ""
    """``vector_spaces(analysis, progress)``: what the vector plot draws; none when empty."""

    def load(self, path: str) -> Any:
        module, _, name = path.partition(":")
        return getattr(importlib.import_module(module, self.package), name)


SettingValue = Union[bool, int, float]


@dataclass(frozen=True)
class Setting:
    """A number or switch a mechanism lets a person set besides its matrices (3.5's dropout p, its
    seed, training or evaluation), kept in the scenario's parameters under :attr:`name` so that
    files, undo and redo keep it like any other edit. The kind follows :attr:`default`'s type."""

    name: str
    """The parameter's name, e.g. "dropout_p"."""
    label: str
    """What the settings dialog calls it, e.g. "dropout p"."""
    default: SettingValue
    low: float = 0
    """The smallest value accepted (numbers only)."""
    high: float = 0
    """The largest value accepted (numbers only)."""
    help: str = ""
    """One line on what it does, under the field."""

    def parse(self, text: str) -> SettingValue:
        """The value typed for this setting; ScenarioError says what is wrong with it."""
        stripped = text.strip().lower()
        if isinstance(self.default, bool):
            if stripped in ("on", "yes", "true", "1", "training"):
                return True
            if stripped in ("off", "no", "false", "0", "eval", "evaluation"):
                return False
            raise ScenarioError(f"{self.label} is on or off, not {text.strip()[:40]!r}")
        try:
            value: SettingValue = int(stripped) if isinstance(self.default, int) else float(stripped)
        except ValueError:
            kind = "a whole number" if isinstance(self.default, int) else "a number"
            raise ScenarioError(f"{self.label} must be {kind}, not {text.strip()[:40]!r}") from None
        if not self.low <= value <= self.high:
            raise ScenarioError(f"{self.label} must be from {self.low:g} to {self.high:g}, not {value:g}")
        return value

    def accepted(self, value: object) -> SettingValue:
        """``value`` as this setting's kind, or the default when a hand-written file gave a value
        of another kind or out of range (a file is read before any mechanism knows its settings)."""
        if isinstance(self.default, bool):
            return value if isinstance(value, bool) else self.default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not self.low <= value <= self.high:
            return self.default
        if isinstance(self.default, int):
            return value if isinstance(value, int) else self.default
        return float(value)

    def shown(self, value: SettingValue) -> str:
        """The value as the dialog and messages write it."""
        if isinstance(value, bool):
            return "on" if value else "off"
        return f"{value:g}"


@dataclass(frozen=True)
class Mechanism:
    """One section of the chapter. Its :attr:`parts` name the functions and widgets that need torch
    or Textual; a subclass adds what its weights and settings need (initialisation, d_out)."""

    name: str
    """Its name in the registry, saved files and ``--mechanism``, e.g. "trainable"."""
    section: str
    """The book's section, e.g. "3.4"; also accepted by ``--mechanism``."""
    title: str
    """e.g. "simple self-attention"; the header shows "simple self-attention · Raschka ch. 3.3"."""
    summary: str
    """What sets it apart, in a few words, e.g. "no trainable weights"."""
    matrices: tuple[MatrixSpec, ...] = field(default=())
    """Matrices a person edits besides the embeddings, in the order the grid cycles through them."""
    compares: str = ""
    """What `c` puts side by side in this mechanism, for the help and the palette."""
    compare_note: str = ""
    """Why the comparison matters, said in one line when `c` turns it on."""
    initialisations: tuple[Initialisation, ...] = field(default=())
    """How the weights can be filled anew (the weights dialog); none without weights."""
    max_d_out: int = 0
    """The largest d_out the weights dialog accepts."""
    settings: tuple[Setting, ...] = field(default=())
    """Its settings besides the matrices, edited in the settings dialog (o); none for most."""
    redraw_setting: str = ""
    """A seed setting whose next value re-draws something random (3.5: the dropout mask), on a
    key of its own; empty when there is nothing to re-draw."""
    redraw_note: str = ""
    """What re-drawing does, said when the key is pressed."""
    switch_setting: str = ""
    """An on/off setting flipped by a key of its own (3.5: training or evaluation)."""
    switch_note: str = ""
    """What the switch does, said when the key is pressed."""
    cycle_setting: str = ""
    """A whole-number setting from 1 to the value of :attr:`cycle_limit_setting` that a key of its
    own steps through, wrapping around (3.6: the head shown)."""
    cycle_limit_setting: str = ""
    parts: Parts | None = None
    """Its computation, walk, views and exports (see :class:`Parts`)."""

    @property
    def heading(self) -> str:
        return f"{self.title} · Raschka ch. {self.section}"

    # --- numbers (torch) ---

    def default_parameters(self, scenario: Scenario) -> Parameters:
        """The parameters this mechanism opens with for ``scenario``'s embeddings (the book's)."""
        return Parameters()

    def setting(self, scenario: Scenario, name: str) -> SettingValue:
        """The value of setting ``name`` in ``scenario`` (its default when a file left it out)."""
        spec = next(spec for spec in self.settings if spec.name == name)
        return spec.accepted(scenario.parameters.get(name, spec.default))

    def check_settings(self, scenario: Scenario, values: dict[str, SettingValue]) -> None:
        """Refuse settings that do not go together (ScenarioError), beyond each one's own range."""

    def with_settings(self, scenario: Scenario, values: dict[str, SettingValue]) -> Parameters:
        """``scenario``'s parameters with ``values`` set (checked by :meth:`check_settings`); a
        mechanism may change its matrices to follow (3.6: a head more or less)."""
        parameters = scenario.parameters
        for name, value in values.items():
            parameters = parameters.replacing(name, value)
        return parameters

    def matrix_specs(self, scenario: Scenario) -> tuple[MatrixSpec, ...]:
        """The matrices ``scenario`` has for the grid to show, in order (3.6's depend on the
        variant and the number of heads); :attr:`matrices` by default."""
        return self.matrices

    def needs_parameters(self, scenario: Scenario) -> bool:
        """True when ``scenario`` lacks parameters this mechanism needs (a fresh switch, a new d_in)."""
        return any(spec.name not in scenario.parameters for spec in self.matrix_specs(scenario))

    def initialise(self, scenario: Scenario, initialisation: str, seed: int, d_out: int) -> Parameters:
        """New weights for ``scenario``'s embedding width (torch): ``initialisation`` is one of
        :attr:`initialisations`."""
        raise NotImplementedError

    def d_out(self, scenario: Scenario) -> int:
        """The current width of the weights (0 without weights)."""
        return 0

    def analyse(self, scenario: Scenario, previous: Any = None) -> Any:
        """Every number the views show, computed once per change; ``previous`` saves work."""
        return self._part("analyse")(scenario, previous)

    # --- the walk (plain data) ---

    def walkthrough(self, analysis: Any) -> Walkthrough:
        return self._part("walkthrough")(analysis)

    # --- views (Textual, imported on demand) ---

    def panels(self) -> Sequence[type]:
        """The single-query panels, top to bottom (widget classes)."""
        return tuple(self._parts().load(path) for path in self._parts().panels)

    def matrix_view(self) -> type:
        """The every-query-at-once panel (a widget class)."""
        return self._part("matrix_view")

    def vector_spaces(self, analysis: Any, progress: Any = None) -> tuple[Any, ...]:
        """What the vector plot (v) draws: :class:`~attn_tui.core.plot_data.VectorSpace` s of named
        point sets, limited to what a walk's ``progress`` has reached; none, and the plot says so."""
        return self._part("vector_spaces")(analysis, progress) if self._parts().vector_spaces else ()

    # --- exports ---

    def python_snippet(self, scenario: Scenario) -> str:
        return self._part("python_snippet")(scenario)

    def panels_csv(self, analysis: Any, *, every_query: bool = False) -> str:
        return self._part("panels_csv")(analysis, every_query=every_query)

    def _parts(self) -> Parts:
        if self.parts is None:
            raise NotImplementedError(f"mechanism {self.name} declares no parts")
        return self.parts

    def _part(self, name: str) -> Any:
        parts = self._parts()
        return parts.load(getattr(parts, name))
