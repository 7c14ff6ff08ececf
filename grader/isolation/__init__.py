"""Where student code runs: a bubblewrap sandbox per kernel with its watchdog (sandbox), kernels started
ahead for a thread's next notebook (spare_kernels), the files a notebook may see beside it
(submission_files), and the log of what happened in a run (runlog). It imports grader.course and below.
"""
