"""Labels are clipped and padded between grapheme clusters, never inside one, and stored as NFC."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from attn_tui.core.graphemes import clip, clusters, pad, shorten
from attn_tui.core.scenario import SEED_EXAMPLE, Scenario


@pytest.mark.parametrize(
    ("text", "width", "clipped"),
    [
        ("journey", 6, "journ…"),
        ("journey", 7, "journey"),
        ("नमस्ते", 3, "नम…"),  # never स without its virama and ते
        ("Tiếng", 3, "Ti…"),
        ("👩‍💻👩‍💻", 3, "👩‍💻…"),
        ("日本語", 4, "日 …"),  # a wide character that does not fit leaves a blank, as in Rich
        ("0.1234 -0.5678 …", 10, "0.1234 -0…"),  # plain ASCII up to the cut: sliced
        ("abcd\u0301ef", 5, "abcd\u0301…"),  # the accent after the cut belongs to the d kept
    ],
)
def test_clip_cuts_between_clusters(text, width, clipped):
    assert clip(text, width) == clipped


LABEL_PARTS = ["न", "म", "स्ते", "हि", "न्दी", "e\u0301", "ế", "👩‍💻", "❤️", "🇫🇷", "界", "ש", "مَ", "a", "Z"]


@given(parts=st.lists(st.sampled_from(LABEL_PARTS), min_size=1, max_size=12), width=st.integers(1, 20))
def test_clipped_labels_keep_whole_clusters_and_fit(parts, width):
    text = "".join(parts)
    clipped = clip(text, width)
    assert cell_len(clipped) <= width
    kept = clipped.rstrip("… ")
    assert text.startswith(kept)
    assert clusters(text)[: len(clusters(kept))] == clusters(kept)
    assert cell_len(pad(clipped, width)) == width


def test_shorten_keeps_the_start_and_the_end():
    digits = "1" * 2500 + "2" * 2500
    shortened = shorten(digits, 40)
    assert len(shortened) == 40 and shortened.startswith("1111") and shortened.endswith("2222") and "…" in shortened
    assert shorten("नमस्ते" * 20, 9).count("…") == 1
    assert shorten("short", 40) == "short"


def test_labels_are_stored_as_nfc():
    decomposed = "Tie\u0302\u0301ng"
    scenario = Scenario(tokens=(decomposed, "abc"), embeddings=((1.0,), (2.0,)), query=0)
    assert scenario.tokens[0] == "Tiếng" == unicodedata.normalize("NFC", decomposed)
    assert SEED_EXAMPLE.with_label(0, decomposed).tokens[0] == "Tiếng"


@pytest.mark.parametrize("label", ["👩‍💻", "می‌خواهم", "ශ්‍රී"])
def test_labels_with_joiners_are_words_not_control_characters(label):
    assert SEED_EXAMPLE.with_label(0, label).tokens[0] == label
