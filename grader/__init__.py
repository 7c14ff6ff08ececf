"""The instructor's tool on top of nbgrader: release, collect, autograde, feedback, report, demo.

The subpackages are layers, each importing only from those below it (docs/architecture.md; the contract
is in pyproject.toml and checked by tests/test_architecture.py):

    cli, api, demo       the commands, the Python API, the sample class
    reports              what comes out: grades, LMS files, feedback, misconceptions, similarity
    pipeline             the grading run: prepare, execute, score, record
    integrity | boundary | isolation | delivery | bug_bank
                         what a submission is, how tests reach it, where it runs, how it travels;
                         the known mistakes
    course               the course folder, its settings and notebooks
    patches              every reach into nbgrader's and Jupyter's internals, version-guarded
    errors               the one exception a command reports
"""
