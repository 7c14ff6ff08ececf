"""The instructor's tool on top of nbgrader: release, collect, autograde, feedback, report, demo."""
