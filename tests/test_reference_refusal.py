"""Answers taken from the course's own reference implementations are refused: for every graded function
that has a twin in course_lib.reference, by import, by module attribute, by wrapper, through another
course_lib object and (forward and backward) as a pair, each is flagged `tamper suspected` naming the
function, or scores zero for that function because the grading kernel has no such reference in reach
(grader.delivery.reference_view), as a name built at run time finds."""

from __future__ import annotations

import pytest

from course_lib.reference import TWINS
from grader.bug_bank import grading_cells
from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.release import prepare_assignments
from grader.pipeline import outcomes as st
from grader.pipeline.autograde import autograde

pytestmark = pytest.mark.slow
COURSE = Course.at()

# Adapters where the reference's contract is not the graded function's (a wrapper a student could write).
ADAPTERS = {
    "TwoLayerNet": ("class TwoLayerNet(MLP):\n    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, "
                    "reg=0.0, rng=None):\n        super().__init__(input_dim, [hidden_dim], num_classes, init=weight_scale, "
                    "reg=reg, rng=rng if rng is not None else np.random.default_rng())\n"),
    "variance_scaling_init": ("def variance_scaling_init(fan_in, fan_out, scale=2.0, mode='fan_in', *, rng):\n"
                              "    std = init_std('he' if scale == 2.0 else 'xavier', fan_in, fan_out)\n"
                              "    return rng.normal(0.0, std, size=(fan_in, fan_out))\n"),
}


def _styles(module: str, name: str, function: str) -> dict[str, str]:
    """Answer cells that take `function`'s answer from course_lib.reference.<module>.<name>."""
    path = f"course_lib.reference.{module}"
    if function in ADAPTERS:
        adapter = ADAPTERS[function].replace("MLP", "REF") if name == "MLP" else ADAPTERS[function].replace("init_std", "REF")
        return {
            "import": f"import numpy as np\nfrom {path} import {name} as REF\n{adapter}",
            "module_attribute": f"import numpy as np\nimport {path} as ref\nREF = ref.{name}\n{adapter}",
            "dynamic": (f"import importlib\nimport numpy as np\nREF = getattr(importlib.import_module('course_lib.' + "
                        f"'refer' + 'ence.{module}'), '{name}')\n{adapter}"),
        }
    styles = {
        "import": f"from {path} import {name} as {function}\n",
        "module_attribute": f"import {path} as ref\n{function} = ref.{name}\n",
        "wrapper": f"def {function}(*args, **kwargs):\n    from course_lib.reference import {module}\n"
                   f"    return {module}.{name}(*args, **kwargs)\n",
        "dynamic": (f"import importlib\n{function} = getattr(importlib.import_module('course_lib.' + 'refer' + "
                    f"'ence.{module}'), '{name}')\n"),
    }
    if module == "lesson03" and name.endswith(("_forward", "_backward")):
        layer, side = name.rsplit("_", 1)
        styles["through_the_network"] = (f"from course_lib.reference.lesson03 import default_layer\n"
                                         f"{function} = default_layer('{layer}')[{0 if side == 'forward' else 1}]\n")
    if name == "softmax_loss":
        styles["through_the_network"] = ("from course_lib.debugging import MLP\n"
                                         f"{function} = MLP(2, [], 2, init=0.1, rng=None).layer_fn['softmax_loss']\n")
    return styles


def _cases():
    cases = {}
    for qualified, graded in TWINS.items():
        module, name = qualified.split(".")
        for lesson, function in graded:
            for style, source in _styles(module, name, function).items():
                # keyed by lesson too: the capstone asks for functions of earlier lessons again
                cases[f"{lesson[:2]}-{function}.{style}"] = (lesson, function, source)
    # Forward and backward taken together, in the forward's answer cell.
    for layer, lesson in (("affine", "03_layers_and_networks"), ("relu", "03_layers_and_networks"),
                          ("batchnorm", "06_batchnorm"), ("dropout", "07_regularization_and_init")):
        module = {"03_layers_and_networks": "lesson03", "06_batchnorm": "lesson06",
                  "07_regularization_and_init": "lesson07"}[lesson]
        cases[f"{lesson[:2]}-{layer}_pair"] = (lesson, f"{layer}_forward",
                                  f"from course_lib.reference.{module} import {layer}_forward, {layer}_backward\n")
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(COURSE.repo, tmp_path_factory.mktemp("refusal"))
    lessons = sorted({lesson for lesson, _, _ in CASES.values()})
    prepare_assignments(course, lessons)
    blank = {lesson: samples.blank(course, lesson) for lesson in lessons}
    for case, (lesson, function, source) in CASES.items():
        nb = blank[lesson]
        if case.endswith("_pair"):
            nb = samples.plant(samples.plant(nb, function, source), function.replace("forward", "backward"), "")
        else:
            nb = samples.plant(nb, function, source)
        samples.write(nb, course.submitted_notebook(case, lesson))
    outcomes = autograde(course, lessons, limits=Limits(cell_timeout=60, skip_ungraded=True), workers=2)
    return {o.student: o for o in outcomes}


def test_every_twin_has_its_cases():
    for qualified, graded in TWINS.items():
        for lesson, function in graded:
            prefix = f"{lesson[:2]}-{function}."
            assert {"import", "module_attribute", "dynamic"} <= {c[len(prefix):] for c in CASES if c.startswith(prefix)}


@pytest.mark.parametrize("case", CASES)
def test_an_answer_taken_from_the_course_is_flagged_or_scores_zero(graded, case):
    lesson, function, _ = CASES[case]
    outcome = graded[case]
    functions = [function] + ([function.replace("forward", "backward")] if case.endswith("_pair") else [])
    if outcome.status == st.TAMPER:
        assert outcome.score is None and "reference implementation" in outcome.reason or "course's" in outcome.reason
        assert any(f in outcome.reason for f in functions) or "reference implementations of" in outcome.reason, outcome.reason
        assert ", line " in outcome.reason
        return
    assert outcome.score is not None, outcome.describe()
    for f in functions:
        cells = grading_cells(f, outcome.cells)
        assert cells and all(outcome.cells[c][0] == 0 for c in cells), (f, {c: outcome.cells[c] for c in cells})


def test_names_the_check_can_read_are_flagged_not_just_zero(graded):
    """The static reading catches every case but a name built at run time (the kernel stops that one)."""
    for case, outcome in graded.items():
        if not case.endswith(".dynamic"):
            assert outcome.status == st.TAMPER, (case, outcome.describe())
