"""Claims a lesson's text makes about its outputs, checked where the outputs are made.

A sentence that states a number or a comparison about an output carries, right after the number, a marker
in the markdown that Jupyter does not show:

    the network reaches 97% test accuracy <!-- claim: test_accuracy >= 0.97 -->
    SGD ends with the highest loss <!-- claim: sgd_ends_highest -->

The code cell that makes the output states the same claim about what it measured:

    claim("test_accuracy", accuracy, ">=", 0.97)
    claim("sgd_ends_highest", losses["sgd"] > max(losses[k] for k in losses if k != "sgd"))

`claim` fails the run (ClaimFailed) when the measurement disagrees, and shows the evidence on one line. The
course's tests then read the notebook (`check_notebook`): every marker has its claim with the same
comparison and number, every claim has its marker, and the number in the sentence before a marker is the
marker's number (97% is 0.97). So neither the text nor the experiment can drift without a test failing.
"""

from __future__ import annotations

import math
import re

MIME = "application/vnd.course.claim+json"
OPS = (">=", "<=", ">", "<", "==", "~=", "in")
MARKER = re.compile(r"<!--\s*claim:\s*([A-Za-z_][\w]*)\s*(?:(>=|<=|==|~=|>|<|in)\s*([^>]*?))?\s*-->")
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+(?:[.,]\d+)*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?\s*(%|x\b|×)?")
APPROX = 0.05  # "~=": within 5%


class ClaimFailed(AssertionError):
    """The lesson's text says one thing; this run measured another."""


def _holds(measured, op: str, value) -> bool:
    if op == "true":
        return bool(measured)
    if op == "in":
        low, high = value
        return low <= measured <= high
    return {">=": measured >= value, "<=": measured <= value, ">": measured > value, "<": measured < value,
            "==": measured == value, "~=": abs(measured - value) <= APPROX * abs(value)}[op]


def claim(name: str, measured, op: str = "true", value=None):
    """Check a claim of the text about `measured`; returns measured. op: one of OPS, or "true" (the default)
    for a statement that must simply hold; value: a number, or (low, high) for "in"."""
    if op != "true" and op not in OPS:
        raise ValueError(f"claim {name!r}: op must be one of {OPS} or 'true', got {op!r}")
    measured = bool(measured) if op == "true" else float(measured)
    shown = "holds" if op == "true" else f"{measured:.4g} {op} {value if op != 'in' else list(value)}"
    if not _holds(measured, op, value):
        raise ClaimFailed(f"the text claims {name}" + ("" if op == "true" else f" {op} {value}") +
                          f", but this run measured {measured!r}. If you changed a function of your own, compare it "
                          "with the exercise's contract: the text describes a correct implementation.")
    record = {"name": name, "op": op, "value": list(value) if op == "in" else value, "measured": measured}
    try:
        from IPython.display import display

        display({MIME: record, "text/plain": f"claim {name}: {shown} ✓"}, raw=True)
    except ImportError:  # outside IPython there is nothing to record for
        pass
    return measured


def markers(text: str) -> list[tuple[str, str, object, str]]:
    """(name, op, value, text before the marker) for every marker in a markdown cell."""
    out = []
    for m in MARKER.finditer(text):
        name, op, raw = m.group(1), m.group(2) or "true", (m.group(3) or "").strip()
        value = None
        if op == "in":
            value = [float(v) for v in raw.strip("[]() ").split(",")]
        elif op != "true":
            value = float(raw)
        out.append((name, op, value, text[:m.start()]))
    return out


def _numbers_before(text: str) -> list[float]:
    """Numbers of the sentence that ends at a marker, as written (97% -> 0.97)."""
    sentence = re.split(r"(?<=[.!?;:])\s+(?=[A-Z(])|\n\n", text)[-1]
    out = []
    for m in NUMBER.finditer(sentence):
        number = float(m.group(0).rstrip("%x× ").replace(",", ""))
        out.append(number / 100 if m.group(1) == "%" else number)
    return out


def check_notebook(nb) -> list[str]:
    """Every way the notebook's text and its executed claims disagree (empty: they agree)."""
    problems, stated, measured = [], {}, {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for name, op, value, before in markers(cell.source):
                if name in stated:
                    problems.append(f"claim {name!r} is marked twice")
                stated[name] = (op, value)
                numbers = _numbers_before(before)
                wanted = value if op != "in" else value
                if op not in ("true",) and not any(_same(n, v) for n in numbers for v in
                                                   (wanted if isinstance(wanted, list) else [wanted])):
                    problems.append(f"claim {name!r}: the sentence before its marker does not state {value}")
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                record = output.get("data", {}).get(MIME)
                if record:
                    measured[record["name"]] = (record["op"], record["value"])
    for name, (op, value) in stated.items():
        if name not in measured:
            problems.append(f"claim {name!r} is in the text but no cell checks it")
        elif measured[name] != (op, value):
            problems.append(f"claim {name!r}: the text says {op} {value}, the cell checks {measured[name][0]} "
                            f"{measured[name][1]}")
    problems += [f"claim {name!r} is checked but the text never makes it" for name in measured if name not in stated]
    return problems


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
