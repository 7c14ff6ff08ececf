"""Wire sliders to a figure. The computation stays a pure, tested function; this module only wires it.

Two ways to wire one:

- `live_figure(draw, **controls)`: draw(**values) builds a new figure each time a control moves (the
  inline backend shows it). Simple, and slow: a new figure, its layout and a full render per move.
- `live_figure(setup, update, **controls)`: the figure is made once, and a move only changes its artists.
  `setup(fig)` adds axes and artists to a fresh matplotlib Figure and returns whatever `update` needs
  (a dict of lines, say); `update(artists, **values)` changes them in place (`line.set_data`,
  `ax.set_title`, `image.set_data`...) and may return the numbers to show beside the picture: a mapping
  {label: value} (a table) or a string. Only the artists setup returned are drawn again (blitting over
  the still rest of the figure, see Frames); the picture is sent to the page as an image widget whose
  source changes, so the page never rebuilds an output area. A reset button puts every
  control back to its starting value (one redraw); a control made with `main=True` (or the first slider)
  is the one the benchmark moves.

  While a slider is dragged, ipywidgets keeps at most one change in flight per control and sends the last
  value once the kernel is idle again, so updates follow the hand as fast as the kernel can draw and the
  final value always lands (never dropped). While an update takes longer than DRAG_LIMIT_S the widget
  recomputes on release instead (and on every key press), so a slow computation is not replayed for
  every step of a drag; it follows drags again as soon as an update is quick.

  Write `setup` with the figure's own methods (`fig.add_subplot`, `fig.subplots`), never pyplot's global
  ones (`plt.gca()`, `plt.title`), which would make a second figure. A layout engine set in setup
  (`fig.set_layout_engine("tight")`) is applied once, with the first update's titles in place, then frozen:
  a layout per move would cost more than the move. Give axes fixed limits in setup, or autoscale in
  update (`ax.relim(); ax.autoscale_view()`).

Under the autograder (NBGRADER_EXECUTION) or with COURSE_QUIET set (scripts, tests), no widget is built:
the figure is drawn once with the default values and shown as a static picture (pyplot's `plt.show()`),
and nothing is printed, so grading never waits for input.

Figures keep a white background on purpose: they stay readable in JupyterLab's dark theme; the readout
and the error area use JupyterLab's theme colours.
"""

from __future__ import annotations

import html
import io
import math
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Any, Callable, Mapping

from course_lib.progress import no_bars
from course_lib.runtime import is_quiet

# Every widget built in this kernel, as (redraw, default values): bench.notebook_costs times redraw(**values).
# For an old-style widget redraw is draw; for an in-place one it is update and render, as a move costs.
BUILT: list[tuple[Callable[..., object], dict]] = []
LIVE: list["LiveFigure"] = []  # the in-place widgets shown last in this kernel (bench.widget_latency reads timings)
KEEP_LIVE = 8  # a cell run again makes a new widget: older ones than this many are closed, their figures freed

DRAG_LIMIT_S = 0.15      # a move slower than this (update, frame, PNG): recompute on release, not while dragging
MAIN_CLASS = "course-main-slider"
BACKGROUND = "white"     # the figure's face: readable on JupyterLab's light and dark themes alike
PNG_COMPRESSION = 1      # zlib level: the fastest; a 1500 x 620 plot still packs to about 120 kB
MAX_WIDTH_PX = 1280      # wider figures are drawn at a lower dpi: about as wide as a notebook shows them


# ----------------------------------------------------------------------------------- sliders that explain
def _description(label: str, unit: str | None) -> str:
    return f"{label} ({unit})" if unit else label


TRACK_PX = 160  # a slider's track, beside its label and its readout


def _whole_label(control) -> bool:
    """Give the control's label the room it needs; False when it has no label width to set."""
    if not (hasattr(control, "style") and hasattr(control.style, "description_width")):
        return False
    control.style.description_width = "initial"  # the default width cuts names such as "learning rate"
    return True


def _finish(control, main: bool):
    if _whole_label(control):
        if hasattr(control, "readout") and not control.layout.width:
            # ipywidgets keeps a slider 300 px wide whatever its label: a label with its unit can fill it
            # and leave the track no room. Size it to its label, a track and the readout instead.
            control.layout.width = f"{7 * len(control.description) + 90 + TRACK_PX}px"
    if main:
        control.add_class(MAIN_CLASS)
    return control


def log_slider(label: str, low: float, high: float, value: float, *, unit: str | None = None,
               steps_per_decade: int = 8, fmt: str = ".2g", main: bool = False):
    """A slider on a log scale from low to high (a learning rate, a regularization strength)."""
    import ipywidgets as widgets

    if not 0 < low < high:
        raise ValueError(f"a log slider needs 0 < low < high, got {low}, {high}")
    if not low <= value <= high:
        raise ValueError(f"value {value} lies outside [{low}, {high}]")
    control = widgets.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                                     step=1.0 / steps_per_decade, readout_format=fmt,
                                     description=_description(label, unit))
    return _finish(control, main)


def int_slider(label: str, low: int, high: int, value: int, *, step: int = 1, unit: str | None = None,
               main: bool = False):
    import ipywidgets as widgets

    control = widgets.IntSlider(value=value, min=low, max=high, step=step, description=_description(label, unit))
    return _finish(control, main)


def float_slider(label: str, low: float, high: float, value: float, *, step: float, unit: str | None = None,
                 fmt: str = ".3g", main: bool = False):
    import ipywidgets as widgets

    control = widgets.FloatSlider(value=value, min=low, max=high, step=step, readout_format=fmt,
                                  description=_description(label, unit))
    return _finish(control, main)


def choice_slider(label: str, options, value, *, unit: str | None = None, main: bool = False):
    """A slider over a list of values (hidden units 4, 8, 16...; batch sizes)."""
    import ipywidgets as widgets

    control = widgets.SelectionSlider(options=list(options), value=value, description=_description(label, unit))
    return _finish(control, main)


# ----------------------------------------------------------------------------------- the entry point
def live_figure(draw: Callable[..., object], update: Callable[..., object] | None = None, /, **controls):
    """Draw now and whenever a control moves; return the widget (None when static).

    live_figure(draw, **controls): draw(**values) builds a new figure each time.
    live_figure(setup, update, **controls): setup(fig) -> artists once, update(artists, **values) each move.
    `controls` maps the keyword names of draw / update to ipywidgets controls (sliders, dropdowns...).
    """
    if update is not None:
        return _in_place(draw, update, controls)
    import matplotlib.pyplot as plt

    BUILT.append((draw, _values(controls)))
    if is_quiet():
        draw(**_values(controls))
        plt.show()
        return None
    import ipywidgets as widgets
    from IPython.display import display

    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = False  # recompute when the slider is released, not on every pixel
        _whole_label(control)

    def redraw(**values):
        with no_bars():
            draw(**values)
        plt.show()

    output = widgets.interactive_output(redraw, controls)
    box = widgets.VBox([widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                        output])
    display(box)
    return box


def _values(controls: Mapping[str, Any]) -> dict:
    return {name: control.value for name, control in controls.items()}


def _in_place(setup, update, controls):
    if is_quiet():
        import matplotlib.pyplot as plt

        fig = plt.figure(facecolor=BACKGROUND)
        artists = setup(fig)
        with no_bars():
            update(artists, **_values(controls))
        BUILT.append((_offscreen_redraw(setup, update, _values(controls)), _values(controls)))
        plt.show()
        return None
    from IPython.display import display

    live = LiveFigure(setup, update, controls)
    BUILT.append((_weak_redraw(live), _values(controls)))
    LIVE.append(live)
    while len(LIVE) > KEEP_LIVE:
        LIVE.pop(0).close()
    display(live.box)
    return live


def _weak_redraw(live):
    """A move's work in the kernel (update, frame, PNG) without sending it, as long as the widget lives."""
    import weakref

    ref = weakref.ref(live)

    def redraw(**values):
        widget = ref()
        if widget is not None and widget.frames is not None:
            widget.frames.redraw(**values)
            widget.frames.png()

    return redraw


def _offscreen_redraw(setup, update, defaults):
    """A redraw as a live widget does it (update, blit or draw, PNG), on figures of its own made when first
    called: what bench.notebook_costs times where no widget is built."""
    frames = []

    def redraw(**values):
        if not frames:
            frames.append(Frames(setup, update, defaults))
        frames[0].redraw(**values)
        frames[0].png()

    return redraw


def _freeze_layout(fig) -> None:
    """Apply the figure's layout engine once (with the first update's text in place), then keep it fixed."""
    if fig.get_layout_engine() is None:
        return
    fig.canvas.draw()  # the engine runs during a draw
    fig.set_layout_engine("none")


def encode_png(rgba) -> bytes:
    """An RGB PNG of an (h, w, 4) uint8 image: no row filter, zlib level PNG_COMPRESSION.

    A plot is mostly flat colour, which zlib alone packs well; skipping the filters and the alpha channel
    makes this about twice as fast as Pillow's encoder at its fastest level, for 20% more bytes.
    """
    import struct
    import zlib

    import numpy as np

    h, w = rgba.shape[:2]
    rows = np.empty((h, 1 + 3 * w), np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:].reshape(h, w, 3)[...] = rgba[..., :3]

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(memoryview(rows).cast("B"), PNG_COMPRESSION)) + chunk(b"IEND", b""))


def _artists_in(tree, found: list) -> list:
    """Every matplotlib artist in what setup returned (dicts, lists, tuples, containers), Axes excepted."""
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase

    if isinstance(tree, (Axes, FigureBase)):
        return found
    if isinstance(tree, Artist):
        found.append(tree)
    elif isinstance(tree, Mapping):
        for value in tree.values():
            _artists_in(value, found)
    elif isinstance(tree, (list, tuple, set, frozenset)):  # a BarContainer is a tuple of its bars
        for value in tree:
            _artists_in(value, found)
    return found


class Frames:
    """A figure made once by setup(fig), redrawn in place by update(artists, **values), off screen.

    The artists setup returns are the ones that move. A frame is the figure's still background, kept from
    the last whole draw, with the moving artists drawn over it (blitting). What a whole draw would put
    above them in their axes (a legend, the spines, a title) is drawn once onto a transparent layer and
    laid over them again in every frame, so a frame is the same picture as a whole draw (to a unit of
    rounding where a layer is laid over), at the cost of the moving artists alone. When update changes
    anything else (a title it did not return, axis limits, a new artist), matplotlib marks the figure
    stale and the frame is drawn whole, which then becomes the background; a change to a layered artist
    redraws its layer.
    """

    def __init__(self, setup, update, defaults: Mapping[str, Any]):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.update_fn = update
        self.figure = Figure(facecolor=BACKGROUND)
        FigureCanvasAgg(self.figure)
        self.artists = setup(self.figure)
        if self.figure.get_figwidth() * self.figure.dpi > MAX_WIDTH_PX:
            self.figure.set_dpi(MAX_WIDTH_PX / self.figure.get_figwidth())
        self.moving = _artists_in(self.artists, [])
        for artist in self.moving:
            artist.set_animated(True)  # changes to them no longer mark the figure stale
        self.full_draws = 0   # frames drawn whole (the first one, and whenever update changed the background)
        self.blits = 0        # frames drawn as background + moving artists (+ layers)
        self.layer_draws = 0  # layers drawn again because update changed an artist in one
        self._background = None
        self._plan: list = []  # ("draw", [artists]) or ("layer", [artists], cached pixels), in drawing order
        self.readout = self.update_fn(self.artists, **defaults)
        self.last_values = dict(defaults)
        _freeze_layout(self.figure)
        self.draw()

    def _make_plan(self) -> None:
        """Per axes, what a whole draw puts from the first moving artist on (its order: z order, then the
        order they were added), in runs of moving artists and of still ones; all of them left out of the
        background. Moving artists outside any axes are drawn last."""
        moving = {id(a) for a in self.moving}
        plan = []
        for ax in self.figure.axes:
            if not ax.get_visible():  # a hidden axes hides what is in it, moving or not
                continue
            children = [c for c in ax.get_children() if c is not ax.patch]
            if not (ax.axison and ax.get_frame_on()):
                children = [c for c in children if c not in ax.spines.values()]
            if not ax.axison:
                children = [c for c in children if c not in (ax.xaxis, ax.yaxis)]
            order = sorted(children, key=lambda a: a.get_zorder())
            first = next((i for i, a in enumerate(order) if id(a) in moving), None)
            if first is None:
                continue
            for artist in order[first:]:
                kind = "draw" if id(artist) in moving else "layer"
                artist.set_animated(True)
                if plan and plan[-1][0] == kind and plan[-1][-1] is ax:
                    plan[-1][1].append(artist)
                else:
                    plan.append([kind, [artist], None, ax])
        in_axes = {id(a) for ax in self.figure.axes for a in ax.get_children()}
        rest = [a for a in self.moving if id(a) not in in_axes]
        if rest:
            plan.append(["draw", rest, None, None])
        self._plan = plan

    def _draw_layers(self) -> None:
        """Each layer drawn alone on a transparent canvas, kept as (pixel index, colour x alpha, 255 - alpha)."""
        import numpy as np

        renderer = self.figure.canvas.get_renderer()
        for step in self._plan:
            if step[0] != "layer":
                continue
            renderer.clear()
            for artist in step[1]:
                self.figure.draw_artist(artist)
            flat = np.asarray(self.figure.canvas.buffer_rgba()).reshape(-1, 4)
            index = np.flatnonzero(flat[:, 3])
            alpha = flat[index, 3:4].astype(np.uint32)
            step[2] = (index, flat[index, :3].astype(np.uint32) * alpha, 255 - alpha)

    def _layered(self) -> list:
        return [a for step in self._plan if step[0] == "layer" for a in step[1]]

    def redraw(self, **values) -> None:
        """update(artists, **values), then the frame drawn into the canvas' buffer."""
        self.readout = self.update_fn(self.artists, **values)
        self.last_values = dict(values)
        self.draw()

    def draw(self) -> None:
        import numpy as np

        canvas = self.figure.canvas
        if self._background is None or self.figure.stale:
            self._make_plan()
            canvas.draw()  # everything but the animated artists
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
            self._draw_layers()
            layered = self._layered()
        else:
            layered = self._layered()
            if any(a.stale for a in layered):
                self._draw_layers()
                self.layer_draws += 1
            self.blits += 1
        canvas.restore_region(self._background)
        frame = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
        for kind, artists, pixels, _ in self._plan:
            if kind == "draw":
                for artist in artists:
                    self.figure.draw_artist(artist)
            elif len(pixels[0]):
                index, premultiplied, rest = pixels
                under = frame[index, :3].astype(np.uint32)
                frame[index, :3] = ((premultiplied + under * rest + 127) // 255).astype(np.uint8)
        # Drawing can touch what it draws (a legend sets its frame's bounds, which marks the axes stale):
        # only a change made by update may send the next frame back to a whole draw.
        for ax in self.figure.axes:
            ax.stale = False
        self.figure.stale = False
        for artist in layered:
            artist.stale = False

    def png(self) -> bytes:
        import numpy as np

        return encode_png(np.asarray(self.figure.canvas.buffer_rgba()))


def _show_traceback(error: BaseException) -> None:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.showtraceback((type(error), error, error.__traceback__))
    else:
        import traceback

        traceback.print_exception(error)


def readout_html(numbers) -> str:
    """What update returned, as the HTML beside the picture: a table for a mapping, a paragraph for text."""
    if numbers is None:
        return ""
    if isinstance(numbers, Mapping):
        rows = "".join(f"<tr><th style='text-align:left;padding:1px 12px 1px 0;font-weight:normal;'>"
                       f"{html.escape(str(k))}</th><td style='text-align:right;padding:1px 0;"
                       f"font-variant-numeric:tabular-nums;'>{html.escape(_number(v))}</td></tr>"
                       for k, v in numbers.items())
        return (f"<table class='course-readout-table' style='border-collapse:collapse;line-height:1.35;"
                f"color:var(--jp-ui-font-color1, inherit);'>{rows}</table>")
    return (f"<div style='white-space:pre-wrap;line-height:1.35;color:var(--jp-ui-font-color1, inherit);'>"
            f"{html.escape(str(numbers))}</div>")


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if math.isnan(value):
        return "n/a"
    return f"{value:.4g}"


class LiveFigure:
    """A figure made once by setup(fig) and updated in place by update(artists, **values)."""

    def __init__(self, setup, update, controls: Mapping[str, Any]):
        import ipywidgets as widgets

        self.controls = dict(controls)
        self.defaults = _values(self.controls)
        self.renders = 0           # pictures sent to the page
        self.seconds = 0.0         # the last update, frame and PNG
        self.timings: list[float] = []  # seconds of each move's update, frame and PNG (the last 200)
        self._held = 0
        self._missed = False
        self._log_shown = False  # the log area holds a print or an error of the last move
        start = time.perf_counter()
        with no_bars():
            self.frames = Frames(setup, update, self.defaults)

        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto",
                                                                       object_fit="contain"))
        self.image.add_class("course-live-image")
        self.readout = widgets.HTML(layout=widgets.Layout(padding="4px 8px", flex="0 0 auto"))
        self.readout.add_class("course-readout")
        self.log = widgets.Output()  # errors and prints of update appear here, below the picture
        self.reset_button = widgets.Button(description="reset", icon="undo",
                                           tooltip="put every control back to its starting value",
                                           layout=widgets.Layout(width="auto"))
        self.reset_button.add_class("course-reset")
        self.reset_button.on_click(lambda _: self.reset())
        if not any(MAIN_CLASS in getattr(c, "_dom_classes", ()) for c in self.controls.values()):
            first = next((c for c in self.controls.values() if "Slider" in type(c).__name__), None)
            if first is not None:
                first.add_class(MAIN_CLASS)
        for control in self.controls.values():
            _finish(control, main=False)

        self.render()
        self.seconds = time.perf_counter() - start
        self._follow_drags()
        for control in self.controls.values():
            control.observe(self._changed, names="value")

        # The readout sits right beside the picture, which shrinks to make room for it down to 480 px (a
        # narrow figure keeps its own width), and below it on a narrower page.
        picture = widgets.Box([self.image], layout=widgets.Layout(flex="0 1 auto", min_width="480px"))
        picture.add_class("course-live-picture")
        self.box = widgets.VBox([
            widgets.HBox([*self.controls.values(), self.reset_button],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
            widgets.HBox([picture, self.readout], layout=widgets.Layout(flex_flow="row wrap",
                                                                        align_items="flex-start")),
            self.log,
        ])
        self.box.add_class("course-live-figure")

    def close(self) -> None:
        """Stop following the controls, close the widgets made here and free the figure."""
        for control in self.controls.values():
            control.unobserve(self._changed, names="value")
        for widget in (self.box, *self.box.children, *self.box.children[1].children, self.image, self.readout,
                       self.log, self.reset_button):
            widget.close()
        self.frames = None

    # --- moving ---------------------------------------------------------------------------------
    @property
    def figure(self):
        return self.frames.figure

    @property
    def artists(self):
        return self.frames.artists

    @property
    def last_values(self) -> dict:
        return self.frames.last_values

    def render(self) -> None:
        """Send the frame as it is now (and the readout) to the page."""
        self.image.value = self.frames.png()
        self.readout.value = readout_html(self.frames.readout)
        self.renders += 1

    def show(self, values: Mapping[str, Any]) -> None:
        """Update to `values` and send the new picture; an error (or a print) of update shows below it.

        What update prints is caught and only then written to the log area: an Output widget costs a few
        messages to the page per use, which a move that prints nothing should not pay."""
        start = time.perf_counter()
        printed = io.StringIO()
        error = None
        try:
            with no_bars(), redirect_stdout(printed), redirect_stderr(printed):
                self.frames.redraw(**values)
        except Exception as exc:  # noqa: BLE001 - the student's code: show its traceback, keep the widget alive
            error = exc
        if self._log_shown:
            self.log.clear_output()  # the print or the error of an earlier move
            self._log_shown = False
        if printed.getvalue() or error is not None:
            self._log_shown = True
            with self.log:
                print(printed.getvalue(), end="")
                if error is not None:
                    _show_traceback(error)
        if error is None:
            self.render()
        self.seconds = time.perf_counter() - start
        self.timings = [*self.timings[-199:], self.seconds]
        self._follow_drags()

    def _follow_drags(self) -> None:
        """Recompute while a slider is dragged when the last update was quick, else on its release."""
        live = self.seconds <= DRAG_LIMIT_S
        for control in self.controls.values():
            if hasattr(control, "continuous_update") and control.continuous_update != live:
                control.continuous_update = live

    def _changed(self, change) -> None:
        if self._held:
            self._missed = True
            return
        self.show(_values(self.controls))

    @contextmanager
    def hold(self):
        """Change several controls with one redraw at the end (the reset button uses it)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._missed:
                self._missed = False
                self.show(_values(self.controls))

    def reset(self) -> None:
        with self.hold():
            for name, control in self.controls.items():
                control.value = self.defaults[name]

