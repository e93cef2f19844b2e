"""A mechanism's parameters: its editable weight matrices and settings — plain Python, immutable.

The embeddings belong to every mechanism; anything else a mechanism lets a person edit (3.4's W_q,
W_k and W_v, a seed, d_out, a dropout rate) is a named value in :class:`Parameters`. Matrices are
:class:`WeightMatrix` values whose rows can follow the embedding dimensions (d_in), so that
inserting or deleting a dimension keeps every matrix consistent without knowing which mechanism
it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Union

from attn_tui.core.quoting import quote
from attn_tui.core.scenario import ScenarioError, check_value


@dataclass(frozen=True)
class WeightMatrix:
    """A matrix a person can edit, e.g. W_q (d_in×d_out), used as x·W."""

    rows: tuple[tuple[float, ...], ...]
    follows_inputs: bool = True
    """One row per embedding dimension: inserting a dimension inserts a row of zeros (a zero input
    changes no product), deleting one deletes its row."""

    def __post_init__(self) -> None:
        rows = tuple(tuple(check_value(v, lambda: f"row {i + 1}, column {k + 1} ({quote(v)})") for k, v in enumerate(row)) for i, row in enumerate(self.rows))
        if not rows or not rows[0]:
            raise ScenarioError("a weight matrix needs at least one row and one column")
        if any(len(row) != len(rows[0]) for row in rows):
            raise ScenarioError("a weight matrix must be rectangular")
        object.__setattr__(self, "rows", rows)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])

    def with_value(self, row: int, column: int, value: float) -> WeightMatrix:
        """A copy with one value replaced; the other rows are shared, not copied."""
        n_rows, n_columns = self.shape
        if not (0 <= row < n_rows and 0 <= column < n_columns):
            raise ScenarioError(f"no cell at row {row + 1}, column {column + 1}")
        changed = list(self.rows[row])
        changed[column] = check_value(value)
        return _unchecked(self.rows[:row] + (tuple(changed),) + self.rows[row + 1 :], self.follows_inputs)

    def with_input_inserted(self, index: int) -> WeightMatrix:
        if not self.follows_inputs:
            return self
        return _unchecked(self.rows[:index] + ((0.0,) * self.shape[1],) + self.rows[index:], True)

    def with_input_deleted(self, index: int) -> WeightMatrix:
        if not self.follows_inputs:
            return self
        return _unchecked(self.rows[:index] + self.rows[index + 1 :], True)

    def to_json(self) -> dict[str, Any]:
        return {"matrix": [list(row) for row in self.rows], "follows_inputs": self.follows_inputs}


def _unchecked(rows: tuple[tuple[float, ...], ...], follows_inputs: bool) -> WeightMatrix:
    # The values were checked when they entered: an edit of one cell of a 768×64 matrix must not
    # check 49,152 numbers again.
    matrix = object.__new__(WeightMatrix)
    object.__setattr__(matrix, "rows", rows)
    object.__setattr__(matrix, "follows_inputs", follows_inputs)
    return matrix


Value = Union[WeightMatrix, bool, int, float, str]


@dataclass(frozen=True)
class Parameters(Mapping[str, Value]):
    """Named values, immutable and hashable; updates return a copy."""

    items_: tuple[tuple[str, Value], ...] = ()

    def __post_init__(self) -> None:
        for name, value in self.items_:
            if not isinstance(name, str) or not name:
                raise ScenarioError(f"a parameter's name must be text, not {quote(name)}")
            if not isinstance(value, (WeightMatrix, bool, int, float, str)):
                raise ScenarioError(f"parameter {quote(name)} has an unsupported value {quote(value)}")

    @classmethod
    def of(cls, **values: Value) -> Parameters:
        return cls(tuple(values.items()))

    def __getitem__(self, name: str) -> Value:
        for key, value in self.items_:
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def matrix(self, name: str) -> WeightMatrix:
        value = self[name]
        if not isinstance(value, WeightMatrix):
            raise ScenarioError(f"parameter {quote(name)} is not a matrix")
        return value

    def replacing(self, name: str, value: Value) -> Parameters:
        """A copy with ``name`` set to ``value`` (added at the end if new)."""
        if name in self:
            return Parameters(tuple((key, value if key == name else old) for key, old in self.items_))
        return Parameters(self.items_ + ((name, value),))

    def map_matrices(self, change: Any) -> Parameters:
        """A copy with ``change(matrix)`` for every matrix (scalars kept)."""
        return Parameters(tuple((key, change(value) if isinstance(value, WeightMatrix) else value) for key, value in self.items_))

    def to_json(self) -> dict[str, Any]:
        return {key: value.to_json() if isinstance(value, WeightMatrix) else value for key, value in self.items_}

    @classmethod
    def from_json(cls, data: Any) -> Parameters:
        if not isinstance(data, dict):
            raise ScenarioError(f'"parameters" must be an object, not {type(data).__name__}')
        items = []
        for name, value in data.items():
            if isinstance(value, dict):
                if "matrix" not in value:
                    raise ScenarioError(f'parameter {quote(name)}: an object needs a "matrix" field')
                follows = value.get("follows_inputs", True)
                if not isinstance(follows, bool):
                    raise ScenarioError(f'parameter {quote(name)}: "follows_inputs" must be true or false')
                rows = value["matrix"]
                if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                    raise ScenarioError(f'parameter {quote(name)}: "matrix" must be a list of rows')
                try:
                    items.append((name, WeightMatrix(tuple(tuple(row) for row in rows), follows)))
                except ScenarioError as error:
                    raise ScenarioError(f"{name}: {error}") from None
            elif isinstance(value, (bool, int, float, str)):
                if isinstance(value, float):
                    check_value(value, f"parameter {quote(name)}")
                items.append((name, value))
            else:
                raise ScenarioError(f"parameter {quote(name)} has an unsupported value")
        return cls(tuple(items))
