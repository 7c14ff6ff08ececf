"""The similarity report on the course's own lessons: the honest demo class raises no pair (the answer key
and the bug bank's mistakes are the course's code, not evidence), and a planted copy of one student's own
work, names changed and functions reordered, is found beside an independent answer that is not."""

from __future__ import annotations

import shutil

import pytest

from grader.course import samples
from grader.course.folder import Course
from grader.delivery.release import prepare_assignments
from grader.demo import SAMPLE_STUDENTS, _submission
from grader.reports.similarity import compare

pytestmark = pytest.mark.slow
LESSON = "03_layers_and_networks"

KIM = {"affine_forward": '''def affine_forward(x, w, b):
    batch = x.shape[0]
    flat = np.reshape(x, (batch, int(np.prod(x.shape[1:]))))
    result = np.dot(flat, w)
    result = result + b[np.newaxis, :]
    cache = (x, w, b)
    return result, cache''',
       "affine_backward": '''def affine_backward(dout, cache):
    inputs, weights, bias = cache
    batch = inputs.shape[0]
    flat = np.reshape(inputs, (batch, -1))
    grad_weights = np.dot(np.transpose(flat), dout)
    grad_bias = np.sum(dout, axis=0)
    grad_inputs = np.reshape(np.dot(dout, np.transpose(weights)), inputs.shape)
    return grad_inputs, grad_weights, grad_bias''',
       "relu_forward": '''def relu_forward(x):
    mask = x > 0
    result = np.where(mask, x, np.zeros_like(x))
    return result, x'''}

# kim's work with every name changed and the functions in another order
LEE = {"relu_forward": '''def relu_forward(x):
    positive = x > 0
    output = np.where(positive, x, np.zeros_like(x))
    return output, x''',
       "affine_backward": '''def affine_backward(dout, cache):
    a, m, v = cache
    count = a.shape[0]
    rows = np.reshape(a, (count, -1))
    gm = np.dot(np.transpose(rows), dout)
    gv = np.sum(dout, axis=0)
    ga = np.reshape(np.dot(dout, np.transpose(m)), a.shape)
    return ga, gm, gv''',
       "affine_forward": '''def affine_forward(x, w, b):
    count = x.shape[0]
    rows = np.reshape(x, (count, int(np.prod(x.shape[1:]))))
    out = np.dot(rows, w)
    out = out + b[np.newaxis, :]
    stash = (x, w, b)
    return out, stash'''}

# the same three functions written independently, in another style
MAX = {"affine_forward": '''def affine_forward(x, w, b):
    out = x.reshape(len(x), -1) @ w + b
    return out, (x, w, b)''',
       "affine_backward": '''def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(*x.shape)
    dw = x.reshape(len(x), -1).T @ dout
    return dx, dw, dout.sum(0)''',
       "relu_forward": '''def relu_forward(x):
    return np.maximum(x, 0), x'''}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("similar")
    course = Course(Course.at().repo, root / "course")
    prepare_assignments(course, course.resolve_lessons())
    for lesson in course.resolve_lessons():
        for student in SAMPLE_STUDENTS:
            made = _submission(course, lesson, student, root / "made")
            target = course.submitted_notebook(student, lesson)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(made, target)
    return course


def test_the_honest_demo_class_raises_no_pair(course):
    for lesson in course.resolve_lessons():
        assert compare(course, lesson) == [], lesson
        assert (course.reports_dir / f"similarity_{lesson}.csv").read_text().count("\n") == 1, "a header only"


def _own_work(course, student, answers):
    nb = samples.filled_in(course, LESSON)
    for function, source in answers.items():
        nb = samples.plant(nb, function, source)
    samples.write(nb, course.submitted_notebook(student, LESSON))


def test_a_renamed_reordered_copy_is_found_and_independent_work_is_not(course):
    _own_work(course, "kim", KIM)
    _own_work(course, "lee", LEE)
    _own_work(course, "max", MAX)
    pairs = compare(course, LESSON)
    assert [(p.first, p.second) for p in pairs] == [("kim", "lee")]
    assert pairs[0].first_share > 0.8 and pairs[0].second_share > 0.8
    page = (course.reports_dir / f"similarity_{LESSON}.html").read_text()
    assert "kim" in page and "lee" in page


def test_a_statement_nested_past_the_recursion_limit_is_left_out_not_fatal(course):
    nb = samples.filled_in(course, LESSON)
    nb = samples.plant(nb, "relu_forward", "y = " + "1 + " * 3000 + "1")
    samples.write(nb, course.submitted_notebook("deep", LESSON))
    assert all(p.first != "deep" and p.second != "deep" for p in compare(course, LESSON))


def test_the_page_names_students_labels_its_axes_and_hides_the_detector_internals(course):
    compare(course, LESSON)
    page = (course.reports_dir / f"similarity_{LESSON}.html").read_text()
    for student in SAMPLE_STUDENTS:
        if course.submitted_notebook(student, LESSON).exists():
            assert student in page, student
    assert "alt='histogram" in page and "data:image/png;base64," in page
    assert "grader-similarity-" not in page and ".py" not in page  # no temporary folder, no file names
    assert '"test_directories"' not in page and "display_t" not in page  # no raw copydetect configuration
    assert "<script" not in page


def test_a_lesson_nobody_handed_in_writes_nothing(tmp_path):
    empty = Course(Course.at().repo, tmp_path / "course")
    assert compare(empty, LESSON) == []
    assert not (tmp_path / "course" / "reports").exists()


def test_the_histogram_labels_both_axes_and_marks_the_threshold():
    from grader.reports.similarity_page import histogram_figure

    axes = histogram_figure([0.1, 0.2, 0.9], 0.6).axes[0]
    assert "share" in axes.get_xlabel() and axes.get_ylabel() == "pairs of students"
    assert [line.get_xdata()[0] for line in axes.get_lines()] == [0.6]
    assert sum(patch.get_height() for patch in axes.patches) == 3
