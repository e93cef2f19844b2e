"""The panels' own table layout draws exactly what Rich's table would: every character, every style."""

from __future__ import annotations

import random
from types import SimpleNamespace

from rich.console import Console, Group
from rich.style import Style
from rich.table import Table
from rich.text import Text

from attn_tui.ui.widgets.panels import NOT_REVERSED, fixed_widths, per_token_table, bar
from attn_tui.ui.widgets.table_lines import PanelBody, TableLines, _fast_table, fast_body

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
            shrunk += fast.fitted(max(1, natural - 5), CONSOLE) is not None
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


def test_a_table_in_nested_groups_is_laid_out():
    """The weights panel at 512×768: its windowed table and note in a Group, in a Group with the
    overflow note."""
    table = random_table(random.Random(1))
    body = Group(Group(table, Text("tokens 1–16 of 512", style="italic")), Text("exp overflows", style="italic"))
    fast = fast_body(body, SimpleNamespace(app=SimpleNamespace(console=CONSOLE)))
    assert isinstance(fast, PanelBody)
    assert [type(part) for part in fast.parts] == [TableLines, Text, Text]
    assert styled_characters(fast, 60) == styled_characters(body, 60)


def test_shrunk_tables_look_exactly_like_richs():
    """Narrower than its columns (3.4's projections in the right column at 100×30), a table is
    laid out with the column widths Rich would shrink it to."""
    rng = random.Random(7)
    shrunk = 0
    for _ in range(200):
        table = random_table(rng) if rng.random() < 0.7 else random_matrix(rng)
        fast = _fast_table(table, CONSOLE)
        if not isinstance(fast, TableLines):
            continue
        for width in range(3, fast.width, 4):
            if fast.fitted(width, CONSOLE) is not None:
                shrunk += 1
            assert styled_characters(fast, width) == styled_characters(table, width)
    assert shrunk > 250


def test_a_column_rich_shrinks_to_nothing_is_left_out():
    """3.4's projections (token, key, │, value) in the right column at 100×30: Rich leaves "│" out."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, overflow="ellipsis", max_width=8)
    for _ in range(3):
        table.add_column(no_wrap=True)
    table.add_row("t1", " ".join(["-0.9487"] * 5) + " …", "│", " ".join(["0.5505"] * 3))
    fast = _fast_table(fixed_widths(table), CONSOLE)
    fitted = fast.fitted(46, CONSOLE)
    assert fitted is not None and "│" not in "".join(segment.text for segment in fitted.lines[0])
    assert styled_characters(fast, 46) == styled_characters(table, 46)
