"""Painting without Textual's styling pass (attn_tui/ui/widgets/direct_lines.py) and drawing the
panels' text without Rich's (table_lines.py) change nothing on screen: every character, every style."""

from __future__ import annotations

import random

import pytest
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import RenderOptions, RichVisual
from textual.widget import Widget

from attn_tui.core.formatting import format_vector
from attn_tui.core.scenario import SEED_EXAMPLE, seeded_scenario
from attn_tui.mechanisms import mechanism_named
from attn_tui.ui.app import AttnApp
from attn_tui.ui.widgets.direct_lines import DirectLines, draws_plainly
from attn_tui.ui.widgets.table_lines import PanelBody
from conftest import running, settled, widget_text

WORDS = ["Your", "journey", "starts", "日本語トークン", "مرحبا", "e\u0301te\u0301", "👩‍👩‍👧", "[/]", "a", "…", "-0.1234,"]


def styled_cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    """Each line as (character, style) pairs: how the segments are split does not show."""
    return [[(character, segment.style) for segment in strip for character in segment.text] for strip in strips]


def textuals_pass(widget: Widget, crop: Region) -> list[Strip]:
    widget._styles_cache.clear()  # painted afresh, not from the lines painted before
    return Widget.render_lines(widget, crop)


def assert_painted_as_textual_paints(app: AttnApp) -> int:
    """Every widget on screen that may paint directly paints what Textual's pass paints, whole
    and in part; returns how many painted directly (a scrolling grid leaves it to Textual)."""
    direct = 0
    for widget in app.screen.walk_children():
        if not isinstance(widget, DirectLines):
            continue
        width, height = widget.region.size  # nothing if it is not on screen (a hidden panel's body)
        if not (widget.display and width and height):
            continue
        direct += draws_plainly(widget)
        for crop in (Region(0, 0, width, height), Region(1, min(1, height - 1), width - 2, max(1, height - 1))):
            painted = widget.render_lines(crop)
            assert styled_cells(painted) == styled_cells(textuals_pass(widget, crop)), f"{widget!r} at {crop}"
            assert [strip.cell_length for strip in painted] == [crop.width] * crop.height
            painted_again = widget.render_lines(crop)  # from the rows kept: the same
            assert styled_cells(painted_again) == styled_cells(painted)
    return direct


def _multihead(scenario):
    scenario = scenario.with_parameter("heads", 8)
    return scenario.with_mechanism("multihead", mechanism_named("multihead").initialise(scenario, "split", 123, 64))


@pytest.mark.parametrize(
    "scenario, size, keys",
    [
        (SEED_EXAMPLE, (80, 24), []),
        (SEED_EXAMPLE, (80, 24), ["w", "s", "s", "s", "space"]),  # the explanation, the walk's columns
        (SEED_EXAMPLE, (120, 32), ["m"]),  # the matrix view
        (SEED_EXAMPLE, (100, 30), ["c", "down", "enter", "backspace", "backspace", "1", "0", "0", "enter"]),  # notes
        (SEED_EXAMPLE, (80, 24), ["enter", "x", "enter"]),  # the message as an error
        (SEED_EXAMPLE, (80, 24), ["down", "right", "enter", "1"]),  # a cell being edited
        (SEED_EXAMPLE, (80, 24), ["tab"]),  # the focus (and the border's colour) elsewhere
        (seeded_scenario(64, 64, seed=1), (100, 30), ["right_square_bracket"]),  # a windowed table, a long vector
        (_multihead(seeded_scenario(64, 64, seed=1)), (100, 30), ["H"]),
        (SEED_EXAMPLE.with_mechanism("causal"), (200, 60), ["m"]),
        (SEED_EXAMPLE, (200, 60), ["v"]),  # the vector plot: three planes and the legend
        (seeded_scenario(64, 64, seed=1), (100, 30), ["v", "enter", "5", "enter"]),
    ],
)
async def test_directly_painted_widgets_look_as_textual_paints_them(scenario, size, keys):
    async with running(AttnApp(scenario), size=size) as pilot:
        await settled(pilot)
        for key in keys:
            await pilot.press(key)
        await settled(pilot)
        assert assert_painted_as_textual_paints(pilot.app) >= 3  # the message, the query bar and a body at least


async def test_directly_painted_widgets_without_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # read when the App is created: a line filter then applies
    async with running(AttnApp(), size=(80, 24)) as pilot:
        assert pilot.app.get_line_filters()
        assert assert_painted_as_textual_paints(pilot.app) >= 3


def random_text(rng: random.Random) -> Text:
    text = Text(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 30))), style=rng.choice(["", "italic", "bold underline"]))
    for _ in range(rng.randrange(3)):  # spans, as a heading's parts have
        start = rng.randrange(len(text.plain))
        text.stylize(rng.choice(["bold", "red", "reverse"]), start, rng.randrange(start, len(text.plain) + 1))
    return text


async def test_panel_notes_are_drawn_as_rich_draws_them():
    """A note under a panel's table (a window's, a NaN column's) was drawn by Rich; drawn here
    line by line, it looks the same at every width, in every script."""
    async with running(AttnApp(), size=(80, 24)) as pilot:
        widget = pilot.app.query_one("#scores .panel-body")
        options = RenderOptions(widget._get_style, widget.styles, None, None)
        style = widget.visual_style
        rng = random.Random(3)
        texts = [random_text(rng) for _ in range(200)]
        texts += [Text(format_vector([rng.uniform(-9, 9) for _ in range(rng.randrange(1, 80))]), style="italic") for _ in range(30)]
        for text in texts:
            for width in (1, 2, 5, rng.randrange(3, 90), 38):
                fast = PanelBody(widget, [text]).visualize()
                strips = fast.render_strips(width, None, style, options)
                assert styled_cells(strips) == styled_cells(RichVisual(widget, text).render_strips(width, None, style, options)), (text, width)
                assert fast.get_height(widget.styles, width) == len(strips)


async def test_the_context_vector_and_the_message_can_still_be_selected_with_the_mouse():
    """Painted directly, a widget keeps the offsets Textual's text selection reads."""
    async with running(AttnApp(), size=(100, 30)) as pilot:
        app = pilot.app
        await pilot.press("right_square_bracket")  # a message: "Query x⁽³⁾: starts."
        for selector in ("#context .panel-body", "#message"):
            widget = app.query_one(selector)
            start = widget_text(widget).strip()[:15]
            assert len(start.strip()) > 10, selector
            await pilot.mouse_down(widget, offset=(0, 0))
            await pilot.hover(widget, offset=(20, 0))
            await pilot.mouse_up(widget, offset=(20, 0))
            await pilot.pause()
            assert (app.screen.get_selected_text() or "").startswith(start), selector
            app.screen.clear_selection()


async def test_a_removed_widget_still_in_a_background_layout_paints_blank():
    """The fuzz found it: a mechanism's old panel body, removed while a dialog was open, drawn as
    the dialog's background from the screen's last layout."""
    async with running(AttnApp(), size=(80, 24)) as pilot:
        body = pilot.app.query_one("#scores .panel-body")
        body.update("changed, so drawing it needs its content anew")
        await body.remove()
        assert [strip.text for strip in body.render_lines(Region(0, 0, 30, 3))] == [" " * 30] * 3
