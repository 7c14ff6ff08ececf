"""How long a mistake takes to be reported: `python -m grader` from start to its one-line error, for each kind
of mistake the issue names (unknown lesson, student, test cell; a course folder that is not there).

Each case runs as a fresh process (what an instructor waits for), RUNS times; the median and the worst are
printed with the error line. Goal: under 1 s median on 2 cores, no file created, one line on stderr.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = 5
GOAL_SECONDS = 1.0


def _cases(course: Path, absent: Path) -> dict[str, list[str]]:
    lesson = sorted(p.stem for p in (REPO / "solutions").glob("*.ipynb"))[0]
    base = ["--course-dir", str(course)]
    return {
        "unknown lesson": base + ["autograde", "99_no_such_lesson"],
        "unknown student": base + ["autograde", lesson, "--student", "no_such_student"],
        "unknown test": base + ["regrade", lesson, "--test", "test_no_such_cell"],
        "missing course folder": ["--course-dir", str(absent), "report"],
    }


def _time(argv: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "grader", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    return time.perf_counter() - start, proc


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-errors-") as tmp:
        course, absent = Path(tmp) / "course", Path(tmp) / "no_such_course"
        lesson = sorted(p.stem for p in (REPO / "solutions").glob("*.ipynb"))[0]
        (course / "submitted" / "ada" / lesson).mkdir(parents=True)
        (course / "submitted" / "ada" / lesson / f"{lesson}.ipynb").write_text("{}")
        before = sorted(str(p) for p in Path(tmp).rglob("*"))
        print(f"{'mistake':<24}{'median s':>10}{'worst s':>10}  exit  lines  error")
        for name, argv in _cases(course, absent).items():
            times, proc = [], None
            for _ in range(RUNS):
                seconds, proc = _time(argv)
                times.append(seconds)
            lines = proc.stderr.strip().splitlines()
            verdict = "ok" if statistics.median(times) < GOAL_SECONDS else "SLOW"
            print(f"{name:<24}{statistics.median(times):>10.2f}{max(times):>10.2f}  {proc.returncode:>4}  {len(lines):>5}  "
                  f"{verdict}: {lines[-1][:90] if lines else ''}")
        created = sorted(set(str(p) for p in Path(tmp).rglob("*")) - set(before))
        print(f"files created by the failing commands: {len(created)}" + (f" ({created[:3]})" if created else ""))


if __name__ == "__main__":
    main()
