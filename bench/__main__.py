"""`make bench` / `python -m bench [name ...]`: every benchmark prints ratios measured in one run."""

import sys

from bench import notebook_costs, throughput, widget_compute, widget_latency

BENCHES = {"widgets": widget_compute.main, "latency": widget_latency.main, "notebooks": notebook_costs.main,
           "throughput": throughput.main}

for name in sys.argv[1:] or list(BENCHES):
    print(f"== {name}")
    BENCHES[name]()
