#!/usr/bin/env python3
"""Per-node ONNX Runtime times of one model on one thread of this machine, from ORT's own profiler,
for attributing a validation row's error to layers (docs/cost-models/simd.md).

Python only produces files; Kiln never runs it. The session is set up as tools/validation/time_ort.py
sets it up (one intra-op thread, sequential, all graph optimizations) with profiling on; after
`--runs` runs it prints, per node ONNX Runtime executed (after its graph rewrites: QDQ fusion into
QLinearConv/QGemm, the NHWC layout transform with its Transpose nodes), the operator and the minimum
and median of the node's kernel time in microseconds. The profiler adds its own cost per node (about
1-2 µs here), so the sum of minima exceeds the unprofiled latency.

Usage (from the repository root):
  python3 tools/validation/profile_ort.py examples/validation/resnet8_qdq.onnx [--runs 300] [--json OUT]
"""
import argparse
import collections
import json
import os
import sys
import tempfile

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--json", help="also write the table as JSON to this file")
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_profiling = True
    with tempfile.TemporaryDirectory() as tmp:
        options.profile_file_prefix = os.path.join(tmp, "profile")
        session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        feed_input = session.get_inputs()[0]
        shape = [d if isinstance(d, int) else 1 for d in feed_input.shape]
        feed = {feed_input.name: np.random.RandomState(1300).rand(*shape).astype(np.float32)}
        for _ in range(args.runs):
            session.run(None, feed)
        with open(session.end_profiling()) as f:
            events = json.load(f)
    times = collections.OrderedDict()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            key = (event["name"][: -len("_kernel_time")], event["args"].get("op_name", "?"))
            times.setdefault(key, []).append(event["dur"])
    rows = []
    for (node, op), samples in times.items():
        samples.sort()
        rows.append({"node": node, "op": op, "minimumMicroseconds": samples[0], "medianMicroseconds": samples[len(samples) // 2]})
        print(f"{node:40s} {op:26s} min {samples[0]:6d} µs  median {samples[len(samples) // 2]:6d} µs")
    print(f"sum of minima: {sum(r['minimumMicroseconds'] for r in rows)} µs", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tool": "tools/validation/profile_ort.py", "model": args.model, "onnxruntime": ort.__version__,
                       "runs": args.runs, "loadAverage": os.getloadavg(), "nodes": rows}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
