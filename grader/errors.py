class GraderError(Exception):
    """A problem the instructor can fix (bad name, missing folder...): shown as one line, no traceback."""
