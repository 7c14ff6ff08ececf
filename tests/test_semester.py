"""One term with the grader, end to end: three lessons with due dates, six students, submissions from a
Canvas download and through nbgrader's exchange (released, fetched and submitted with nbgrader's own commands), a late submission penalized, a late one with an
extension not, a copied pair found, a fixed test regraded for the class, the Canvas import file checked
column by column, and feedback packaged for every student (Canvas) and released into the exchange, where each student's
`nbgrader fetch_feedback` finds it."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeFetchFeedback, ExchangeSubmit

from grader.cli import main
from grader.course.folder import COURSE_ID, Course
from grader.course.notebooks import nbgrader_meta, read_notebook
from grader.pipeline.outcomes import Ledger

pytestmark = pytest.mark.slow
LESSONS = ["10_vectors", "11_stats", "12_fit"]


def _meta(grade_id, *, solution=False, grade=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _lesson(answers: list[tuple[str, str, str, str]]):
    """answers: (function, solution body, visible test, hidden test)."""
    cells = [new_markdown_cell("# A lesson", metadata=_meta("intro")),
             new_code_cell("import numpy as np", metadata=_meta("setup"))]
    for name, body, visible, hidden in answers:
        signature, code = body.split("\n", 1)
        cells.append(new_code_cell(f"{signature}\n    ### BEGIN SOLUTION\n{code}\n    ### END SOLUTION",
                                   metadata=_meta(name, solution=True)))
        cells.append(new_code_cell(f"import numpy as np\n{visible}\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS",
                                   metadata=_meta(f"test_{name}", grade=True, points=2)))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


SOURCES = {
    "10_vectors": [
        ("normalize", "def normalize(v):\n    v = np.asarray(v, dtype=float)\n    return v / np.linalg.norm(v)",
         "assert np.allclose(normalize([3.0, 4.0]), [0.6, 0.8])",
         "assert np.allclose(normalize([0.0, 2.0, 0.0]), [0.0, 1.0, 0.0])"),
        ("distances", "def distances(X):\n    X = np.asarray(X, dtype=float)\n"
                      "    return np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))",
         "assert np.allclose(distances([[0.0, 0.0], [3.0, 4.0]]), [[0.0, 5.0], [5.0, 0.0]])",
         "assert np.allclose(distances([[1.0], [2.0], [4.0]])[0], [0.0, 1.0, 3.0])"),
    ],
    "11_stats": [
        ("running_mean", "def running_mean(xs):\n    xs = np.asarray(xs, dtype=float)\n"
                         "    return np.cumsum(xs) / np.arange(1, len(xs) + 1)",
         "assert np.allclose(running_mean([2.0, 4.0, 6.0]), [2.0, 3.0, 4.0])",
         "assert np.allclose(running_mean([1.0]), [1.0])"),
        ("zscore", "def zscore(x):\n    x = np.asarray(x, dtype=float)\n    return (x - x.mean()) / x.std()",
         "assert np.allclose(zscore([1.0, 3.0]), [-1.0, 1.0])",
         "assert abs(float(np.mean(zscore([5.0, 1.0, 9.0])))) < 1e-12"),
    ],
    "12_fit": [
        ("fit_line", "def fit_line(x, y):\n    x, y = np.asarray(x, float), np.asarray(y, float)\n"
                     "    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()\n"
                     "    return float(slope), float(y.mean() - slope * x.mean())",
         "assert np.allclose(fit_line([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]), [2.0, 1.0])",
         "assert np.allclose(fit_line([1.0, 2.0, 4.0], [2.0, 2.0, 2.0]), [0.0, 2.0])"),
        ("predict", "def predict(coef, x):\n    return coef[0] * np.asarray(x, float) + coef[1]",
         "assert np.allclose(predict((2.0, 1.0), [0.0, 1.0]), [1.0, 3.0])",
         "assert np.allclose(predict((0.5, 0.0), [4.0]), [2.0])"),
    ],
}

# eve's own way of writing lesson 12, and fay's copy of it: names changed, functions in the other order.
EVE_FIT = ('''def fit_line(x, y):
    xs = np.array(x, dtype=float)
    ys = np.array(y, dtype=float)
    centered = xs - np.mean(xs)
    gradient = np.dot(centered, ys - np.mean(ys)) / np.dot(centered, centered)
    offset = np.mean(ys) - gradient * np.mean(xs)
    return float(gradient), float(offset)''', '''def predict(coef, x):
    gradient, offset = coef
    values = np.array(x, dtype=float)
    return values * gradient + offset''')
FAY_FIT = ('''def fit_line(a, b):
    aa = np.array(a, dtype=float)
    bb = np.array(b, dtype=float)
    shifted = aa - np.mean(aa)
    m = np.dot(shifted, bb - np.mean(bb)) / np.dot(shifted, shifted)
    c = np.mean(bb) - m * np.mean(aa)
    return float(m), float(c)''', '''def predict(params, pts):
    m, c = params
    arr = np.array(pts, dtype=float)
    return arr * m + c''')

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,10_vectors (501),Old quiz (502)
    Points Possible,,,,,4,10
"Lovelace, Ada",101,S101,ada,Section 1,,9
"Brown, Ben",102,S102,ben,Section 1,,7
"Young, Cy",103,S103,cy,Section 2,,8
"Dean, Dee",104,S104,dee,Section 2,,6
"Evans, Eve",105,S105,eve,Section 1,,9
"Fox, Fay",106,S106,fay,Section 2,,5
Test Student,999,,,,,
"""

COURSE_TOML = """
[late]
policy = "per_day"
per_day = 10
cap = 50
marker_days = 1

[lessons.10_vectors]
due = 2026-10-05T23:59:00+00:00
[lessons.11_stats]
due = 2026-10-12T23:59:00+00:00
[lessons.12_fit]
due = 2026-10-19T23:59:00+00:00

[extensions.cy]
11_stats = 3

[lms]
canvas_roster = "canvas_export.csv"

[exchange]
root = "{exchange}"
"""


def _answered(release, functions: dict[str, str]):
    nb = read_notebook(release) if isinstance(release, Path) else release
    for cell in nb.cells:
        name = nbgrader_meta(cell).get("grade_id")
        if name in functions:
            cell.source = functions[name]
    return nb


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("term")
    repo = root / "repo"
    (repo / "solutions").mkdir(parents=True)
    (repo / "lessons").mkdir()
    for lesson, answers in SOURCES.items():
        nbformat.write(_lesson(answers), str(repo / "solutions" / f"{lesson}.ipynb"))
    course_dir = root / "course"
    course_dir.mkdir()
    exchange = root / "exchange"
    exchange.mkdir()
    (course_dir / "course.toml").write_text(COURSE_TOML.format(exchange=exchange))
    (course_dir / "canvas_export.csv").write_text(ROSTER)
    base = ["--repo", str(repo), "--course-dir", str(course_dir), "--quiet"]
    assert main(base + ["release", "--lessons"]) == 0  # the answered copies below start from lessons/
    right = {lesson: {name: body for name, body, _, _ in answers} for lesson, answers in SOURCES.items()}
    wrong = {lesson: {name: f"def {body.split('(')[0][4:]}(*args):\n    return 0" for name, body in funcs.items()}
             for lesson, funcs in right.items()}

    # Lesson 10 comes from Canvas: one zip, ben's file marked late (Canvas gives no time with it).
    canvas = root / "canvas_10.zip"
    with zipfile.ZipFile(canvas, "w") as zf:
        for student, uid, late, answers in [("ada", 101, "", right), ("ben", 102, "LATE_", right), ("cy", 103, "", right),
                                            ("dee", 104, "", wrong), ("eve", 105, "", right), ("fay", 106, "", right)]:
            nb = _answered(repo / "lessons" / "10_vectors.ipynb", answers["10_vectors"])
            zf.writestr(f"{student}_{late}{uid}_{9000 + uid}_10_vectors.ipynb", nbformat.writes(nb))
    assert main(base + ["collect", str(canvas)]) == 0
    # Lessons 11 and 12 go through nbgrader's exchange on a JupyterHub: released into it, fetched and
    # submitted by each student with nbgrader's own commands, collected from its inbound folder.
    assert main(base + ["release", "11_stats", "12_fit", "--exchange"]) == 0
    stamps = {"ben": "2026-10-14 12:00:00.000000 UTC", "cy": "2026-10-14 12:00:00.000000 UTC"}  # 1.5 days late; cy has 3 more
    for student in ("ada", "ben", "cy", "dee", "eve", "fay"):
        for lesson in ("11_stats", "12_fit"):
            answers = dict(right[lesson] if student != "dee" else wrong[lesson])
            if lesson == "12_fit" and student in ("eve", "fay"):
                answers = dict(zip(("fit_line", "predict"), EVE_FIT if student == "eve" else FAY_FIT))
            _as_student(ExchangeFetchAssignment, exchange, root / "homes" / student, student, lesson)
            fetched = root / "homes" / student / lesson / f"{lesson}.ipynb"
            nbformat.write(_answered(fetched, answers), str(fetched))
            _as_student(ExchangeSubmit, exchange, root / "homes" / student, student, lesson)
    # The submissions were made in October: the exchange's clock is set back to then (nbgrader writes "now").
    # On the hub each student's account owns what they submit: the folders are given to made-up uids here, and
    # the collect maps each student id to its uid (grader.delivery.exchange.student_uid).
    uids = {student: 20001 + k for k, student in enumerate(("ada", "ben", "cy", "dee", "eve", "fay"))}
    for folder in (exchange / COURSE_ID / "inbound").iterdir():
        student, lesson = folder.name.split("+")[:2]
        (folder / "timestamp.txt").write_text(stamps.get(student, "2026-10-01 09:00:00.000000 UTC")
                                              if lesson == "11_stats" else "2026-10-01 09:00:00.000000 UTC")
        for path in [folder, *folder.iterdir()]:
            os.chown(path, uids[student], -1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("grader.delivery.exchange.student_uid", uids.get)
        assert main(base + ["collect", "--exchange"]) == 0
    exit_code = main(base + ["autograde", "--cell-timeout", "20", "--workers", "2"])
    course = Course.at(repo, course_dir)
    return course, base, exit_code, exchange


def _as_student(app_class, exchange: Path, home: Path, student: str, lesson: str):
    """One of nbgrader's student-side exchange commands, run as `student` from their home folder."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    home.mkdir(parents=True, exist_ok=True)
    c = Config()
    c.Exchange.root = str(exchange)
    c.Exchange.cache = str(home / ".nbgrader_cache")
    c.Exchange.assignment_dir = str(home)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.student_id = student
    c.CourseDirectory.assignment_id = lesson
    app = app_class(coursedir=CourseDirectory(config=c), authenticator=Authenticator(config=c), config=c)
    app.start()
    return app


def _outcome(course, student, lesson):
    return Ledger(course.course_dir).load()[f"{student}/{lesson}"]


def test_the_term_is_graded_and_dee_needs_attention(term):
    course, _, exit_code, _ = term
    assert exit_code == 0, "every submission ran fine (dee is wrong, not broken)"
    assert _outcome(course, "ada", "10_vectors").score == 4.0 and _outcome(course, "dee", "11_stats").score == 0.0


def test_late_work_loses_what_the_policy_says_and_an_extension_protects(term):
    course, _, _, _ = term
    ben = _outcome(course, "ben", "11_stats")  # 1.5 days late: two started days, 10% each
    assert (ben.raw_score, ben.penalty, ben.score) == (4.0, 0.8, 3.2) and 1.4 < ben.days_late < 1.6
    cy = _outcome(course, "cy", "11_stats")    # the same time, but 3 days more: on time
    assert (cy.raw_score, cy.penalty, cy.score, cy.days_late) == (4.0, 0.0, 4.0, 0.0)
    marked = _outcome(course, "ben", "10_vectors")  # Canvas's LATE marker: counted as marker_days = 1 late
    assert (marked.penalty, marked.score) == (0.4, 3.6)
    assert _outcome(course, "ada", "10_vectors").penalty == 0.0


def test_the_reports_show_raw_scores_beside_penalties(term):
    course, base, _, _ = term
    assert main(base + ["report"]) == 0
    rows = {(r["student_id"], r["lesson"]): r for r in csv.DictReader((course.reports_dir / "grades.csv").open())}
    assert (rows[("ben", "11_stats")]["raw_score"], rows[("ben", "11_stats")]["late_penalty"],
            rows[("ben", "11_stats")]["score"]) == ("4.0", "0.8", "3.2")


def test_the_canvas_file_is_canvas_import_format_column_by_column(term):
    course, base, _, _ = term
    assert main(base + ["report"]) == 0
    rows = list(csv.reader(io.StringIO((course.reports_dir / "canvas_import.csv").read_text())))
    header, points, students = rows[0], rows[1], rows[2:]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "10_vectors (501)", "11_stats", "12_fit"]
    assert points == ["    Points Possible", "", "", "", "", "4", "4", "4"]
    by_id = {r[1]: r for r in students}
    assert set(by_id) == {"101", "102", "103", "104", "105", "106"}, "every student, by Canvas's own ID; not the test student"
    assert by_id["101"][:5] == ["Lovelace, Ada", "101", "S101", "ada", "Section 1"]
    assert by_id["102"][5:] == ["3.6", "3.2", "4"] and by_id["104"][5:] == ["0", "0", "0"]
    assert all(len(r) == len(header) for r in rows)


def test_an_unscored_submission_is_empty_in_the_canvas_file_never_zero(term, tmp_path):
    course, base, _, _ = term
    broken = course.submitted_notebook("fay", "10_vectors")
    saved = broken.read_bytes()
    try:
        broken.write_text("{ cut off")
        assert main(base + ["autograde", "10_vectors", "--student", "fay"]) == 1, "not ok: exit 1"
        main(base + ["report"])
        rows = {r[1]: r for r in csv.reader(io.StringIO((course.reports_dir / "canvas_import.csv").read_text()))}
        assert rows["106"][5] == ""
    finally:
        broken.write_bytes(saved)
        assert main(base + ["autograde", "10_vectors", "--student", "fay"]) == 0


def test_the_copied_pair_is_found_and_no_one_else(term):
    course, base, _, _ = term
    assert main(base + ["similarity"]) == 1, "a pair found: exit 1"
    found = {lesson: list(csv.DictReader((course.reports_dir / f"similarity_{lesson}.csv").open())) for lesson in LESSONS}
    assert found["10_vectors"] == [] and found["11_stats"] == []
    assert [(r["student"], r["other_student"]) for r in found["12_fit"]] == [("eve", "fay")]
    assert "fay" in (course.reports_dir / "similarity_12_fit.html").read_text()


def test_a_fixed_test_is_regraded_for_the_class_and_nothing_else_runs(term):
    course, base, _, _ = term
    source = course.repo / "solutions" / "11_stats.ipynb"
    nb = read_notebook(source)
    for cell in nb.cells:  # the instructor makes test_zscore's hidden check stricter: dee's zero now fails it too
        if nbgrader_meta(cell).get("grade_id") == "test_zscore":
            cell.source = cell.source.replace("< 1e-12", "< 1e-12 and abs(float(np.std(zscore([5.0, 1.0, 9.0]))) - 1) < 1e-12")
    nbformat.write(nb, str(source))
    before = {s: _outcome(course, s, "11_stats") for s in ("ada", "ben", "dee")}
    import grader.pipeline.jobs as jobs

    ran = []
    real = jobs.run_job
    jobs.run_job = lambda job: (lambda r: ran.append((job.student, r.log.executed)) or r)(real(job))
    try:
        assert main(base + ["regrade", "11_stats", "--test", "test_zscore"]) == 0
    finally:
        jobs.run_job = real
    assert ran and all("test_running_mean" not in cells and "test_zscore" in cells for _, cells in ran)
    after = {s: _outcome(course, s, "11_stats") for s in ("ada", "ben", "dee")}
    assert after["ada"].score == before["ada"].score == 4.0 and after["ben"].score == before["ben"].score == 3.2
    assert after["dee"].cells == before["dee"].cells
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url) as gb:
        assert gb.find_submission_notebook("11_stats", "11_stats", "ben").score == 4.0


def test_feedback_reaches_every_student(term, capsys):
    course, base, _, exchange = term
    capsys.readouterr()
    assert main(base + ["feedback", "--package", "canvas", "--release"]) == 0
    # Canvas: lesson 10 came from Canvas, so its feedback goes back in Canvas's bulk-upload naming.
    with zipfile.ZipFile(course.course_dir / "feedback_packages" / "canvas" / "10_vectors.zip") as zf:
        names = sorted(zf.namelist())
    assert names == sorted(f"{s}_{late}{uid}_{9000 + uid}_10_vectors_feedback.html" for s, uid, late in
                           [("ada", 101, ""), ("ben", 102, "LATE_"), ("cy", 103, ""), ("dee", 104, ""),
                            ("eve", 105, ""), ("fay", 106, "")])
    err = capsys.readouterr().err
    assert "not released" in err and "10_vectors" in err, "lesson 10 never went through the exchange"
    # The exchange: each student's own `nbgrader fetch_feedback` finds their page for lessons 11 and 12.
    for student in ("ada", "ben", "cy", "dee", "eve", "fay"):
        for lesson in ("11_stats", "12_fit"):
            app = _as_student(ExchangeFetchFeedback, exchange, course.course_dir.parent / "homes" / student,
                              student, lesson)
            pages = list((course.course_dir.parent / "homes" / student / lesson / "feedback").rglob(f"{lesson}.html"))
            assert len(pages) == 1 and len(app.feedback_files) == 1, (student, lesson)
            outcome = _outcome(course, student, lesson)  # the page's total is the score after any penalty
            assert f": {outcome.score:g} / 4</b>" in pages[0].read_text(), (student, lesson, outcome.score)
            if outcome.penalty:
                assert f'<td class="score">-{outcome.penalty:g}</td>' in pages[0].read_text(), "the late penalty is shown"


def test_a_mistake_in_course_toml_is_one_line_naming_the_key(term, tmp_path, capsys):
    course, base, _, _ = term
    path = course.course_dir / "course.toml"
    saved = path.read_text()
    try:
        for text, key in [("[limits]\ncel_timeout = 3\n", "limits.cel_timeout"),
                          ("[late]\npolicy = 'weekly'\n", "late.policy"),
                          ("[lessons.99_none]\ndue = 2026-01-01\n", "lessons.99_none"),
                          ("[limits]\ncell_timeout = 'long'\n", "limits.cell_timeout"),
                          ("[lessons.11_stats]\ndue = 'soon'\n", "lessons.11_stats.due")]:
            path.write_text(text)
            capsys.readouterr()
            assert main(base + ["report"]) == 2
            err = capsys.readouterr().err.strip()
            assert err.count("\n") == 0 and key in err, err
        path.write_text("[lessons.11_stats]\npoints = 5\n")  # the lesson's test cells carry 4
        capsys.readouterr()
        assert main(base + ["release", "11_stats"]) == 2
        assert "lessons.11_stats.points: 5, but the lesson's graded cells carry 4 points" in capsys.readouterr().err
    finally:
        path.write_text(saved)


def test_the_totals_say_which_lessons_they_count(term):
    import datetime as dt

    course, base, _, _ = term
    assert main(base + ["report"]) == 0
    now = dt.datetime.now(dt.timezone.utc)
    due = course.config().due
    cover = {r["lesson"]: r for r in csv.DictReader((course.reports_dir / "coverage.csv").open())}
    assert {lesson: r["counted"] for lesson, r in cover.items()} == {
        lesson: "yes" if due[lesson] <= now else "no" for lesson in LESSONS}
    totals = {r["student_id"]: r for r in csv.DictReader((course.reports_dir / "totals.csv").open())}
    counted = [lesson for lesson in LESSONS if due[lesson] <= now]
    assert totals["ada"]["counted"] == " ".join(counted) and totals["ada"]["max_total"] == str(4.0 * len(counted))


def test_after_a_regrade_every_derived_file_is_regenerated_or_marked_stale(term, capsys):
    course, base, _, _ = term
    assert main(base + ["feedback", "--package", "canvas"]) == 0
    assert main(base + ["report"]) == 0
    source = course.repo / "solutions" / "10_vectors.ipynb"
    saved = source.read_text()
    nb = read_notebook(source)
    for cell in nb.cells:  # a stricter hidden check that no answer passes: every score of the lesson changes
        if nbgrader_meta(cell).get("grade_id") == "test_normalize":
            cell.source = cell.source.replace("### END HIDDEN TESTS",
                                              "assert normalize([1.0]).shape == (2,)\n### END HIDDEN TESTS")
    nbformat.write(nb, str(source))
    feedback_marker = course.course_dir / "feedback" / "STALE.txt"
    zip_marker = course.course_dir / "feedback_packages" / "canvas" / "STALE.txt"
    try:
        capsys.readouterr()
        assert main(base + ["regrade", "10_vectors", "--test", "test_normalize"]) == 0
        warnings = [line for line in capsys.readouterr().err.splitlines() if "stale:" in line]
        assert len(warnings) == 1 and "`grader feedback 10_vectors --package canvas`" in warnings[0], warnings
        grades = {(r["student_id"], r["lesson"]): r for r in csv.DictReader((course.reports_dir / "grades.csv").open())}
        assert grades[("ada", "10_vectors")]["score"] == "2.0", "the reports were made again from the regrade"
        assert not (course.reports_dir / "STALE.txt").exists()
        assert "feedback/ada/10_vectors/10_vectors.html" in feedback_marker.read_text()
        assert "10_vectors.zip" in zip_marker.read_text()
        assert main(base + ["feedback", "10_vectors", "--package", "canvas"]) == 0
        assert main(base + ["report"]) == 0  # any later command sees the pages and the zip made again
        assert not feedback_marker.exists() and not zip_marker.exists()
    finally:
        source.write_text(saved)
        assert main(base + ["regrade", "10_vectors", "--test", "test_normalize"]) == 0
