"""Shared helpers for the course notebooks: one gradient checker, data, plots, widgets, progress bars.

Modules are imported on demand (``from course_lib.gradcheck import check_gradient``) so that a notebook
only pays for what it uses.
"""

__all__ = ["checks", "data", "diagnose", "gradcheck", "layers", "nets", "optim", "plots", "progress", "search_race",
           "training", "widgets"]
