"""The vector plot in the app: toggling it (`v`), cycling its plane (`V`), choosing its axes (`A`),
where it goes, what it gets.

:class:`VectorPlotView` is a mixin of :class:`~attn_tui.ui.app.AttnApp`. The plot widget and
plotext are imported the first time the plot opens, never at start-up. The point sets come from
the mechanism (``Mechanism.vector_spaces``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attn_tui.core.plot_data import Plane
    from attn_tui.ui.app import AttnApp
    from attn_tui.ui.widgets.vector_plot import VectorPlot

    _Base = AttnApp
else:
    _Base = object

PLOT_BESIDE_PANELS_WIDTH = 160
"""From this width the plot goes beside the panels; narrower, it takes their place while shown."""

PLOT_ID = "vector-plot"


class VectorPlotView(_Base):
    """Actions for the plot's keys (mixed into AttnApp)."""

    vector_plot_shown: bool = False
    panels_covered_by_plot: bool = False
    """The plot is in the panels' place: they are not kept up to date until they show again."""

    _plot: VectorPlot | None = None
    """The plot, kept once mounted: a query for it walks every widget of the screen (about a
    millisecond on every redraw)."""

    def _vector_plot(self) -> VectorPlot | None:
        """The plot, once it has been opened."""
        return self._plot

    def action_toggle_vector_plot(self) -> None:
        """Show or hide the vector plot."""
        self.vector_plot_shown = not self.vector_plot_shown
        plot = self._vector_plot()
        if plot is None:
            from attn_tui.ui.widgets.vector_plot import VectorPlot

            plot = self._plot = VectorPlot(id=PLOT_ID)
            self.query_one("#main").mount(plot)
        self.sync_vector_plot_layout()
        # After the mount and layout: the plot needs its size to choose its planes.
        self.call_after_refresh(self.show_vector_plot)
        self._say("Vector plot shown: edits and query changes move its points." if self.vector_plot_shown else "Vector plot hidden.")

    def action_next_plane(self) -> None:
        """Show the next plane (or projection) when not all fit."""
        plot = self._vector_plot()
        if plot is not None and self.vector_plot_shown:
            plot.cycle_plane()
            self.refresh_bindings()

    def action_choose_axes(self) -> None:
        """Ask for the plot's plane: any pair of dimensions, or the principal components."""
        plot = self._vector_plot()
        view = plot.current_view if plot is not None and self.vector_plot_shown else None
        if plot is None or view is None:
            return
        from attn_tui.core.plot_data import dimension
        from attn_tui.ui.widgets.axes_dialog import AxesDialog

        space, planes = view
        n_dims = dimension(space)
        if not plot.can_choose:  # from the palette: the key itself is off
            self._say(f"The {space.title} has one dimension, drawn across with a row per token: no axes to choose.")
            return

        def draw(plane: Plane | None) -> None:
            if plane is None:
                return
            plot.choose_plane(plane)
            self.refresh_bindings()  # V may have another plane to cycle to
            self._say(f"Vector plot: {plane.title(n_dims)} of the {space.title}.")

        self.push_screen(AxesDialog(planes[0], n_dims, space.title), draw)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_plane", "choose_axes"):
            plot = self._vector_plot()
            if not self.vector_plot_shown or plot is None or len(self.screen_stack) > 1:
                return None
            return (plot.can_cycle if action == "next_plane" else plot.can_choose) or None
        return super().check_action(action, parameters)

    def plot_replaces_panels(self, width: int | None = None) -> bool:
        """On a screen too narrow for both, the plot takes the panels' place while shown."""
        width = self.size.width if width is None else width  # a Resize event knows the new size first
        return self.vector_plot_shown and width < PLOT_BESIDE_PANELS_WIDTH

    def sync_vector_plot_layout(self, width: int | None = None) -> None:
        main = self.query_one("#main")
        replaces = self.plot_replaces_panels(width)
        main.set_class(self.vector_plot_shown, "-plot")
        main.set_class(replaces, "-plot-replaces-panels")
        if self.panels_covered_by_plot != replaces:
            self.panels_covered_by_plot = replaces
            if not replaces:
                self._show_results()  # the panels missed every change while covered
        self._sync_matrix_layout(width)  # a narrow matrix view gives way to the plot (and back)
        focused = self.screen_stack[0].focused
        if replaces and focused is not None and self.query_one("#right") in focused.ancestors_with_self:
            self.query_one("#grid").focus()  # a hidden panel must not keep the keys

    def show_vector_plot(self) -> None:
        """Hand the plot the current numbers (as far as a walk has reached them); nothing when hidden."""
        if not self.vector_plot_shown:
            return
        plot = self._vector_plot()
        if plot is None:
            return
        if self.analysis is None:
            plot.show_loading()  # torch still loading: the plot follows once the numbers are shown
            return
        keys = (plot.can_cycle, plot.can_choose)
        plot.show(self.mechanism.vector_spaces(self.analysis, self._walk_progress()))
        if (plot.can_cycle, plot.can_choose) != keys:
            self.refresh_bindings()  # V or A on or off; not on every edit: the footer is costly to rebuild
