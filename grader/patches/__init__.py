"""Every place the grader reaches into nbgrader, nbconvert, nbclient or jupyter_client beyond their public
API: overridden private methods, copied bodies, classes slipped into an inheritance chain. Each module
names what it touches in TOUCHES, and grader.patches.guard checks, once per process, that the installed
versions are still the ones those copies were made from (tests/test_patches.py fails loudly, naming the
patch and the version, when one is not). It imports nothing of the grader but grader.errors.
"""
