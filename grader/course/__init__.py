"""The course folder and what is read from it: where lessons, submissions and reports live (folder),
course.toml (config), the limits of a grading run (limits), notebooks and their cells (notebooks,
cellcode), the nbgrader API object on the folder (nbgrader_api) and notebooks made from the answer key
(samples). It imports grader.errors and grader.patches only.
"""
