"""Integrity: what a submission is before it runs, and what the instructor should know about it.

Holds the notes on what a student's cells reach for (notes). It may import grader.course.cellcode and
grader.course.notebooks, never the pipeline (grader.pipeline.autograde) or the boundary.
"""
