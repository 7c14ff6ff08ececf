"""Wire sliders to a figure. The computation stays a pure, tested function; this module only wires it.

Under the autograder (NBGRADER_EXECUTION) or with COURSE_QUIET set (scripts, tests), no widget is built:
the figure is drawn once with the default values, so grading never waits for input.
"""

from __future__ import annotations

from typing import Callable

from course_lib.progress import no_bars
from course_lib.runtime import is_quiet

# Every widget built in this kernel, as (draw, default values): the benchmark times a redraw with them.
BUILT: list[tuple[Callable[..., object], dict]] = []


def live_figure(draw: Callable[..., object], **controls):
    """Call draw(**values) now and whenever a control moves; return the widget box (None when static).

    `controls` maps draw's keyword names to ipywidgets controls (sliders, dropdowns...).
    """
    import matplotlib.pyplot as plt

    BUILT.append((draw, {name: control.value for name, control in controls.items()}))
    if is_quiet():
        draw(**{name: control.value for name, control in controls.items()})
        plt.show()
        return None
    import ipywidgets as widgets
    from IPython.display import display

    for control in controls.values():
        if hasattr(control, "continuous_update"):
            control.continuous_update = False  # recompute when the slider is released, not on every pixel
        if hasattr(control, "style") and hasattr(control.style, "description_width"):
            control.style.description_width = "initial"  # the default width cuts names such as "learning rate"

    def redraw(**values):
        with no_bars():
            draw(**values)
        plt.show()

    output = widgets.interactive_output(redraw, controls)
    box = widgets.VBox([widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                        output])
    display(box)
    return box
