"""The editable scenario (attn_tui.core.scenario): parsing typed numbers, immutable edits,
validation that raises only ScenarioError, and JSON (de)serialisation."""

from __future__ import annotations

import json
import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_tui.core.scenario import FLOAT32_MAX, SCHEMA_VERSION, SEED_EXAMPLE, Scenario, ScenarioError, parse_number
from attn_tui.core.parameters import Parameters, WeightMatrix
from strategies import labels

SEED_TOKENS = ("Your", "journey", "starts", "with", "one", "step")


def assert_refused(action, *fragments: str) -> ScenarioError:
    """``action()`` raises ScenarioError, not any other exception, with each fragment in its message."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - any other type is the failure being tested for
        assert isinstance(exc, ScenarioError), f"expected ScenarioError, got {type(exc).__name__}: {exc}"
        for fragment in fragments:
            assert fragment in str(exc)
        return exc
    pytest.fail("accepted without a ScenarioError")


def test_scenario_error_is_a_value_error():
    """Callers catching ValueError also catch scenario problems."""
    assert issubclass(ScenarioError, ValueError)


def test_seed_example_is_the_books_sentence():
    """The starting scenario: "Your journey starts with one step", query "journey", 3 dims."""
    assert SEED_EXAMPLE.tokens == SEED_TOKENS
    assert (SEED_EXAMPLE.n_tokens, SEED_EXAMPLE.n_dims) == (6, 3)
    assert SEED_EXAMPLE.query == 1
    assert SEED_EXAMPLE.query_token == "journey"
    assert SEED_EXAMPLE.embeddings[1] == (0.55, 0.87, 0.66)


# --- parse_number ----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("0.5", 0.5), (" -1e-3 ", -0.001), ("2", 2.0)])
def test_parse_number_accepts(text, value):
    """What a person types into a cell, surrounding spaces allowed."""
    parsed = parse_number(text)
    assert parsed == value and type(parsed) is float


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("abc", "abc"),
        ("", None),
        ("   ", None),
        ("nan", "nan"),
        ("inf", "inf"),
        ("-inf", "-inf"),
        ("1e999", "1e999"),
        ("--1", "--1"),
        ("1e39", "1e39"),  # finite in float64, too large for float32
    ],
)
def test_parse_number_refuses(text, shown):
    """Anything that is not a finite float32 is refused, naming what was typed."""
    assert_refused(lambda: parse_number(text), *([shown] if shown else []))


# --- immutable updates -----------------------------------------------------------------------


def test_with_value_returns_a_new_scenario():
    """Editing a cell leaves the original untouched and changes only that cell."""
    edited = SEED_EXAMPLE.with_value(2, 1, -0.5)
    assert edited is not SEED_EXAMPLE
    assert edited.embeddings[2] == (0.57, -0.5, 0.64)
    assert SEED_EXAMPLE.embeddings[2] == (0.57, 0.85, 0.64)
    assert edited.embeddings[:2] == SEED_EXAMPLE.embeddings[:2]
    assert (edited.tokens, edited.query) == (SEED_EXAMPLE.tokens, SEED_EXAMPLE.query)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e39, True, "0.5", None])
def test_with_value_refuses_bad_values(value):
    """An edit is validated like the constructor's values."""
    assert_refused(lambda: SEED_EXAMPLE.with_value(0, 0, value))


def test_with_query_returns_a_new_scenario():
    """Choosing another query leaves the original's query as it was."""
    edited = SEED_EXAMPLE.with_query(4)
    assert (edited.query, edited.query_token) == (4, "one")
    assert SEED_EXAMPLE.query == 1


@pytest.mark.parametrize(("start", "step", "expected"), [(1, 1, 2), (5, 1, 0), (0, -1, 5), (1, -3, 4), (1, 6, 1)])
def test_with_query_step_wraps_around(start, step, expected):
    """Stepping the query past either end wraps to the other end."""
    assert SEED_EXAMPLE.with_query(start).with_query_step(step).query == expected


def test_with_label_strips_whitespace():
    """A renamed token is stored without surrounding spaces; the original keeps its label."""
    edited = SEED_EXAMPLE.with_label(5, "  stride \t")
    assert edited.tokens == SEED_TOKENS[:5] + ("stride",)
    assert SEED_EXAMPLE.tokens == SEED_TOKENS


@pytest.mark.parametrize("label", ["", "   ", 7, None])
def test_with_label_refuses_empty_or_non_text(label):
    """A token needs a visible text label."""
    assert_refused(lambda: SEED_EXAMPLE.with_label(0, label))


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.with_value(6, 0, 1.0),
        lambda s: s.with_value(-1, 0, 1.0),
        lambda s: s.with_value(0, 3, 1.0),
        lambda s: s.with_value(0, -1, 1.0),
        lambda s: s.with_query(6),
        lambda s: s.with_query(-1),
        lambda s: s.with_label(6, "x"),
        lambda s: s.with_label(-1, "x"),
    ],
    ids=["token 6", "token -1", "dim 3", "dim -1", "query 6", "query -1", "label 6", "label -1"],
)
def test_edits_at_bad_indices_are_refused(edit):
    """No negative-index wrap-around and no out-of-range cell: ScenarioError."""
    assert_refused(lambda: edit(SEED_EXAMPLE))


def test_value_equality_hashing_and_tuple_normalisation():
    """Lists become tuples (ints become floats), so equal scenarios compare and hash equal."""
    from_lists = Scenario(tokens=list(SEED_TOKENS), embeddings=[list(row) for row in SEED_EXAMPLE.embeddings], query=1)
    assert from_lists == SEED_EXAMPLE and hash(from_lists) == hash(SEED_EXAMPLE)
    assert len({from_lists, SEED_EXAMPLE}) == 1
    assert type(from_lists.tokens) is tuple
    assert type(from_lists.embeddings) is tuple and all(type(row) is tuple for row in from_lists.embeddings)
    assert from_lists != SEED_EXAMPLE.with_query(0)
    ints = Scenario(tokens=["a"], embeddings=[[1, 2]])
    assert ints.embeddings == ((1.0, 2.0),) and all(type(v) is float for v in ints.embeddings[0])


# --- validation ------------------------------------------------------------------------------

INVALID = {
    "no tokens": dict(tokens=(), embeddings=()),
    "rows != tokens": dict(tokens=("a", "b"), embeddings=((1.0,),)),
    "ragged rows": dict(tokens=("a", "b"), embeddings=((1.0, 2.0), (1.0,))),
    "zero dims": dict(tokens=("a",), embeddings=((),)),
    "non-numeric value": dict(tokens=("a",), embeddings=(("0.5",),)),
    "None value": dict(tokens=("a",), embeddings=((None,),)),
    "NaN value": dict(tokens=("a",), embeddings=((float("nan"),),)),
    "inf value": dict(tokens=("a",), embeddings=((float("inf"),),)),
    "-inf value": dict(tokens=("a",), embeddings=((float("-inf"),),)),
    "beyond float32": dict(tokens=("a",), embeddings=((-1e39,),)),
    "bool value": dict(tokens=("a",), embeddings=((True,),)),
    "query out of range": dict(tokens=("a",), embeddings=((1.0,),), query=1),
    "negative query": dict(tokens=("a",), embeddings=((1.0,),), query=-1),
    "float query": dict(tokens=("a",), embeddings=((1.0,),), query=0.0),
    "bool query": dict(tokens=("a",), embeddings=((1.0,),), query=False),
    "string query": dict(tokens=("a",), embeddings=((1.0,),), query="0"),
    "non-string label": dict(tokens=(1,), embeddings=((1.0,),)),
    "None label": dict(tokens=(None,), embeddings=((1.0,),)),
    "blank label": dict(tokens=("  ",), embeddings=((1.0,),)),
    "tokens as a string": dict(tokens="ab", embeddings=((1.0,), (2.0,))),
    "embeddings None": dict(tokens=("a",), embeddings=None),
    "row as a string": dict(tokens=("a",), embeddings=("1",)),
}


@pytest.mark.parametrize("fields", INVALID.values(), ids=INVALID.keys())
def test_invalid_scenario_raises_only_scenario_error(fields):
    """Every kind of bad scenario is refused with ScenarioError, never another exception."""
    assert_refused(lambda: Scenario(**fields))


HUGE_INT = 10**400  # what json.loads returns for a 401-digit integer literal


@pytest.mark.parametrize(
    "action",
    [
        lambda: Scenario(tokens=("a",), embeddings=((HUGE_INT,),)),
        lambda: SEED_EXAMPLE.with_value(0, 0, HUGE_INT),
        lambda: Scenario.from_dict(json.loads('{"version": 1, "tokens": ["a"], "embeddings": [[1%s]]}' % ("0" * 400))),
    ],
    ids=["constructor", "with_value", "from_dict(json)"],
)
def test_integer_too_large_for_float_is_a_scenario_error(action):
    """An int beyond float range (e.g. a long integer literal in a JSON file) is refused with
    ScenarioError like any too-large value, not the OverflowError that float() raises for it."""
    assert_refused(action)


# --- (de)serialisation -----------------------------------------------------------------------


def test_to_dict_layout():
    """The saved form: schema version, tokens, embeddings as lists, query, mechanism, parameters."""
    assert SEED_EXAMPLE.to_dict() == {
        "version": SCHEMA_VERSION,
        "tokens": list(SEED_TOKENS),
        "embeddings": [list(row) for row in SEED_EXAMPLE.embeddings],
        "query": 1,
        "mechanism": "simple",
        "parameters": {},
    }


def test_weight_matrices_round_trip_and_follow_the_embedding_dimensions():
    """A mechanism's matrices are saved with the scenario and keep one row per embedding dimension
    through inserting and deleting dimensions."""
    w = WeightMatrix(((0.5, -1.0), (2.0, 0.25), (1.5, 3.0)))
    scenario = SEED_EXAMPLE.with_mechanism("trainable", Parameters.of(W_q=w, W_k=w, W_v=w))
    assert Scenario.from_dict(json.loads(json.dumps(scenario.to_dict()))) == scenario
    wider = scenario.with_dimension_inserted(1)
    assert wider.matrix("W_q") == ((0.5, -1.0), (0.0, 0.0), (2.0, 0.25), (1.5, 3.0))
    assert wider.with_dimension_deleted(1) == scenario
    edited = scenario.with_matrix_value("W_k", 2, 1, 9.0)
    assert edited.matrix("W_k")[2] == (1.5, 9.0) and edited.matrix("W_q") is scenario.matrix("W_q")
    with pytest.raises(ScenarioError, match="W_q has 3 rows but the embeddings have 2 dimensions"):
        Scenario(("a",), ((1.0, 2.0),), mechanism="trainable", parameters=Parameters.of(W_q=w))
    with pytest.raises(ScenarioError, match="not a finite number"):
        scenario.with_matrix_value("W_v", 0, 0, float("nan"))


@pytest.mark.parametrize("through_json", [False, True], ids=["dict", "json"])
def test_round_trip(through_json):
    """Saving and loading gives back an equal scenario."""
    data = SEED_EXAMPLE.to_dict()
    if through_json:
        data = json.loads(json.dumps(data))
    assert Scenario.from_dict(data) == SEED_EXAMPLE


def _seed_dict(drop: str | None = None, **changes) -> dict:
    """The seed's saved form, with one key dropped and/or some keys changed."""
    data = {**SEED_EXAMPLE.to_dict(), **changes}
    data.pop(drop, None)
    return data


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "JSON object"),
        ("{}", "JSON object"),
        (None, "JSON object"),
        (_seed_dict(drop="version"), "version"),
        (_seed_dict(version=SCHEMA_VERSION + 1), "version"),
        (_seed_dict(version=str(SCHEMA_VERSION)), "version"),
        (_seed_dict(drop="tokens"), "tokens"),
        (_seed_dict(drop="embeddings"), "embeddings"),
        (_seed_dict(query=6), "query"),
    ],
    ids=["list", "string", "None", "no version", "newer version", "version as text", "no tokens", "no embeddings", "bad query"],
)
def test_from_dict_refuses(data, fragment):
    """A file that is not a scenario of this schema version is refused with a clear message."""
    assert_refused(lambda: Scenario.from_dict(data), fragment)


values = st.floats(min_value=-FLOAT32_MAX, max_value=FLOAT32_MAX, allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw) -> Scenario:
    n, d = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    rows = draw(st.lists(st.lists(values, min_size=d, max_size=d), min_size=n, max_size=n))
    return Scenario(tokens=draw(st.lists(labels, min_size=n, max_size=n)), embeddings=rows, query=draw(st.integers(0, n - 1)))


@settings(max_examples=60, deadline=None, database=None)
@given(scenarios())
def test_json_round_trip_of_random_scenarios(scenario):
    """Any valid scenario survives to_dict → JSON text → from_dict unchanged."""
    assert Scenario.from_dict(json.loads(json.dumps(scenario.to_dict()))) == scenario


# --- float32's largest value, exactly -------------------------------------------------------

FLOAT32_ROUNDS_TO_INF = 2.0**128 * (1 - 2.0**-25)
"""3.4028235677973366e38: halfway between the largest float32 and 2¹²⁸, where float32's rounding
(to even) goes to inf. Every float64 below it rounds to at most FLOAT32_MAX."""


def _as_float32(value: float) -> float:
    """``value`` rounded to float32 as torch stores it (struct refuses what would become inf)."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize(
    "value",
    [FLOAT32_MAX, math.nextafter(FLOAT32_MAX, math.inf), math.nextafter(FLOAT32_ROUNDS_TO_INF, 0.0)],
    ids=["largest float32", "next float64 above it", "last float64 that rounds down"],
)
def test_values_float32_can_hold_are_accepted_up_to_the_boundary(value, sign):
    """Accepted, and float32 keeps them finite: they round to ±FLOAT32_MAX at most."""
    scenario = SEED_EXAMPLE.with_value(0, 0, sign * value)
    assert scenario.embeddings[0][0] == sign * value
    assert _as_float32(sign * value) == sign * FLOAT32_MAX
    assert parse_number(repr(sign * value)) == sign * value


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("value", [FLOAT32_ROUNDS_TO_INF, math.nextafter(FLOAT32_ROUNDS_TO_INF, math.inf)], ids=["the boundary", "just above it"])
def test_values_float32_would_turn_into_inf_are_refused(value, sign):
    """Issue 15 §3: with ``>`` instead of ``>=`` in the range check, the boundary itself passed
    and became inf in float32."""
    with pytest.raises(OverflowError):
        _as_float32(sign * value)  # float32 really cannot hold it
    assert_refused(lambda: SEED_EXAMPLE.with_value(0, 0, sign * value), "too large")
    assert_refused(lambda: parse_number(repr(sign * value)), "too large")
