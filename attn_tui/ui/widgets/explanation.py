"""The walkthrough's explanation: the step just taken with its numbers, and why its stage exists.

It shows what the app hands it (a :class:`~attn_tui.core.walkthrough.Progress`); the walk itself is
plain data built elsewhere.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from attn_tui.core.formatting import token_vector
from attn_tui.core.walkthrough import Progress, Walkthrough
from attn_tui.terminal.textual_internals import set_border_title
from attn_tui.ui.widgets.direct_lines import DirectStatic
from attn_tui.ui.widgets.table_lines import PanelBody

KEYS_HINT = "␣/→ next · ⌫/← back · esc exit"

PADDING_LINES_AT_MOST = 2
"""A step's text longer than the panel keeps the text box of the step before if it is at most this
many lines shorter (blank lines pad its end): steps of a stage differ by a line or two, and a box
that keeps its height needs no new layout. Kept small: the scroll bar counts the blank lines too."""


class ExplanationPanel(VerticalScroll):
    """What the current walkthrough step computes, written out with the real numbers."""

    _padded_to: int | None = None
    """Lines the text's box takes at least, set while the text is longer than the panel (``None``:
    the stylesheet's floor, the panel's height)."""

    _essential: tuple[Text, ...] = ()
    """What must stay on screen: the step and its arithmetic (the stage's why may scroll)."""

    def compose(self) -> ComposeResult:
        yield DirectStatic(classes="panel-body")

    def show(self, walkthrough: Walkthrough, progress: Progress, autoplay: str = "") -> None:
        """``autoplay`` describes a running autoplay ("" when off)."""
        step = progress.step
        if step is None:
            set_border_title(self, f"Walkthrough 0/{progress.end} · start")
            # The prompt first: in a short panel (80×24, many tokens) the intro scrolls, not the key.
            parts = [Text("Press Space or → for the first step.", style="bold"), Text(""), Text(walkthrough.intro())]
            self._essential = (Text("Press Space or → for the first step."),)
        else:
            stage = step.stage
            set_border_title(self, f"Step {progress.position}/{progress.end} · {stage.number}/{len(walkthrough.stages)} {stage.name}")
            parts = [Text(step.computes[:1].upper() + step.computes[1:], style="italic")]
            if stage.shows_matrix_view:
                parts.append(Text("reads X: every embedding", style="italic"))
            elif step.rows:
                reads = ", ".join(
                    f"{token_vector(row + 1)}{' (query)' if step.reads_query and row == walkthrough.query else ''}"
                    for row in step.rows
                )
                parts.append(Text(f"reads {reads}", style="italic"))
            parts.extend(Text(line, style="bold") for line in step.arithmetic)
            if step.note:
                parts.append(Text(f"⚠ {step.note}", style="bold"))
            self._essential = tuple(parts)
            parts.extend([Text(""), Text(f"{stage.number}. {stage.name}: ", style="underline") + Text(stage.explanation)])
        set_border_title(self, autoplay or KEYS_HINT, subtitle=True)
        text_widget = self.query_one(".panel-body", Static)
        # A new layout only when the text's box changes height: a step is one key press, and a new
        # layout (two, as the scroll bar follows) costs four times the step's own repaint.
        width = self.scrollable_content_region.width
        console = self.app.console
        # Counted from the wrapped lines: rendering the whole text to count them cost more.
        lines = sum(len(part.wrap(console, width)) for part in parts) if width else -1
        padded_to = self._padding_for(lines)
        if padded_to != self._padded_to:
            text_widget.styles.min_height = padded_to  # a new layout, whatever the text
            self._padded_to = padded_to
        box_height = max(lines, padded_to or self.scrollable_content_region.height)
        # Drawn line by line as Rich would draw the texts (see table_lines): a step's repaint.
        text_widget.update(PanelBody(text_widget, parts), layout=box_height != text_widget.outer_size.height)
        # Each step starts at its top; if even the screen's last rows cannot hold the step and its
        # arithmetic, the arithmetic's end (the result) is what stays in view.
        self.call_after_refresh(self._scroll_to_result)

    def _padding_for(self, lines: int) -> int | None:
        """Lines the text's box takes at least for a text ``lines`` long: ``None`` (the panel's
        height, from app.tcss) if the text fits, else its own length or, up to
        :data:`PADDING_LINES_AT_MOST` lines more, the box's present height."""
        if lines <= self.scrollable_content_region.height:
            return None  # it fits: a scroll bar that goes takes a new layout anyway
        kept = self._padded_to
        if kept is not None and lines <= kept <= lines + PADDING_LINES_AT_MOST:
            return kept
        return lines

    def _scroll_to_result(self) -> None:
        overflow = self.essential_height() - self.outer_size.height
        self.scroll_to(y=max(0, overflow), animate=False)

    def essential_height(self) -> int:
        """Rows the step and its arithmetic take at the panel's width, borders included: the
        grid above gives up rows for them."""
        # Measured beside a scroll bar: the stage's why below often needs one.
        width = self.content_region.width - self.styles.scrollbar_size_vertical
        console = self.app.console
        lines = sum(len(part.wrap(console, width)) if width > 0 else 1 for part in self._essential)
        return lines + self.styles.gutter.height
