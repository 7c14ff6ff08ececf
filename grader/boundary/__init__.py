"""The boundary between the grader's process and the student's kernel: test cells run in the grader
(runner, session), and the student's objects answer them with plain data only (wire, endpoint; agent is
the kernel's side). Which names cross is read from the lesson's source (plan, calibrate). It imports
grader.course only.
"""
