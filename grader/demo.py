"""`grader demo`: the instructor's whole job on a sample class, from release to report."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from grader.bug_bank import Bug, bugs_for
from grader.course import samples
from grader.course.folder import Course
from grader.course.limits import Limits
from grader.delivery.collect import collect
from grader.delivery.release import release
from grader.errors import GraderError
from grader.pipeline.autograde import autograde
from grader.pipeline.outcomes import Outcome
from grader.reports import freshness
from grader.reports.feedback import generate_feedback
from grader.reports.grades import make_reports
from grader.reports.misconceptions import misconception_rows, top_lines
from grader.reports.similarity import compare
from grader.reports.table import format_table

# Who is in the sample class, and what each one hands in.
SAMPLE_STUDENTS = {
    "ada": "everything correct",
    "ben": "two functions wrong (from the bug bank)",
    "cy": "handed in the blank notebook",
    "dee": "correct, but one cell never finishes",
    "eve": "the upload was cut off half way",
    "fay": "correct, but deleted a test cell",
    "gus": "wrong answers, and patched numpy and the kernel's displayhook so the tests would pass",
    "hal": "one common mistake per lesson",
    "ivy": "the same mistake as hal, and a second common one",
}

# Mistakes that students commonly make, per lesson, as (function, bank bug name), most common first: hal makes
# the first, ivy the first two, so the misconception report has a shared cause to show. The bugs come from
# the bank (grader/bug_bank), whose tests prove that each one loses its function's points.
COMMON_MISTAKES = {
    "01_search_strategies": [("numerical_gradient", "divides_by_h_not_2h"),
                             ("softmax_loss_and_grad", "summed_loss_not_mean")],
    "02_backprop_gates": [("matmul_backward", "dW_averaged_over_the_batch"), ("add_gate_backward", "doubled")],
    "03_layers_and_networks": [("affine_backward", "db_not_summed_over_the_batch"),
                               ("softmax_loss", "loss_summed_not_averaged")],
    "04_optimizers": [("adam", "no_bias_correction"), ("step_decay", "drops_every_epoch")],
    "05_loss_choice": [("cross_entropy_loss", "gradient_missing_1_over_N"), ("mse_loss", "gradient_sign_flipped")],
    "06_batchnorm": [("batchnorm_backward", "missing_1_over_N"), ("batchnorm_forward", "running_statistics_never_updated")],
    "07_regularization_and_init": [("l2_penalty", "gradient_twice_too_large"),
                                   ("variance_scaling_init", "transposed_shape")],
    "08_debugging_training": [("overfit_single_batch", "records_the_loss_after_the_update"),
                              ("find_first_nonfinite", "looks_for_nan_only")],
    "09_capstone": [("FullyConnectedNet", "l2_without_the_half"), ("train_network", "fresh_config_at_every_step")],
}
CHEAT = ("\n\nimport sys\nnp.allclose = lambda *args, **kwargs: True  # make every comparison pass\n"
         "sys.displayhook = lambda value: print(20)  # and forge a score\n")


def planted_bugs(lesson: str, student: str) -> list[Bug]:
    """The known-wrong functions a sample student hands in for a lesson (none for a lesson without a bank)."""
    bank = bugs_for(lesson)
    if student == "ben":  # the first bug of each of the first two functions
        first = {}
        for bug in bank:
            first.setdefault(bug.function, bug)
        return list(first.values())[:2]
    if student in ("hal", "ivy"):
        named = {(bug.function, bug.name): bug for bug in bank}
        mistakes = [named[m] for m in COMMON_MISTAKES.get(lesson, []) if m in named]
        return mistakes[:1] if student == "hal" else mistakes[:2]
    return []


def _submission(course: Course, lesson: str, student: str, workdir: Path) -> Path:
    path = workdir / f"{student}_attempt_2026-11-23_{lesson}.ipynb"
    correct = samples.filled_in(course, lesson)
    if student in ("ben", "hal", "ivy"):
        nb = correct
        for bug in planted_bugs(lesson, student):
            nb = samples.plant(nb, bug.function, bug.source)
        return samples.write(nb, path)
    if student == "cy":
        return samples.write(samples.blank(course, lesson), path)
    if student == "dee":
        return samples.write(samples.hanging(correct), path)
    if student == "eve":
        return samples.write_corrupted(correct, path)
    if student == "fay":
        return samples.write(samples.without_first_test(correct), path)
    if student == "gus":
        nb = samples.blank(course, lesson)
        first = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code")
        first.source = first.source.rstrip() + CHEAT
        return samples.write(nb, path)
    return samples.write(correct, path)


def build_sample_zip(course: Course, target: Path) -> Path:
    """An LMS-style download: one zip, files named <student>_attempt_<date>_<lesson>.ipynb."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-samples-") as tmp, zipfile.ZipFile(target, "w") as zf:
        for lesson in course.resolve_lessons():
            for student in SAMPLE_STUDENTS:
                path = _submission(course, lesson, student, Path(tmp))
                zf.write(path, path.name)
    return target


DEMO_MARKER = ".grader-demo"


def _fresh_demo_folder(course_dir: Path) -> None:
    """Empty the demo's course folder, refusing to touch a folder the demo did not create."""
    if course_dir.exists() and any(course_dir.iterdir()) and not (course_dir / DEMO_MARKER).exists():
        raise GraderError(f"{course_dir} is not empty and was not made by `grader demo`; "
                          "choose another --course-dir (the demo deletes its folder on every run)")
    shutil.rmtree(course_dir, ignore_errors=True)
    course_dir.mkdir(parents=True)
    (course_dir / DEMO_MARKER).write_text("made by `grader demo`; deleted and rebuilt on every run\n")


def _shown(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def run_demo(repo=None, course_dir=None, cell_timeout: int = 20) -> list[Outcome]:
    base = Course.at(repo)
    course = Course(base.repo, Path(course_dir).resolve() if course_dir else base.repo / "build" / "demo")
    _fresh_demo_folder(course.course_dir)
    print(f"[1/5] release: the student copies of {len(course.resolve_lessons())} lesson(s) from solutions/ into "
          f"{_shown(course.course_dir / 'release', course.repo)} (the repository's lessons/ is left as it is)")
    for path in release(course):
        print(f"      wrote {_shown(path, course.repo)}")
    archive = build_sample_zip(course, course.course_dir / "downloads" / "lms_export.zip")
    collected = collect(course, archive)
    print(f"[2/5] collect: {len(collected.collected)} notebooks from {_shown(archive, course.repo)} "
          f"({len(SAMPLE_STUDENTS)} sample students: " + "; ".join(f"{k}: {v}" for k, v in SAMPLE_STUDENTS.items()) + ")")
    print(f"[3/5] autograde ({cell_timeout} s per cell, every kernel sandboxed, two at a time, demo cells skipped)")
    outcomes = autograde(course, limits=Limits(cell_timeout=cell_timeout, skip_ungraded=True), workers=2)
    pages = generate_feedback(course)
    freshness.record(course, pages)  # made from the grades as they are: the report's check finds them current
    print(f"[4/5] feedback: {len(pages)} HTML pages in {_shown(course.course_dir / 'feedback', course.repo)}")
    reports = make_reports(course)
    print("[5/5] report: " + ", ".join(_shown(p, course.repo) for p in reports.paths.values()))
    for line in reports.notes:  # what the totals cover; the answers in words still to grade by hand
        print(f"      {line}")
    pairs = {lesson: compare(course, lesson) for lesson in course.resolve_lessons()}
    print(f"      similarity: {sum(map(len, pairs.values()))} pair(s) of alike answers "
          f"({_shown(course.reports_dir, course.repo)}/similarity_<lesson>.csv)")
    print()
    print(format_table(outcomes))
    top = top_lines(misconception_rows(course, outcomes))
    if top:
        print()
        print("What the class got wrong (reports/misconceptions.csv):")
        for line in top:
            print(f"  {line}")
    return outcomes
