"""Inserting and deleting tokens and dimensions (attn_tui.core.scenario): immutable, validated, and the
query stays on its token."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_tui.core.scenario import MAX_LABEL_LENGTH, SEED_EXAMPLE, Scenario
from test_scenario import SEED_TOKENS, assert_refused

ZEROS = (0.0, 0.0, 0.0)


# --- tokens ----------------------------------------------------------------------------------


def test_insert_token_after_the_query_adds_a_zero_row_named_after_its_position():
    """A new token after "journey" is zeros, called t7 (the 7th token), and the query stays put."""
    edited = SEED_EXAMPLE.with_token_inserted(2)
    assert edited.tokens == ("Your", "journey", "t7", "starts", "with", "one", "step")
    assert edited.embeddings[2] == ZEROS
    assert edited.embeddings[:2] == SEED_EXAMPLE.embeddings[:2]
    assert edited.embeddings[3:] == SEED_EXAMPLE.embeddings[2:]
    assert (edited.query, edited.query_token) == (1, "journey")
    assert SEED_EXAMPLE.n_tokens == 6  # the original is untouched


@pytest.mark.parametrize("index", [0, 1])
def test_insert_token_before_the_query_moves_the_query_index_with_its_token(index):
    edited = SEED_EXAMPLE.with_token_inserted(index, "new")
    assert edited.tokens[index] == "new"
    assert (edited.query, edited.query_token) == (2, "journey")


def test_insert_token_at_the_end():
    edited = SEED_EXAMPLE.with_token_inserted(6, "  end ")
    assert edited.tokens[-1] == "end" and edited.embeddings[-1] == ZEROS


def test_free_label_skips_names_already_taken():
    scenario = Scenario(tokens=("t3", "t4", "x"), embeddings=((1.0,), (2.0,), (3.0,)))
    assert scenario.free_label() == "t5"
    assert scenario.with_token_inserted(0).tokens[0] == "t5"


@pytest.mark.parametrize("index", [-1, 7])
def test_insert_token_out_of_range_is_refused(index):
    assert_refused(lambda: SEED_EXAMPLE.with_token_inserted(index), "insert a token")


@pytest.mark.parametrize("label", ["", "  ", "a\tb", "x" * (MAX_LABEL_LENGTH + 1), 5])
def test_insert_token_with_a_bad_label_is_refused(label):
    assert_refused(lambda: SEED_EXAMPLE.with_token_inserted(0, label))


def test_delete_a_token_before_the_query_keeps_the_query_on_its_token():
    edited = SEED_EXAMPLE.with_token_deleted(0)
    assert edited.tokens == SEED_TOKENS[1:]
    assert edited.embeddings == SEED_EXAMPLE.embeddings[1:]
    assert (edited.query, edited.query_token) == (0, "journey")


def test_delete_a_token_after_the_query():
    edited = SEED_EXAMPLE.with_token_deleted(4)
    assert edited.tokens == ("Your", "journey", "starts", "with", "step")
    assert edited.query_token == "journey"


def test_deleting_the_query_token_moves_the_query_to_the_next_token():
    edited = SEED_EXAMPLE.with_token_deleted(1)
    assert (edited.query, edited.query_token) == (1, "starts")


def test_deleting_the_last_token_as_query_moves_the_query_to_the_previous_one():
    edited = SEED_EXAMPLE.with_query(5).with_token_deleted(5)
    assert (edited.query, edited.query_token) == (4, "one")


def test_the_only_token_cannot_be_deleted():
    single = Scenario(tokens=("alone",), embeddings=((1.0, 2.0),))
    assert_refused(lambda: single.with_token_deleted(0), "only token", "at least one")


@pytest.mark.parametrize("index", [-1, 6])
def test_delete_a_token_out_of_range_is_refused(index):
    assert_refused(lambda: SEED_EXAMPLE.with_token_deleted(index), "no token")


# --- dimensions ------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 3])
def test_insert_dimension_adds_a_zero_column(index):
    edited = SEED_EXAMPLE.with_dimension_inserted(index)
    assert edited.n_dims == 4
    for old, new in zip(SEED_EXAMPLE.embeddings, edited.embeddings):
        assert new[index] == 0.0
        assert new[:index] + new[index + 1 :] == old
    assert (edited.tokens, edited.query) == (SEED_EXAMPLE.tokens, SEED_EXAMPLE.query)


@pytest.mark.parametrize("index", [-1, 4])
def test_insert_dimension_out_of_range_is_refused(index):
    assert_refused(lambda: SEED_EXAMPLE.with_dimension_inserted(index), "insert a dimension")


def test_delete_dimension_removes_the_column():
    edited = SEED_EXAMPLE.with_dimension_deleted(1)
    assert edited.embeddings[0] == (0.43, 0.89)
    assert edited.n_dims == 2 and SEED_EXAMPLE.n_dims == 3


def test_the_only_dimension_cannot_be_deleted():
    narrow = Scenario(tokens=("a", "b"), embeddings=((1.0,), (2.0,)))
    assert_refused(lambda: narrow.with_dimension_deleted(0), "only dimension", "at least one")


@pytest.mark.parametrize("index", [-1, 3])
def test_delete_dimension_out_of_range_is_refused(index):
    assert_refused(lambda: SEED_EXAMPLE.with_dimension_deleted(index), "no dimension")


def test_with_embeddings_keeps_tokens_and_query_and_validates():
    rows = tuple((float(i), 1.0, 2.0) for i in range(6))
    edited = SEED_EXAMPLE.with_embeddings(rows)
    assert edited.embeddings == rows and edited.tokens == SEED_TOKENS and edited.query == 1
    assert_refused(lambda: SEED_EXAMPLE.with_embeddings(rows[:5]), "6 tokens but 5")
    assert_refused(lambda: SEED_EXAMPLE.with_embeddings(((float("nan"), 0.0, 0.0),) + rows[1:]), "finite")


# --- labels (renaming) -----------------------------------------------------------------------


@pytest.mark.parametrize("label", ["a\nb", "tab\there", "bell\x07"])
def test_labels_with_control_characters_are_refused(label):
    """A newline in a label would break the grid's and the panels' lines."""
    assert_refused(lambda: SEED_EXAMPLE.with_label(0, label), "control character")


def test_labels_longer_than_the_limit_are_refused():
    assert SEED_EXAMPLE.with_label(0, "x" * MAX_LABEL_LENGTH).tokens[0] == "x" * MAX_LABEL_LENGTH
    assert_refused(lambda: SEED_EXAMPLE.with_label(0, "x" * (MAX_LABEL_LENGTH + 1)), f"at most {MAX_LABEL_LENGTH}")


@pytest.mark.parametrize("label", ["naïve", "[/]", "ω₂", "two words", "step"])
def test_any_printable_label_is_accepted_even_a_duplicate(label):
    assert SEED_EXAMPLE.with_label(0, label).tokens[0] == label


# --- properties ------------------------------------------------------------------------------

values = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw) -> Scenario:
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(values, min_size=d, max_size=d), min_size=n, max_size=n))
    return Scenario(tokens=tuple(f"w{i}" for i in range(n)), embeddings=rows, query=draw(st.integers(0, n - 1)))


def _query_row(scenario: Scenario) -> tuple[str, tuple[float, ...]]:
    return scenario.query_token, scenario.embeddings[scenario.query]


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_insert_then_delete_the_same_token_is_the_original(scenario, data):
    index = data.draw(st.integers(0, scenario.n_tokens))
    inserted = scenario.with_token_inserted(index)
    assert inserted.n_tokens == scenario.n_tokens + 1
    assert _query_row(inserted) == _query_row(scenario)  # the query follows its token
    assert inserted.with_token_deleted(index) == scenario


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_insert_then_delete_the_same_dimension_is_the_original(scenario, data):
    index = data.draw(st.integers(0, scenario.n_dims))
    inserted = scenario.with_dimension_inserted(index)
    assert inserted.n_dims == scenario.n_dims + 1
    assert all(row[index] == 0.0 for row in inserted.embeddings)
    assert inserted.with_dimension_deleted(index) == scenario


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.data())
def test_deleting_a_token_keeps_the_query_on_its_token_or_a_neighbour(scenario, data):
    index = data.draw(st.integers(0, scenario.n_tokens - 1))
    if scenario.n_tokens == 1:
        assert_refused(lambda: scenario.with_token_deleted(index))
        return
    deleted = scenario.with_token_deleted(index)
    assert deleted.n_tokens == scenario.n_tokens - 1
    if index != scenario.query:
        assert _query_row(deleted) == _query_row(scenario)
    else:
        # The token that took its place, or the new last one.
        assert deleted.query == min(index, deleted.n_tokens - 1)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.lists(st.sampled_from(["+t", "-t", "+d", "-d"]), max_size=12), st.data())
def test_any_sequence_of_edits_keeps_a_valid_scenario(scenario, operations, data):
    """Whatever is inserted or deleted, at least one token and one dimension remain; refusals
    are ScenarioErrors and leave the scenario as it was."""
    for operation in operations:
        if operation == "+t":
            scenario = scenario.with_token_inserted(data.draw(st.integers(0, scenario.n_tokens)))
        elif operation == "+d":
            scenario = scenario.with_dimension_inserted(data.draw(st.integers(0, scenario.n_dims)))
        elif operation == "-t":
            index = data.draw(st.integers(0, scenario.n_tokens - 1))
            if scenario.n_tokens == 1:
                assert_refused(lambda: scenario.with_token_deleted(index))
            else:
                scenario = scenario.with_token_deleted(index)
        else:
            index = data.draw(st.integers(0, scenario.n_dims - 1))
            if scenario.n_dims == 1:
                assert_refused(lambda: scenario.with_dimension_deleted(index))
            else:
                scenario = scenario.with_dimension_deleted(index)
        assert scenario.n_tokens >= 1 and scenario.n_dims >= 1
        assert 0 <= scenario.query < scenario.n_tokens
        assert all(len(row) == scenario.n_dims for row in scenario.embeddings)
        assert len(set(scenario.tokens)) == scenario.n_tokens  # new tokens get free names
