#!/usr/bin/env python3
"""Write Tests/Fixtures/onnx-node/kiln_value_digests.json: for every test-data .pb file in the
onnx-node fixture, the values decoded by the `onnx` Python package (numpy_helper.to_array), so
that Kiln's own TensorProto decoder can be cross-checked without Python at test time.

Usage: pip install onnx ml_dtypes; python3 tools/onnx_node_value_digests.py
"""
import json
import pathlib

import numpy as np
import onnx
from onnx import numpy_helper

root = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "onnx-node"
digests = {}
for pb in sorted(root.glob("*/test_data_set_*/*.pb")):
    tensor = onnx.TensorProto()
    tensor.ParseFromString(pb.read_bytes())
    array = numpy_helper.to_array(tensor)
    values = array.astype(np.float64).reshape(-1)
    def enc(v):
        # Text, not JSON numbers: the reader parses it with Swift's correctly rounded Double(_:).
        return repr(float(v))
    digests[str(pb.relative_to(root))] = {
        "name": tensor.name,
        "data_type": onnx.TensorProto.DataType.Name(tensor.data_type).lower(),
        "dims": list(tensor.dims),
        "values": [enc(v) for v in values[:64]],
        "count": int(values.size),
        "sum": enc(np.nansum(values)) if values.size else "0.0",
    }
out = root / "kiln_value_digests.json"
out.write_text(json.dumps({"generator": "tools/onnx_node_value_digests.py", "onnx": onnx.__version__,
                           "files": digests}, indent=1, sort_keys=True) + "\n")
print(f"wrote {len(digests)} digests to {out}")
