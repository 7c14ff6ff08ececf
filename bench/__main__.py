"""`make bench` / `python -m bench [name ...]`: every benchmark prints ratios measured in one run."""

import sys

from bench import boundary, errors, notebook_costs, scale, throughput, widget_compute, widget_latency

BENCHES = {"widgets": widget_compute.main, "latency": widget_latency.main, "notebooks": notebook_costs.main,
           "throughput": throughput.main, "errors": errors.main, "scale": scale.main,
           "boundary": boundary.main}

for name in sys.argv[1:] or list(BENCHES):
    print(f"== {name}")
    BENCHES[name]()
