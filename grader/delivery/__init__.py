"""Notebooks to the students and back: the release made from the answer key (release), the copy a
graded class installs (bundle, reference_view), submissions taken from a folder, an LMS download
(collect) or a JupyterHub's exchange (exchange). It imports grader.course and below, never the pipeline.
"""
