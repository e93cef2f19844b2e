"""Labels in other scripts, in a real terminal (tmux): every number and border stays whole.

tmux counts a Devanagari vowel sign (ि, ी) as a column of its own where Rich, and so Textual's
layout, counts none: the terminal and the app disagree about the width of हिन्दी, and before the
wire diff re-anchored after such graphemes the numbers after it were shifted and cut."""

from __future__ import annotations

import math
import re

from attn_tui.core.formatting import format_number, format_vector, subscript
from tmux_session import attn_tui_in_tmux, requires_terminal

pytestmark = requires_terminal

LABELS = ["नमस्ते", "हिन्दी", "Tie\u0302\u0301ng", "abc"]
"""The issue's labels; Tiếng decomposed, as some keyboards type it."""
ROWS = [(0.43, 0.15, 0.89), (0.55, 0.87, 0.66), (0.57, 0.85, 0.64), (0.22, 0.58, 0.33)]


def expected_numbers(query: int) -> tuple[list[str], list[str], str]:
    """Scores, weights and context for ``query`` (0-based), as the app prints them."""
    scores = [sum(a * b for a, b in zip(row, ROWS[query])) for row in ROWS]
    exps = [math.exp(score) for score in scores]
    weights = [value / sum(exps) for value in exps]
    context = [sum(weight * row[k] for weight, row in zip(weights, ROWS)) for k in range(3)]
    return [format_number(s) for s in scores], [format_number(w) for w in weights], format_vector(context)


def check_screen(screen: str, query: int) -> None:
    scores, weights, context = expected_numbers(query)
    lines = screen.splitlines()
    q = subscript(query + 1)
    for i, (score, weight) in enumerate(zip(scores, weights)):
        symbol = f"{q}{subscript(i + 1)}"
        score_line = next(line for line in lines if f"ω{symbol} " in line)
        assert re.search(rf" {re.escape(score)} +│$", score_line), score_line
        weight_line = next(line for line in lines if f"α{symbol} " in line)
        assert re.search(rf" {re.escape(weight)} [█▉▊▋▌▍▎▏]+ *│$", weight_line), weight_line
        numbers = "  ".join(f"{value:.4f}" for value in ROWS[i])
        assert any(f" {numbers} │ " in line for line in lines), f"row {i + 1}: {numbers}\n{screen}"
    assert f"│ {context} " in screen


def test_labels_with_marks_and_conjuncts_keep_every_number_whole(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("".join(f"{label},{','.join(map(str, row))}\n" for label, row in zip(LABELS, ROWS)), encoding="utf-8")
    with attn_tui_in_tmux(str(path), width=80, height=24) as tmux:
        scores, _, context = expected_numbers(0)
        screen = tmux.wait_for(context, *scores)
        check_screen(screen, 0)
        previous = 0
        for query in (1, 2, 3, 2, 1):
            tmux.send("]" if query > previous else "[")
            previous = query
            screen = tmux.wait_for(f"Query x⁽{'¹²³⁴'[query]}⁾", expected_numbers(query)[2])
            check_screen(screen, query)
        assert "Traceback" not in screen
