"""Shared helpers for the course notebooks: one gradient checker, data, plots, widgets, progress bars.

Modules are imported on demand (``from course_lib.gradcheck import check_gradient``) so that a notebook
only pays for what it uses.
"""

__all__ = ["activation_stats", "bn_explorer", "checks", "data", "debugging", "diagnose", "gate_explorer",
           "gradcheck", "graph_draw", "layers", "loss_landscape", "net_explorer", "nets", "optim", "plots",
           "progress", "runtime", "search_race", "surfaces", "training", "trajectories", "widgets"]
