"""The grading run: which submissions (autograde), each prepared in the parent (rebuilt, checked),
executed in a sandboxed kernel with its tests run here (execute), scored by nbgrader with the course's
late policy (late), recorded as an Outcome (outcomes). It imports integrity, boundary, isolation,
delivery, course and patches; nothing above it.
"""
