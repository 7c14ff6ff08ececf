"""Every reach into nbgrader's and Jupyter's internals is still on the ground it was written for; a
changed upstream is named, with the patch and both versions."""

from __future__ import annotations

import importlib
import inspect
import linecache
import re
import textwrap

import pytest

from grader.patches import guard

TOUCHES = guard.all_touches()


@pytest.mark.parametrize("touch", TOUCHES, ids=[t.target for t in TOUCHES])
def test_the_upstream_a_patch_relies_on_is_the_one_it_was_written_against(touch):
    assert guard.changed(touch) is None, guard.changed(touch)


def test_the_declared_upper_bounds_are_the_versions_the_patches_were_written_against():
    from pathlib import Path

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0].lower().replace("_", "-"): r for r in project["dependencies"]}
    for touch in TOUCHES:
        requirement = declared[touch.package.replace("_", "-")]
        assert f"<={touch.version}" in requirement.replace(" ", ""), (touch.patch, requirement)


def _owner_and_name(target: str):
    module_name, _, qualname = target.partition(":")
    *owner_path, name = qualname.split(".")
    owner = importlib.import_module(module_name)
    for part in owner_path:
        owner = getattr(owner, part)
    return owner, name


def _changed_copy(original, name: str):
    """The same object, defined again from source that differs by one added line."""
    filename = f"<changed upstream {name}>"
    if inspect.isclass(original):
        source = f"class {name}(_original):\n    '''a new release added this class body'''\n"
        namespace = {"_original": original}
    else:
        original = inspect.unwrap(original)
        body = textwrap.dedent(inspect.getsource(original))
        header_end = body.index(":\n", body.index("def ")) + 2
        indent = re.match(r"\s*", body[header_end:]).group(0)
        source = body[:header_end] + f"{indent}_new_in_this_release = True\n" + body[header_end:]
        namespace = dict(original.__globals__)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize("touch", TOUCHES, ids=[t.target for t in TOUCHES])
def test_a_changed_upstream_fails_loudly_naming_the_patch_and_the_version(touch, monkeypatch):
    owner, name = _owner_and_name(touch.target)
    monkeypatch.setattr(owner, name, _changed_copy(guard.resolve(touch.target), name))
    problem = guard.changed(touch)
    assert problem is not None, f"{touch.target}: a changed copy went unnoticed"
    assert touch.patch in problem and touch.target in problem and touch.version in problem, problem


def test_a_target_that_is_gone_is_named_too(monkeypatch):
    touch = next(t for t in TOUCHES if "." not in t.target.partition(":")[2])  # a class of a module
    module_name, _, name = touch.target.partition(":")
    monkeypatch.delattr(importlib.import_module(module_name), name)
    problem = guard.changed(touch)
    assert problem and "gone or unreadable" in problem and touch.patch in problem and touch.version in problem


# The formgrader's Content-Security-Policy (grader.patches.formgrader_csp) runs inside the Jupyter server;
# its ground is checked here until grader.patches.guard lists it with the others.
from grader.patches import formgrader_csp  # noqa: E402

CSP_TOUCHES = formgrader_csp.TOUCHES


@pytest.mark.parametrize("touch", CSP_TOUCHES, ids=[t.target for t in CSP_TOUCHES])
def test_the_formgrader_policy_rests_on_the_upstream_it_was_written_against(touch):
    assert guard.changed(touch) is None, guard.changed(touch)


@pytest.mark.parametrize("touch", CSP_TOUCHES, ids=[t.target for t in CSP_TOUCHES])
def test_a_changed_upstream_under_the_formgrader_policy_is_named(touch, monkeypatch):
    owner, name = _owner_and_name(touch.target)
    original = guard.resolve(touch.target)
    if isinstance(original, property):  # a changed getter under the same name
        changed = property(_changed_copy(original.fget, original.fget.__name__))
    else:
        changed = _changed_copy(original, name)
    monkeypatch.setattr(owner, name, changed)
    problem = guard.changed(touch)
    assert problem is not None and touch.patch in problem and touch.version in problem, problem
