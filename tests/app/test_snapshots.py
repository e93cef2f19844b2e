"""Snapshot SVGs of what a person sees (pytest-textual-snapshot).

Update after an intended change of the screen with `pytest tests/test_snapshots.py --snapshot-update`,
then look at `snapshot_report.html` or the SVGs before committing.
"""

from attn_tui.core.scenario import seeded_scenario
from attn_tui.core.sentence import scenario_from_sentence
from attn_tui.ui.app import AttnApp
from conftest import wait_until_ready


def test_default_screen_80x24(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), run_before=wait_until_ready)


def test_default_screen_120x32(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(120, 32), run_before=wait_until_ready)


def test_refused_edit(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["enter", "a", "b", "c", "enter"], run_before=wait_until_ready)


def test_help_screen(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["question_mark"], run_before=wait_until_ready)


MID_WALK = ["w", "s", "s", "s", "space"]
"""Stage 3, the second term of the context vector: scores, exps and weights known, z half-way."""


def test_mid_walk_80x24(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=MID_WALK, run_before=wait_until_ready)


def test_mid_walk_120x32(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(120, 32), press=MID_WALK, run_before=wait_until_ready)


def test_mid_walk_80x24_with_10_tokens(snap_compare):
    """The step's arithmetic stays on screen however many tokens (issue 11, item 1)."""
    ten_tokens = scenario_from_sentence("the quick brown fox jumps over the lazy dog and", 3, 123)
    assert snap_compare(AttnApp(ten_tokens), terminal_size=(80, 24), press=MID_WALK, run_before=wait_until_ready)


def test_mid_walk_80x24_with_512_tokens(snap_compare):
    big = seeded_scenario(512, 768, seed=7)
    assert snap_compare(AttnApp(big), terminal_size=(80, 24), press=MID_WALK, run_before=wait_until_ready)


def test_mid_walk_200x60(snap_compare):
    """A projector's terminal: half the width for the grid's column and the explanation (item 15)."""
    assert snap_compare(AttnApp(), terminal_size=(200, 60), press=MID_WALK, run_before=wait_until_ready)


def test_matrix_view_120x32(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(120, 32), press=["m"], run_before=wait_until_ready)


def test_matrix_view_80x24_no_color(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # read when the App is created
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["m"], run_before=wait_until_ready)


def test_softmax_comparison_with_exp_overflow(snap_compare):
    journey_dim_1_is_100 = ["down", "enter", *["backspace"] * 4, "1", "0", "0", "enter"]
    assert snap_compare(AttnApp(), terminal_size=(100, 30), press=["c", *journey_dim_1_is_100], run_before=wait_until_ready)


def test_sentence_dialog_with_a_refused_dimension(snap_compare):
    refused_dimension = ["t", "tab", "0", "enter"]  # Tab selects the dimension "3"; "0" replaces it
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=refused_dimension, run_before=wait_until_ready)


def test_preset_picker(snap_compare):
    assert snap_compare(AttnApp(), terminal_size=(80, 24), press=["P", "down"], run_before=wait_until_ready)


def _trainable() -> AttnApp:
    """Section 3.4 with the book's weights (they are drawn once torch has loaded)."""
    from attn_tui.core.scenario import SEED_EXAMPLE

    return AttnApp(SEED_EXAMPLE.with_mechanism("trainable"))


async def _trainable_ready(pilot) -> None:
    await wait_until_ready(pilot)
    await pilot.app.workers.wait_for_complete()  # its panels are mounted
    await pilot.pause()


def test_trainable_default_80x24(snap_compare):
    assert snap_compare(_trainable(), terminal_size=(80, 24), run_before=_trainable_ready)


def test_trainable_mid_walk_100x30(snap_compare):
    """Stage 3, the second score, with W_q in the grid (the first stage read it)."""
    assert snap_compare(_trainable(), terminal_size=(100, 30), press=["g", "w", "s", "s", "space"], run_before=_trainable_ready)


def test_trainable_matrix_view_120x40(snap_compare):
    assert snap_compare(_trainable(), terminal_size=(120, 40), press=["m"], run_before=_trainable_ready)


def test_vector_plot_100x30(snap_compare):
    """The plot in the panels' place: the tokens by weight, journey as the query, z between them."""
    assert snap_compare(AttnApp(), terminal_size=(100, 30), press=["v"], run_before=wait_until_ready)


def _causal() -> AttnApp:
    """Section 3.5 with SelfAttention_v2's weights (drawn once torch has loaded)."""
    from attn_tui.core.scenario import SEED_EXAMPLE

    return AttnApp(SEED_EXAMPLE.with_mechanism("causal"))


def test_causal_matrix_view_with_minus_infinity_120x40(snap_compare):
    assert snap_compare(_causal(), terminal_size=(120, 40), press=["m"], run_before=_trainable_ready)


def test_causal_dropout_80x24_no_color(snap_compare, monkeypatch):
    """Masked (—, −∞) and dropped (0 (dropped), ×) weights read apart without colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(_causal(), terminal_size=(80, 24), press=["T", "right_square_bracket"], run_before=_trainable_ready)


def test_causal_dropout_matrix_120x40_no_color(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(_causal(), terminal_size=(120, 40), press=["T", "m"], run_before=_trainable_ready)


def _multihead() -> AttnApp:
    """Section 3.6: the book's MultiHeadAttention (seed 123, d_out 2, 2 heads)."""
    from attn_tui.core.scenario import SEED_EXAMPLE

    return AttnApp(SEED_EXAMPLE.with_mechanism("multihead"))


def test_multihead_second_head_80x24(snap_compare):
    assert snap_compare(_multihead(), terminal_size=(80, 24), press=["H"], run_before=_trainable_ready)


def test_multihead_two_heads_side_by_side_160x40(snap_compare):
    assert snap_compare(_multihead(), terminal_size=(160, 40), press=["m"], run_before=_trainable_ready)


def test_multihead_projections_120x40(snap_compare):
    """From 30 rows, the shown head's q, k and v above its weights and the heads."""
    assert snap_compare(_multihead(), terminal_size=(120, 40), run_before=_trainable_ready)


def test_multihead_heads_side_by_side_with_two_decimals_80x24(snap_compare):
    """At 80×24 the matrix view has the screen: both heads fit with two decimals."""
    assert snap_compare(_multihead(), terminal_size=(80, 24), press=["m"], run_before=_trainable_ready)


def test_causal_settings_dialog_with_the_training_switch_80x24_no_color(snap_compare, monkeypatch):
    """The switch has the focus (a double border without colour) and says on."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(_causal(), terminal_size=(80, 24), press=["o", "tab", "tab", "space"], run_before=_trainable_ready)
