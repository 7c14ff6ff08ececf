"""Shared helpers for the course notebooks: one gradient checker, data, plots, widgets, progress bars.

Modules are imported on demand (``from course_lib.gradcheck import check_gradient``) so that a notebook
only pays for what it uses. None of them implements a graded function: the instructor's reference
implementations live apart, in course_lib.reference, one module per lesson.
"""

__all__ = ["activation_stats", "bn_explorer", "capstone", "checks", "claims", "data", "debugging",
           "decision_boundary", "diagnose", "gate_explorer", "gradcheck", "graph_draw", "loss_landscape",
           "loss_slice", "net_explorer", "optimizer_lab", "plots", "progress", "reference", "runtime",
           "search_race", "surfaces", "training", "trajectories", "widgets"]
