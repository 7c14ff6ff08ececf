"""Drive one JupyterLab page the way a student does, and read back what JupyterLab itself knows.

Clicks, drags and menu entries go through the real page. To know when a cell has finished or what it
printed, the tests ask JupyterLab's own objects (exposed with --LabApp.expose_app_in_browser) instead of
guessing from pixels.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import datetime

NOTEBOOK = "window.jupyterapp.shell.currentWidget"

CELLS_JS = """(indices) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets;
  const pick = indices === null ? cells.map((c, i) => i) : indices;
  const session = panel.sessionContext.session;
  return {
    kernel: session && session.kernel ? session.kernel.status : 'none',
    cells: pick.map(i => {
      const m = cells[i].model;
      const code = m.type === 'code';
      return {index: i, type: m.type, count: code ? m.executionCount : null,
              nbgrader: (m.metadata.nbgrader || {}), timing: (m.metadata.execution || {}),
              outputs: code ? m.outputs.toJSON() : []};
    })};
}"""


@dataclass
class Console:
    """Errors the page reported: console.error calls and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> "Console":
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        return self

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text}")


def error_outputs(cells: list[dict]) -> list[str]:
    """One line per error output or stderr text, naming the cell (1-based, as a student counts)."""
    found = []
    for cell in cells:
        for out in cell["outputs"]:
            if out.get("output_type") == "error":
                found.append(f"cell {cell['index'] + 1}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                found.append(f"cell {cell['index'] + 1} wrote to stderr: {text.strip()[:300]}")
    return found


def seconds_taken(cell: dict) -> float | None:
    """How long the kernel spent on a cell, from the timing JupyterLab records (recordTiming)."""
    start, end = cell["timing"].get("iopub.execute_input"), cell["timing"].get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))
    return (parse(end) - parse(start)).total_seconds()


@dataclass
class Validation:
    success: bool
    title: str
    text: str
    failed_cells: int


@dataclass
class SliderMove:
    label: str
    before: str
    after: str


class LabPage:
    """One browser page on a JupyterLab server, in a workspace of its own."""

    def __init__(self, page, server, workspace: str = "default"):
        self.page = page
        self.server = server
        self.workspace = workspace
        self.console = Console().watch(page)

    # --- opening --------------------------------------------------------------------------------
    def open_lab(self, tree_path: str | None = None) -> None:
        path = f"lab/workspaces/{self.workspace}" + (f"/tree/{tree_path}" if tree_path else "")
        self.page.goto(self.server.url(path))
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")

    def open_notebook(self, path: str) -> None:
        """Load JupyterLab on the notebook (as a link to it does) and wait until its kernel is idle."""
        self.open_lab(path)
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
        self.wait_kernel_idle()

    def wait_kernel_idle(self) -> None:
        self.page.wait_for_function(
            f"""() => {{ const p = {NOTEBOOK};
                 return p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel
                        && p.sessionContext.session.kernel.status === 'idle'; }}""")

    # --- reading the notebook -------------------------------------------------------------------
    def cells(self, indices: list[int] | None = None) -> dict:
        return self.page.evaluate(CELLS_JS, indices)

    def first_exercise(self) -> int:
        """Index of the first answer cell (nbgrader `solution`), where the student starts typing."""
        return next(c["index"] for c in self.cells()["cells"] if c["nbgrader"].get("solution"))

    # --- running --------------------------------------------------------------------------------
    def command(self, name: str, args: dict | None = None) -> None:
        """Run a JupyterLab command: exactly what its menu entry or shortcut does."""
        # Not awaited: a run command resolves only when every cell has finished; the tests poll instead.
        self.page.evaluate("([name, args]) => { window.jupyterapp.commands.execute(name, args); }",
                           [name, args or {}])

    def run_all_above(self, stop: int, timeout_s: float) -> dict:
        """Run > Run All Above Selected Cell, with cell `stop` selected; wait for those cells."""
        self.page.evaluate(f"(i) => {{ {NOTEBOOK}.content.activeCellIndex = i; }}", stop)
        self.command("notebook:run-all-above")
        return self.wait_cells(list(range(stop)), timeout_s)

    def run_all(self, timeout_s: float) -> dict:
        """Run > Run All Cells; wait for every cell."""
        self.command("notebook:run-all-cells")
        return self.wait_cells(None, timeout_s)

    def wait_cells(self, indices: list[int] | None, timeout_s: float) -> dict:
        """Wait until the code cells have run, or one failed (which stops the run), and the kernel is idle."""
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.cells(indices)
            code = [c for c in state["cells"] if c["type"] == "code"]
            ran = all(c["count"] is not None for c in code)
            failed = any(o.get("output_type") == "error" for c in code for o in c["outputs"])
            if (ran or failed) and state["kernel"] == "idle":
                return state
            if time.monotonic() > deadline:
                waiting = [c["index"] + 1 for c in code if c["count"] is None]
                raise AssertionError(f"cells {waiting[:8]} had not run after {timeout_s:.0f} s "
                                     f"(kernel {state['kernel']})")
            time.sleep(1.0)

    # --- widgets --------------------------------------------------------------------------------
    def cell(self, index: int):
        """The cell's element, scrolled into view (JupyterLab renders far-away cells lazily)."""
        self.page.evaluate(f"(i) => {NOTEBOOK}.content.scrollToItem(i, 'start')", index)
        locator = self.page.locator(f".jp-NotebookPanel:visible .jp-Cell[data-windowed-list-index='{index}']")
        locator.wait_for()
        return locator

    def widget_cells(self) -> list[int]:
        """Code cells whose outputs hold an ipywidgets view, in notebook order."""
        return [c["index"] for c in self.cells()["cells"]
                if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c["outputs"])]

    def main_widget(self):
        """(cell index, output element) of the first widget with a slider: the lesson's main widget."""
        for index in self.widget_cells():
            output = self.cell(index).locator(".jp-OutputArea-output:has(.widget-slider)")
            if output.count():
                output.first.scroll_into_view_if_needed()
                return index, output.first
        return None, None

    def move_first_slider(self, widget) -> SliderMove:
        """Drag the widget's first slider with the mouse and release it, as a student does.

        Toward the low end when there is room (usually the cheaper computation), else up; a second try
        the other way when the value did not change (a coarse slider can snap back to where it was).
        """
        slider = widget.locator(".widget-slider").first
        slider.scroll_into_view_if_needed()
        label = slider.locator(".widget-label").first.inner_text().strip()
        readout = slider.locator(".widget-readout").first
        before = readout.inner_text().strip()
        track = slider.locator(".noUi-target").first.bounding_box()
        handle = slider.locator(".noUi-handle").first.bounding_box()
        x0, y0 = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        at = (x0 - track["x"]) / track["width"]
        for goal in ((at * 0.5, min(at + 0.3, 0.95)) if at > 0.1 else (min(at + 0.3, 0.95), at * 0.5)):
            self.page.mouse.move(x0, y0)
            self.page.mouse.down()
            self.page.mouse.move(track["x"] + goal * track["width"], y0, steps=12)
            self.page.mouse.up()
            self.page.wait_for_timeout(500)
            after = readout.inner_text().strip()
            if after != before:
                return SliderMove(label, before, after)
            handle = slider.locator(".noUi-handle").first.bounding_box()
            x0 = handle["x"] + handle["width"] / 2
        raise AssertionError(f"dragging slider {label!r} did not change its value ({before})")

    def widget_blemishes(self, widget) -> dict[str, list[str]]:
        """What a student would notice in a rendered widget: labels cut short, placeholders left behind."""
        return widget.evaluate("""(root) => ({
          'truncated label': [...root.querySelectorAll('.widget-label')].filter(e => {
              // The text's own width against the room the label has (scrollWidth hides an ellipsis' cut).
              const css = getComputedStyle(e);
              const pen = document.createElement('canvas').getContext('2d');
              pen.font = `${css.fontStyle} ${css.fontWeight} ${css.fontSize} ${css.fontFamily}`;
              const room = e.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
              const clips = css.display !== 'inline' && css.overflowX !== 'visible';  // inline labels grow instead
              return clips && e.offsetParent !== null && pen.measureText(e.textContent.trim()).width > room + 0.5;
          }).map(e => e.textContent.trim()),
          'stuck placeholder': [...root.querySelectorAll('.widget-output *')]
              .filter(e => e.children.length === 0 && /Loading widget|Error displaying widget/.test(e.textContent))
              .map(e => e.textContent.trim()),
        })""")

    # --- nbgrader -------------------------------------------------------------------------------
    def validate(self, timeout_s: float) -> Validation:
        """Press the notebook toolbar's Validate button and read nbgrader's answer dialog."""
        self.page.locator(".jp-NotebookPanel:visible .validate-button").first.click()
        message = self.page.locator(".jp-Dialog #validation-message")
        message.wait_for(timeout=timeout_s * 1000)
        classes = message.get_attribute("class") or ""
        text = message.inner_text()
        result = Validation(success="validation-success" in classes,
                            title=self.page.locator(".jp-Dialog .jp-Dialog-header").first.inner_text().strip(),
                            text=text, failed_cells=text.count("The following cell failed"))
        self.page.locator(".jp-Dialog .jp-Dialog-button").last.click()
        return result


def png_of(widget) -> bytes:
    """The PNG bytes of the widget's figure (matplotlib's inline image); b'' while it is being redrawn.

    An in-place figure (course_lib.widgets' image widget) shows its picture from a blob: address, a new one
    for every picture: that address stands for it.
    """
    images = widget.locator(".widget-output img")
    if not images.count():
        images = widget.locator("img.course-live-image")
        if not images.count():
            return b""
    src = images.first.get_attribute("src") or ""
    return base64.b64decode(src.split(",", 1)[1]) if src.startswith("data:image/png;base64,") else src.encode()
