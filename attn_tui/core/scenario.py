"""What a person edits: tokens, their embeddings and the query — plain Python, no torch, no Textual.

A :class:`Scenario` is immutable; every edit returns a new one, so undo, the walkthrough and a
future per-client SSH session can hold scenarios without copying. Any invalid value raises
:class:`ScenarioError`, whose message is written for the user.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Sequence

from attn_tui.core.quoting import quote

SCHEMA_VERSION = 2
"""Version 2 added the mechanism and its parameters; version-1 files are simple attention."""
READABLE_VERSIONS = (1, 2)
FLOAT32_MAX = 3.4028234663852886e38
"""The largest float32. Embeddings are computed in float32."""
_FLOAT32_OVERFLOW = 2.0**128 * (1 - 2.0**-25)
"""From here on a value rounds to inf in float32 (smaller ones round to at most FLOAT32_MAX)."""


class ScenarioError(ValueError):
    """An invalid scenario, value or file. The message is meant to be shown to the user as is."""


def parse_number(text: str) -> float:
    """Parse what a person typed into a cell; refuse anything that is not a finite float32."""
    stripped = text.strip()
    if not stripped:
        raise ScenarioError("empty: type a number, e.g. 0.55")
    try:
        value = float(stripped)
    except ValueError:
        raise ScenarioError(f"{quote(stripped)} is not a number (try e.g. 0.55 or -1e-3)") from None
    return check_value(value, what=quote(stripped))


def check_value(value: Any, what: str | Callable[[], str] | None = None) -> float:
    """Return ``value`` as a float if it is a finite number that float32 can hold.

    ``what`` names the value in the error (its quoted text if not given); a callable is only called
    for an error: a 512×768 scenario checks 393,216 values, and quoting each took seconds.
    """
    if type(value) is float and -_FLOAT32_OVERFLOW < value < _FLOAT32_OVERFLOW:
        return value  # nearly every value: no further test (NaN and ±inf fail the comparison)
    what = (what() if callable(what) else what) or quote(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"{what} is not a number")
    try:
        value = float(value)  # a huge int raises OverflowError here
    except OverflowError:
        value = math.inf
    else:
        if not math.isfinite(value):
            raise ScenarioError(f"{what} is not a finite number")
    if abs(value) >= _FLOAT32_OVERFLOW:
        # float32 would silently turn it into inf.
        raise ScenarioError(f"{what} is too large: float32 holds at most ±3.4e38")
    return value


# Imported here, not at the top: parameters.py needs ScenarioError and check_value from above.
from attn_tui.core.parameters import Parameters, WeightMatrix  # noqa: E402

DEFAULT_MECHANISM = "simple"
"""Section 3.3, the mechanism of every version-1 file."""
EMBEDDINGS = "X"
"""The name the embeddings go by among a mechanism's matrices (see :meth:`Scenario.matrix`)."""


def _check_parameters_fit(parameters: Any, width: int) -> None:
    """The mechanism's weight matrices that take the embeddings as input have one row per
    embedding dimension (their values were checked when each matrix was made)."""
    if not isinstance(parameters, Parameters):
        raise ScenarioError("parameters must be a Parameters mapping")
    for name, value in parameters.items():
        if isinstance(value, WeightMatrix) and value.follows_inputs and value.shape[0] != width:
            raise ScenarioError(f"{name} has {value.shape[0]} rows but the embeddings have {width} dimensions")


@dataclass(frozen=True)
class Scenario:
    """Tokens with one embedding row each, which token is the query, and the mechanism that
    attends over them with its parameters."""

    tokens: tuple[str, ...]
    """Token labels, in sentence order."""
    embeddings: tuple[tuple[float, ...], ...]
    """One row per token, one column per embedding dimension."""
    query: int = 0
    """Index of the query token (0-based)."""
    mechanism: str = DEFAULT_MECHANISM
    """The mechanism's name in the registry (:mod:`attn_tui.mechanisms`), e.g. "trainable"."""
    parameters: Parameters = Parameters()
    """The mechanism's weight matrices and settings; empty for simple attention."""

    def __post_init__(self) -> None:
        tokens = tuple(_check_label(label, i) for i, label in enumerate(_as_sequence(self.tokens, "tokens")))
        rows = tuple(
            tuple(check_value(v, lambda: f"token {i + 1}, dimension {k + 1} ({quote(v)})") for k, v in enumerate(_as_sequence(row, f"row {i + 1}")))
            for i, row in enumerate(_as_sequence(self.embeddings, "embeddings"))
        )
        if not tokens:
            raise ScenarioError("a scenario needs at least one token")
        if len(rows) != len(tokens):
            raise ScenarioError(f"{len(tokens)} tokens but {len(rows)} embedding rows")
        width = len(rows[0])
        if width == 0:
            raise ScenarioError("embeddings need at least one dimension")
        for i, row in enumerate(rows):
            if len(row) != width:
                raise ScenarioError(f"ragged embeddings: row 1 has {width} values, row {i + 1} has {len(row)}")
        if isinstance(self.query, bool) or not isinstance(self.query, int):
            raise ScenarioError(f"query must be a token index, not {quote(self.query)}")
        if not 0 <= self.query < len(tokens):
            raise ScenarioError(f"query {self.query + 1} is out of range: there are {len(tokens)} tokens")
        if not isinstance(self.mechanism, str) or not self.mechanism:
            raise ScenarioError(f"mechanism must be a name, not {self.mechanism!r}")
        _check_parameters_fit(self.parameters, width)
        # Normalise lists to tuples so scenarios hash and compare by value.
        object.__setattr__(self, "tokens", tokens)
        object.__setattr__(self, "embeddings", rows)

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def n_dims(self) -> int:
        return len(self.embeddings[0])

    @property
    def query_token(self) -> str:
        return self.tokens[self.query]

    # --- immutable updates ---

    def with_value(self, token: int, dim: int, value: float) -> Scenario:
        """A copy with one embedding value replaced; the other rows are shared, not copied."""
        self._check_cell(token, dim)
        row = list(self.embeddings[token])
        row[dim] = check_value(value)
        rows = list(self.embeddings)
        rows[token] = tuple(row)
        return self._validated_copy(embeddings=tuple(rows))

    def with_query(self, index: int) -> Scenario:
        """A copy with another query token."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.n_tokens:
            return replace(self, query=index)  # full validation, for its message
        return self._validated_copy(query=index)

    def with_query_step(self, step: int) -> Scenario:
        """A copy with the query moved ``step`` tokens on, wrapping around."""
        return self.with_query((self.query + step) % self.n_tokens)

    def with_label(self, token: int, label: str) -> Scenario:
        """A copy with one token renamed."""
        self._check_cell(token, 0)
        tokens = list(self.tokens)
        tokens[token] = _check_label(label, token)
        return self._validated_copy(tokens=tuple(tokens))

    def with_mechanism(self, mechanism: str, parameters: Parameters = Parameters()) -> Scenario:
        """A copy attended over by another mechanism; tokens, embeddings and query stay."""
        if not isinstance(mechanism, str) or not mechanism:
            return replace(self, mechanism=mechanism)  # full validation, for its message
        _check_parameters_fit(parameters, self.n_dims)
        return self._validated_copy(mechanism=mechanism, parameters=parameters)

    def with_parameter(self, name: str, value: Any) -> Scenario:
        """A copy with one parameter of the mechanism set (a matrix, d_out, a seed …)."""
        parameters = self.parameters.replacing(name, value)
        _check_parameters_fit(parameters, self.n_dims)
        return self._validated_copy(parameters=parameters)

    def matrix(self, name: str) -> tuple[tuple[float, ...], ...]:
        """The rows of the embeddings (``EMBEDDINGS``) or of one of the mechanism's matrices."""
        return self.embeddings if name == EMBEDDINGS else self.parameters.matrix(name).rows

    def with_matrix_value(self, name: str, row: int, column: int, value: float) -> Scenario:
        """A copy with one number of the embeddings or of a weight matrix replaced."""
        if name == EMBEDDINGS:
            return self.with_value(row, column, value)
        matrix = self.parameters.matrix(name).with_value(row, column, value)
        return self._validated_copy(parameters=self.parameters.replacing(name, matrix))

    def _validated_copy(self, **changes: Any) -> Scenario:
        """A copy with ``changes`` the caller has already validated.

        Checking every value again would make one edit of a 512×768 matrix cost 400,000 checks;
        the unchanged parts were checked when this scenario was made.
        """
        copy = object.__new__(Scenario)
        for name in ("tokens", "embeddings", "query", "mechanism", "parameters"):
            object.__setattr__(copy, name, changes.get(name, getattr(self, name)))
        return copy

    def _check_cell(self, token: int, dim: int) -> None:
        if not (0 <= token < self.n_tokens and 0 <= dim < self.n_dims):
            raise ScenarioError(f"no cell at token {token + 1}, dimension {dim + 1}")

    # --- inserting and deleting tokens and dimensions ---

    def with_token_inserted(self, index: int, label: str | None = None) -> Scenario:
        """A copy with a new token at ``index`` (0 … n_tokens), its embedding all zeros.

        Without a ``label`` it gets the first free name of the form t7. The query stays on its
        token, wherever that moves.
        """
        if not 0 <= index <= self.n_tokens:
            raise ScenarioError(f"cannot insert a token at position {index + 1}: there are {self.n_tokens} tokens")
        label = self.free_label() if label is None else label
        tokens = self.tokens[:index] + (label,) + self.tokens[index:]
        rows = self.embeddings[:index] + ((0.0,) * self.n_dims,) + self.embeddings[index:]
        query = self.query + 1 if self.query >= index else self.query
        return replace(self, tokens=tokens, embeddings=rows, query=query)

    def with_token_deleted(self, index: int) -> Scenario:
        """A copy without token ``index``. The query stays on its token; if that is the one
        deleted, the query moves to the token that takes its place (or the new last one)."""
        if not 0 <= index < self.n_tokens:
            raise ScenarioError(f"no token {index + 1}: there are {self.n_tokens}")
        if self.n_tokens == 1:
            raise ScenarioError("cannot delete the only token: a scenario needs at least one")
        query = self.query - 1 if self.query > index else min(self.query, self.n_tokens - 2)
        return replace(
            self,
            tokens=self.tokens[:index] + self.tokens[index + 1 :],
            embeddings=self.embeddings[:index] + self.embeddings[index + 1 :],
            query=query,
        )

    def with_dimension_inserted(self, index: int) -> Scenario:
        """A copy with a new embedding dimension at ``index`` (0 … n_dims), all zeros.

        A zero column changes no dot product: scores, weights and context keep their values.
        """
        if not 0 <= index <= self.n_dims:
            raise ScenarioError(f"cannot insert a dimension at position {index + 1}: there are {self.n_dims}")
        return replace(
            self,
            embeddings=tuple(row[:index] + (0.0,) + row[index:] for row in self.embeddings),
            parameters=self.parameters.map_matrices(lambda matrix: matrix.with_input_inserted(index)),
        )

    def with_dimension_deleted(self, index: int) -> Scenario:
        """A copy without embedding dimension ``index``."""
        if not 0 <= index < self.n_dims:
            raise ScenarioError(f"no dimension {index + 1}: there are {self.n_dims}")
        if self.n_dims == 1:
            raise ScenarioError("cannot delete the only dimension: embeddings need at least one")
        return replace(
            self,
            embeddings=tuple(row[:index] + row[index + 1 :] for row in self.embeddings),
            parameters=self.parameters.map_matrices(lambda matrix: matrix.with_input_deleted(index)),
        )

    def with_embeddings(self, embeddings: Sequence[Sequence[float]]) -> Scenario:
        """A copy with every embedding replaced; the tokens, the query and the mechanism stay.

        Weight matrices whose rows follow the embedding dimensions are kept while the dimension is
        the same; with another, the mechanism's parameters are dropped (its defaults apply again).
        """
        width = len(embeddings[0]) if embeddings and len(embeddings[0]) else self.n_dims
        keep = width == self.n_dims
        return replace(self, embeddings=embeddings, parameters=self.parameters if keep else Parameters())

    def free_label(self) -> str:
        """A label no token has yet: t{n+1}, or the next free number after it."""
        taken = set(self.tokens)
        number = self.n_tokens + 1
        while f"t{number}" in taken:
            number += 1
        return f"t{number}"

    # --- (de)serialisation ---

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "tokens": list(self.tokens),
            "embeddings": [list(row) for row in self.embeddings],
            "query": self.query,
            "mechanism": self.mechanism,
            "parameters": self.parameters.to_json(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError(f"expected a JSON object, got {type(data).__name__}")
        if "version" not in data:
            raise ScenarioError(f'no "version" field: not an attn-tui scenario (those have "version": {SCHEMA_VERSION})')
        version = data.get("version")
        if type(version) is not int or version not in READABLE_VERSIONS:
            raise ScenarioError(f"unsupported schema version {quote(version)} (this attn-tui reads versions 1 and {SCHEMA_VERSION})")
        missing = [key for key in ("tokens", "embeddings") if key not in data]
        if missing:
            raise ScenarioError(f"missing field(s): {', '.join(missing)}")
        if version == 1:  # before mechanisms: simple attention, whatever else the file holds
            return cls(tokens=data["tokens"], embeddings=data["embeddings"], query=data.get("query", 0))
        return cls(
            tokens=data["tokens"],
            embeddings=data["embeddings"],
            query=data.get("query", 0),
            mechanism=data.get("mechanism", DEFAULT_MECHANISM),
            parameters=Parameters.from_json(data.get("parameters", {})),
        )


def _as_sequence(value: Any, what: str) -> Sequence[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ScenarioError(f"{what} must be a list")
    return tuple(value)


_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d"), "j")
"""Zero-width (non-)joiners are format characters, not printable, yet part of words (Persian,
Indic scripts) and of emoji such as 👩‍💻: a label may hold them."""
MAX_LABEL_LENGTH = 40
"""Longer labels would squeeze the numbers out of the grid and the panels."""


def _check_label(label: Any, index: int) -> str:
    if not isinstance(label, str):
        raise ScenarioError(f"token {index + 1} must be text, not {quote(label)}")
    # NFC: "Tiếng" typed with combining accents and "Tiếng" precomposed are one label, drawn alike.
    label = unicodedata.normalize("NFC", label.strip())
    if not label:
        raise ScenarioError(f"token {index + 1} has an empty label")
    if not label.translate(_JOINERS).isprintable():
        # A tab or newline inside a label would break the grid's and the panels' lines.
        raise ScenarioError(f"token {index + 1} ({quote(label)}) contains a control character")
    if len(label) > MAX_LABEL_LENGTH:
        raise ScenarioError(f"token {index + 1} is {len(label)} characters long: at most {MAX_LABEL_LENGTH}")
    return label


SEED_EXAMPLE = Scenario(
    tokens=("Your", "journey", "starts", "with", "one", "step"),
    embeddings=(
        (0.43, 0.15, 0.89),
        (0.55, 0.87, 0.66),
        (0.57, 0.85, 0.64),
        (0.22, 0.58, 0.33),
        (0.77, 0.25, 0.10),
        (0.05, 0.80, 0.55),
    ),
    query=1,
)
"""The seed's example: "Your journey starts with one step", query "journey"."""


def seeded_scenario(n_tokens: int, n_dims: int, seed: int = 0) -> Scenario:
    """A reproducible n×d scenario of random embeddings in [-1, 1), e.g. to try large sizes."""
    rng = random.Random(seed)
    return Scenario(
        tokens=tuple(f"t{i + 1}" for i in range(n_tokens)),
        embeddings=tuple(tuple(round(rng.uniform(-1.0, 1.0), 4) for _ in range(n_dims)) for _ in range(n_tokens)),
        query=min(1, n_tokens - 1),
    )
