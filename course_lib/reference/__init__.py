"""The instructor's reference implementations of graded functions, one module per lesson that teaches them.

Later lessons' experiments use them (a network trained with lesson 03's layers in lesson 06), and the
repository's own tests check them. A graded class does not get them until the instructor publishes a
lesson's answers: the student bundle (`grader bundle`) holds only the published lessons' modules, and
the sandboxed kernel that grades lesson N has no module of lesson N or later and no function that is a
twin of one graded in lesson N or later (see TWINS).

Everything else in course_lib (checks, gradient checking, data, plots, widgets, the training loop) is for
students and never implements a graded function's contract: tests/test_no_answer_in_course_lib.py runs each
of its callables against every graded function's hidden tests. Where a lesson's experiments need a tool close
to a function a later lesson grades, the tool takes the graded parts from its caller and is listed in
TOOL_TWINS: the kernel grading that later lesson gets course_lib without it.
"""

from __future__ import annotations

# The lesson each module belongs to (its answers are published together).
MODULES = {"lesson01": "01_search_strategies", "lesson02": "02_backprop_gates", "lesson03": "03_layers_and_networks",
           "lesson04": "04_optimizers", "lesson06": "06_batchnorm", "lesson07": "07_regularization_and_init"}

# "module.name" -> the graded functions (lesson, function) it implements: using it in an answer to one of
# them is using the course's answer. A reference can implement a function of a later lesson too.
TWINS = {
    "lesson01.numerical_gradient": [("01_search_strategies", "numerical_gradient")],
    "lesson02.add_gate_backward": [("02_backprop_gates", "add_gate_backward")],
    "lesson02.mul_gate_backward": [("02_backprop_gates", "mul_gate_backward")],
    "lesson02.max_gate_backward": [("02_backprop_gates", "max_gate_backward")],
    "lesson03.affine_forward": [("03_layers_and_networks", "affine_forward"), ("09_capstone", "affine_forward")],
    "lesson03.affine_backward": [("03_layers_and_networks", "affine_backward"), ("09_capstone", "affine_backward")],
    "lesson03.relu_forward": [("03_layers_and_networks", "relu_forward"), ("09_capstone", "relu_forward")],
    "lesson03.relu_backward": [("03_layers_and_networks", "relu_backward"), ("09_capstone", "relu_backward")],
    "lesson03.softmax_loss": [("03_layers_and_networks", "softmax_loss"), ("05_loss_choice", "cross_entropy_loss"),
                              ("09_capstone", "softmax_loss")],
    "lesson03.MLP": [("03_layers_and_networks", "TwoLayerNet"), ("09_capstone", "FullyConnectedNet")],
    "lesson04.sgd": [("04_optimizers", "sgd")],
    "lesson04.sgd_momentum": [("04_optimizers", "sgd_momentum")],
    "lesson04.adagrad": [("04_optimizers", "adagrad")],
    "lesson04.rmsprop": [("04_optimizers", "rmsprop")],
    "lesson04.adam": [("04_optimizers", "adam"), ("09_capstone", "adam")],
    "lesson04.minibatches": [("04_optimizers", "minibatches")],
    "lesson06.batchnorm_forward": [("06_batchnorm", "batchnorm_forward"), ("09_capstone", "batchnorm_forward")],
    "lesson06.batchnorm_backward": [("06_batchnorm", "batchnorm_backward"), ("06_batchnorm", "batchnorm_backward_alt"),
                                   ("09_capstone", "batchnorm_backward")],
    "lesson07.dropout_forward": [("07_regularization_and_init", "dropout_forward"), ("09_capstone", "dropout_forward")],
    "lesson07.dropout_backward": [("07_regularization_and_init", "dropout_backward"), ("09_capstone", "dropout_backward")],
    "lesson07.init_std": [("07_regularization_and_init", "variance_scaling_init")],
}

# "module.name" of a course_lib tool (outside this package) -> the graded functions (lesson, function) whose
# job it does with parts the caller brings: lessons 03-08 train with course_lib.training.train (the caller's
# update rule and mini-batches); lesson 09 grades a training loop of its own, so the kernel grading lesson 09
# has course_lib without train (grader.delivery.reference_view.for_grading).
TOOL_TWINS = {
    "training.train": [("09_capstone", "train_network")],
}


def lesson_number(lesson: str) -> int:
    """01_search_strategies -> 1."""
    return int(lesson.split("_", 1)[0])
