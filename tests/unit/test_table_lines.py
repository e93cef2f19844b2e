"""The panels' own table layout draws exactly what Rich's table would: every character, every style."""

from __future__ import annotations

import random

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from attn_tui.ui.widgets.panels import NOT_REVERSED, fixed_widths, per_token_table, bar
from attn_tui.ui.widgets.table_lines import TableLines, _fast_table

CONSOLE = Console(width=200, force_terminal=True, color_system="truecolor")
TOKENS = ["Your", "journey", "", "averyveryverylongtoken", "日本語トークン", "[/]", "a b ", "x"]
ROW_STYLES = ["", "bold", "bold reverse", "reverse", "italic"]


def styled_characters(renderable: object, width: int) -> list[list[tuple[str, Style]]]:
    lines = CONSOLE.render_lines(renderable, CONSOLE.options.update_width(width), pad=False)
    return [[(character, segment.style or Style.null()) for segment in line for character in segment.text] for line in lines]


def random_table(rng: random.Random) -> Table:
    """A panel-like table: symbol, token, value, then maybe a bar or more values."""
    table = per_token_table()
    extra = rng.randrange(3)
    for _ in range(extra):
        table.add_column(justify=rng.choice(["right", "left"]), no_wrap=True)
    bar_style = Style(color="red", bgcolor="blue") + NOT_REVERSED
    for _ in range(rng.randrange(1, 8)):
        cells: list[object] = [rng.choice(["ω₁₂", "α₂₃", "Σ", "", "…"]), Text(rng.choice(TOKENS))]
        cells.append(rng.choice(["0.9544", "…", "", "-123456.7890"]))
        for _ in range(extra):
            cells.append(rng.choice([Text(bar(rng.random(), rng.randrange(20)), style=bar_style), "", "0.5", Text("")]))
        table.add_row(*cells, style=rng.choice(ROW_STYLES))
    return fixed_widths(table)


def random_matrix(rng: random.Random) -> Table:
    """A matrix-view-like table: no padding, heatmap colours in every cell."""
    table = Table.grid(padding=0)
    table.add_column(no_wrap=True, width=9)
    width = rng.randrange(7, 12)
    for _ in range(rng.randrange(1, 5)):
        table.add_column(justify="right", no_wrap=True, width=width)
    columns = len(table.columns) - 1
    table.add_row("", *(Text(f" {rng.choice(TOKENS)[: width - 1]}", style="italic") for _ in range(columns)))
    for _ in range(rng.randrange(1, 6)):
        label = Text(f"▶{rng.choice(TOKENS)}"[:8], style=rng.choice(["", "bold reverse"]))
        cells = [Text(" " + "0.1234".rjust(width - 1), style=f"on #{rng.randrange(0x1000000):06x}") for _ in range(columns)]
        table.add_row(label, *cells, style=rng.choice(["", "bold"]))
    return table


def test_laid_out_tables_look_exactly_like_richs():
    rng = random.Random(5)
    laid_out = shrunk = 0
    for _ in range(800):
        table = random_table(rng) if rng.random() < 0.7 else random_matrix(rng)
        fast = _fast_table(table, CONSOLE)
        natural = fast.width if isinstance(fast, TableLines) else 10
        if isinstance(fast, TableLines):
            laid_out += 1
            shrunk += fast.at(max(1, natural - 5)) is not None
        # Drawn at any width: as wide as Rich's table or wider, or narrower (Rich shrinks the
        # columns, and cuts the cells), a few cells narrower most of all (a panel a little narrow).
        for width in (rng.randrange(3, 90), natural, max(1, natural - rng.randrange(1, 12))):
            assert styled_characters(fast, width) == styled_characters(table, width)
    assert laid_out > 500
    assert shrunk > 400


def test_tables_it_cannot_imitate_are_left_to_rich():
    boxed = Table("a", "b")
    boxed.add_row("1", "2")
    assert _fast_table(boxed, CONSOLE) is boxed
    markup = per_token_table()
    markup.add_row("[bold]x[/]", Text("t"), "1")
    fixed_widths(markup)
    assert _fast_table(markup, CONSOLE) is markup
