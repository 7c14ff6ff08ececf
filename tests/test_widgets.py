"""course_lib.widgets: a figure made once and updated in place, static and silent under the autograder.

The widgets are built without a kernel (ipywidgets then keeps its state locally), so what a move does in
the kernel is tested here: which values are drawn, how many pictures are sent, what the readout says.
What the page shows is the browser suite's (tests/browser), how fast it shows it bench.widget_latency's.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import widgets as live  # noqa: E402


@pytest.fixture
def person(monkeypatch):
    """A student's kernel: not grading, not quiet."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUIET", raising=False)
    live.BUILT.clear()
    live.LIVE.clear()
    yield
    plt.close("all")


@pytest.fixture
def grading(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    live.BUILT.clear()
    yield
    plt.close("all")


class Recorder:
    """setup / update of a small in-place figure, recording every update it is asked for."""

    def __init__(self, fail_at=None):
        self.updates: list[dict] = []
        self.setups = 0
        self.fail_at = fail_at

    def setup(self, fig):
        self.setups += 1
        fig.set_size_inches(4, 3)
        ax = fig.add_subplot()
        line, = ax.plot([], [])
        ax.set_xlim(0, 10)
        ax.set_ylim(-20, 20)
        return {"line": line, "ax": ax}

    def update(self, artists, slope, offset=0.0):
        if self.fail_at is not None and slope == self.fail_at:
            raise ValueError("the student's function failed")
        self.updates.append({"slope": slope, "offset": offset})
        x = np.arange(10.0)
        artists["line"].set_data(x, slope * x + offset)
        artists["ax"].set_title(f"slope {slope:g}")
        return {"final value": float(slope * 9 + offset), "slope": slope}


def controls():
    return {"slope": widgets.FloatSlider(value=1.0, min=-2, max=2, step=0.5, description="slope"),
            "offset": widgets.FloatSlider(value=0.0, min=-5, max=5, step=1.0, description="offset")}


# ----------------------------------------------------------------------------------- static, silent
def test_old_style_draws_once_with_the_defaults_when_grading(grading, capsys):
    seen = []
    result = live.live_figure(lambda slope, offset: seen.append((slope, offset)) or plt.plot([0, 1]), **controls())
    assert result is None
    assert seen == [(1.0, 0.0)]
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


def test_in_place_draws_a_static_figure_when_grading(grading, capsys):
    rec = Recorder()
    result = live.live_figure(rec.setup, rec.update, **controls())
    assert result is None
    assert rec.setups == 1 and rec.updates == [{"slope": 1.0, "offset": 0.0}]
    assert plt.get_fignums(), "a static figure for plt.show() to display"
    out = capsys.readouterr()
    assert out.err == "" and out.out == "", "no readout, no widget: silent under the autograder"
    redraw, values = live.BUILT[-1]
    redraw(**dict(values, slope=2.0))  # what bench.notebook_costs times: an update and a render
    assert rec.updates[-1] == {"slope": 2.0, "offset": 0.0}


def test_quiet_mode_is_static_too(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("COURSE_QUIET", "1")
    rec = Recorder()
    assert live.live_figure(rec.setup, rec.update, **controls()) is None
    plt.close("all")


# ----------------------------------------------------------------------------------- live, in place
def test_the_figure_is_made_once_and_updated_in_place(person):
    rec = Recorder()
    fig_count = len(plt.get_fignums())
    widget = live.live_figure(rec.setup, rec.update, **controls())
    assert isinstance(widget, live.LiveFigure)
    assert len(plt.get_fignums()) == fig_count, "not a pyplot figure: the inline backend must not show it again"
    first = bytes(widget.image.value)
    assert first.startswith(b"\x89PNG"), "the picture is a PNG in an image widget"
    line = widget.artists["line"]
    widget.controls["slope"].value = 2.0
    assert rec.setups == 1 and widget.artists["line"] is line, "same figure, same artists"
    assert rec.updates[-1] == {"slope": 2.0, "offset": 0.0}
    assert bytes(widget.image.value) != first
    assert widget.renders == 2
    np.testing.assert_allclose(line.get_ydata(), 2.0 * np.arange(10.0))


def test_the_final_value_of_a_drag_is_always_drawn(person):
    rec = Recorder()
    widget = live.live_figure(rec.setup, rec.update, **controls())
    for value in (-2.0, -1.5, 0.5, 1.5, -0.5):  # what a drag delivers, in order
        widget.controls["slope"].value = value
    assert rec.updates[-1]["slope"] == -0.5
    assert widget.last_values == {"slope": -0.5, "offset": 0.0}
    assert widget.artists["ax"].get_title() == "slope -0.5"


def test_reset_puts_every_control_back_with_one_redraw(person):
    rec = Recorder()
    widget = live.live_figure(rec.setup, rec.update, **controls())
    widget.controls["slope"].value = 2.0
    widget.controls["offset"].value = 3.0
    renders = widget.renders
    widget.reset_button.click()
    assert {n: c.value for n, c in widget.controls.items()} == {"slope": 1.0, "offset": 0.0}
    assert widget.renders == renders + 1, "one picture for the whole reset, not one per control"
    assert rec.updates[-1] == {"slope": 1.0, "offset": 0.0}


def test_the_readout_shows_what_update_returned(person):
    rec = Recorder()
    widget = live.live_figure(rec.setup, rec.update, **controls())
    assert "final value" in widget.readout.value and ">9<" in widget.readout.value
    widget.controls["slope"].value = -1.5
    assert "-13.5" in widget.readout.value


def test_readout_formats():
    assert live.readout_html(None) == ""
    table = live.readout_html({"loss <SGD>": 0.0123456, "steps": 1500, "diverged": True, "gap": float("nan")})
    assert "loss &lt;SGD&gt;" in table and "0.01235" in table and "1,500" in table and "True" in table
    assert "n/a" in table
    assert "final loss 0.3" in live.readout_html("final loss 0.3")


def test_an_error_in_update_leaves_the_widget_alive(person):
    rec = Recorder(fail_at=2.0)
    widget = live.live_figure(rec.setup, rec.update, **controls())
    renders = widget.renders
    widget.controls["slope"].value = 2.0  # the traceback goes to the widget's log area, not up the comm
    assert widget.renders == renders, "no picture of a half-updated figure"
    widget.controls["slope"].value = 0.5
    assert widget.renders == renders + 1 and rec.updates[-1]["slope"] == 0.5


def test_the_log_area_is_touched_only_for_a_print_or_an_error(person, monkeypatch, capsys):
    rec = Recorder(fail_at=2.0)
    chatty = {"on": False}

    def update(artists, slope, offset=0.0):
        if chatty["on"]:
            print(f"slope is {slope}")
        return rec.update(artists, slope, offset)

    widget = live.live_figure(rec.setup, update, **controls())
    uses = []
    monkeypatch.setattr(widget.log, "clear_output", lambda *a, **k: uses.append("clear"))
    widget.controls["slope"].value = 0.5
    widget.controls["slope"].value = 1.5
    assert uses == [], "a quiet move costs the log area nothing"
    chatty["on"] = True
    widget.controls["slope"].value = -1.0
    assert "slope is -1.0" in capsys.readouterr().out  # no kernel here: the log area passes it through
    chatty["on"] = False
    widget.controls["slope"].value = -0.5
    assert uses == ["clear"], "the next move clears what the last one printed"
    widget.controls["slope"].value = 2.0
    widget.controls["slope"].value = 1.0
    assert uses == ["clear", "clear"] and "the student's function failed" in capsys.readouterr().err


def test_fast_widgets_follow_a_drag_slow_ones_wait_for_the_release(person, monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(live, "DRAG_LIMIT_S", 60.0)
    fast = live.live_figure(rec.setup, rec.update, **controls())
    assert all(c.continuous_update for c in fast.controls.values())
    monkeypatch.setattr(live, "DRAG_LIMIT_S", 0.0)
    slow = live.live_figure(rec.setup, rec.update, **controls())
    assert not any(c.continuous_update for c in slow.controls.values())
    fast.controls["slope"].value = 0.5  # now slower than the limit: the next drag waits for the release
    assert not any(c.continuous_update for c in fast.controls.values())
    monkeypatch.setattr(live, "DRAG_LIMIT_S", 60.0)
    slow.controls["slope"].value = 0.5  # quick again: follows drags
    assert all(c.continuous_update for c in slow.controls.values())


def test_the_main_slider_is_marked(person):
    rec = Recorder()
    widget = live.live_figure(rec.setup, rec.update, **controls())
    assert live.MAIN_CLASS in widget.controls["slope"]._dom_classes
    assert live.MAIN_CLASS not in widget.controls["offset"]._dom_classes
    marked = dict(controls(), offset=live.float_slider("offset", -5, 5, 0.0, step=1.0, main=True))
    widget = live.live_figure(rec.setup, rec.update, **marked)
    assert [n for n, c in widget.controls.items() if live.MAIN_CLASS in c._dom_classes] == ["offset"]


def test_a_layout_engine_runs_once_then_stays(person):
    calls = []

    def setup(fig):
        fig.set_layout_engine("tight")
        ax = fig.add_subplot()
        return ax

    def update(ax, slope):
        calls.append(slope)
        ax.set_title(f"slope {slope}")

    widget = live.live_figure(setup, update, slope=widgets.FloatSlider(value=1.0, min=0, max=2, step=0.5))
    assert widget.figure.get_layout_engine() is None or type(widget.figure.get_layout_engine()).__name__ == \
        "PlaceHolderLayoutEngine"
    position = widget.figure.axes[0].get_position().bounds
    widget.controls["slope"].value = 2.0
    assert widget.figure.axes[0].get_position().bounds == position


def test_the_figure_keeps_a_light_background_for_dark_themes(person):
    rec = Recorder()
    widget = live.live_figure(rec.setup, rec.update, **controls())
    assert matplotlib.colors.to_rgba(widget.figure.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    from PIL import Image
    import io

    picture = Image.open(io.BytesIO(bytes(widget.image.value)))
    assert picture.mode == "RGB" and picture.getpixel((0, 0)) == (255, 255, 255)


def test_old_style_still_works_live(person):
    seen = []

    def draw(slope, offset):
        seen.append((slope, offset))
        plt.plot([0, 1], [offset, slope])

    box = live.live_figure(draw, **controls())
    assert isinstance(box, widgets.VBox)
    assert seen[0] == (1.0, 0.0)
    assert live.BUILT[-1][1] == {"slope": 1.0, "offset": 0.0}


def test_widgets_of_earlier_runs_are_closed(person):
    rec = Recorder()
    first = live.live_figure(rec.setup, rec.update, **controls())
    for _ in range(live.KEEP_LIVE):
        live.live_figure(rec.setup, rec.update, **controls())
    assert first not in live.LIVE and first.frames is None, "the oldest widget is closed, its figure freed"
    first.controls["slope"].value = 2.0  # no longer followed
    redraw, values = live.BUILT[0]
    redraw(**values)  # a closed widget's redraw does nothing
    newest = live.LIVE[-1]
    live.BUILT[-1][0](**dict(live.BUILT[-1][1], slope=-2.0))
    assert newest.last_values["slope"] == -2.0


# ----------------------------------------------------------------------------------- sliders
def test_slider_helpers_label_units_and_log_ranges():
    lr = live.log_slider("learning rate", 1e-4, 1.0, 0.01, main=True)
    assert isinstance(lr, widgets.FloatLogSlider)
    assert (lr.min, lr.max, lr.base) == (-4.0, 0.0, 10)
    assert lr.value == pytest.approx(0.01)
    assert live.MAIN_CLASS in lr._dom_classes
    steps = live.int_slider("budget", 10, 1500, 300, step=10, unit="loss evaluations")
    assert steps.description == "budget (loss evaluations)"
    assert steps.style.description_width == "initial"
    assert live.choice_slider("batch size", [1, 2, 4], 2).value == 2
    assert live.float_slider("momentum", 0.0, 0.99, 0.9, step=0.01).readout_format == ".3g"
    with pytest.raises(ValueError, match="0 < low < high"):
        live.log_slider("lr", 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="outside"):
        live.log_slider("lr", 1e-3, 1.0, 5.0)


# ----------------------------------------------------------------------------------- frames, blitted
def _whole(setup, update, **values):
    """The same figure drawn whole by Agg, with nothing animated: what a frame must look like."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(facecolor=live.BACKGROUND)
    FigureCanvasAgg(fig)
    artists = setup(fig)
    update(artists, **values)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def assert_same_picture(frame, whole):
    """Equal to a unit of rounding: a layer laid over the moving artists blends as Agg does, give or take 2."""
    difference = np.abs(np.asarray(frame, dtype=int) - np.asarray(whole, dtype=int))
    assert difference.max() <= 3, f"{np.count_nonzero(difference > 3)} pixel channel(s) differ by more than 3"


def legend_setup(fig):
    fig.set_size_inches(5, 3)
    ax = fig.add_subplot()
    ax.grid(alpha=0.3)
    line, = ax.plot([], [], label="moving", linewidth=3)
    ax.plot([0, 9], [0, 0], label="still")
    ax.legend(loc="upper left")  # above the moving line: it must stay on top of it in every frame
    ax.set_xlim(0, 9)
    ax.set_ylim(-10, 10)
    return {"line": line, "ax": ax}


def legend_update(artists, slope, limit=10.0):
    artists["line"].set_data(np.arange(10.0), slope * np.arange(10.0))
    if artists["ax"].get_ylim()[1] != limit:
        artists["ax"].set_ylim(-limit, limit)  # not one of the moving artists: the frame is drawn whole


def test_a_blitted_frame_is_the_whole_figure_drawn_again():
    frames = live.Frames(legend_setup, legend_update, {"slope": 0.5})
    for slope in (1.0, -1.0, 1.5):
        frames.redraw(slope=slope)
    assert frames.full_draws == 1 and frames.blits == 3, "the background is drawn once"
    frame = np.asarray(frames.figure.canvas.buffer_rgba())
    assert_same_picture(frame, _whole(legend_setup, legend_update, slope=1.5))


def test_a_change_outside_the_moving_artists_redraws_the_background():
    frames = live.Frames(legend_setup, legend_update, {"slope": 0.5})
    frames.redraw(slope=1.0, limit=20.0)
    assert frames.full_draws == 2
    frames.redraw(slope=-1.0, limit=20.0)
    assert frames.full_draws == 2 and frames.blits == 1
    assert_same_picture(frames.figure.canvas.buffer_rgba(), _whole(legend_setup, legend_update, slope=-1.0,
                                                                   limit=20.0))


def test_a_hidden_axes_hides_its_moving_artists_too():
    def setup(fig):
        left, right = fig.subplots(1, 2)
        lines = {"left": left.plot([], [], linewidth=3)[0], "right": right.plot([], [], linewidth=3)[0]}
        for ax in (left, right):
            ax.set_xlim(0, 9), ax.set_ylim(-10, 10), ax.set_title("panel")
        return {**lines, "right_ax": right}

    def update(artists, slope, panels=2):
        for name in ("left", "right"):
            artists[name].set_data(np.arange(10.0), slope * np.arange(10.0))
        artists["right_ax"].set_visible(panels == 2)

    frames = live.Frames(setup, update, {"slope": 0.5})
    frames.redraw(slope=1.0, panels=1)
    frames.redraw(slope=-1.0, panels=1)
    assert frames.blits >= 1
    assert_same_picture(frames.figure.canvas.buffer_rgba(), _whole(setup, update, slope=-1.0, panels=1))


def test_bars_and_titles_returned_by_setup_move_too():
    def setup(fig):
        ax = fig.add_subplot()
        bars = ax.bar(np.arange(4), np.ones(4))
        ax.set_ylim(0, 5)
        return {"bars": bars, "title": ax.set_title("")}

    def update(artists, height):
        for k, bar in enumerate(artists["bars"]):
            bar.set_height(height + k)
        artists["title"].set_text(f"height {height}")

    frames = live.Frames(setup, update, {"height": 1.0})
    frames.redraw(height=2.0)
    assert frames.blits == 1
    assert_same_picture(frames.figure.canvas.buffer_rgba(), _whole(setup, update, height=2.0))


def test_a_changed_title_above_the_moving_artists_is_drawn_again():
    def setup(fig):
        ax = fig.add_subplot()
        line, = ax.plot([], [], linewidth=4)
        ax.set_xlim(0, 9), ax.set_ylim(-10, 10)
        ax.legend([line], ["moving"])
        return line

    def update(line, slope):
        line.set_data(np.arange(10.0), slope * np.arange(10.0))
        line.axes.set_title(f"slope {slope:g}")  # the title is not returned: it lies in a layer above the line

    frames = live.Frames(setup, update, {"slope": 0.5})
    frames.redraw(slope=1.0)
    assert frames.layer_draws == 1 and frames.full_draws == 1
    assert_same_picture(frames.figure.canvas.buffer_rgba(), _whole(setup, update, slope=1.0))


def test_an_axes_without_its_frame_draws_no_spines():
    def setup(fig):
        ax = fig.add_subplot()
        ax.axis("off")
        ax.set_xlim(0, 1), ax.set_ylim(0, 1)
        return ax.text(0.5, 0.5, "", ha="center")

    def update(text, x):
        text.set_text(f"x = {x}")

    frames = live.Frames(setup, update, {"x": 1})
    frames.redraw(x=2)
    assert_same_picture(frames.figure.canvas.buffer_rgba(), _whole(setup, update, x=2))


def test_png_encoding_round_trips():
    from PIL import Image
    import io

    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    picture = Image.open(io.BytesIO(live.encode_png(rgba)))
    assert picture.mode == "RGB" and picture.size == (5, 7)
    np.testing.assert_array_equal(np.asarray(picture), rgba[..., :3])


def test_static_mode_registers_a_redraw_like_the_live_one(grading):
    rec = Recorder()
    live.live_figure(rec.setup, rec.update, **controls())
    redraw, values = live.BUILT[-1]
    redraw(**values)
    redraw(**dict(values, slope=-1.0))
    assert rec.updates[-1] == {"slope": -1.0, "offset": 0.0}
