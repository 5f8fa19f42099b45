#!/usr/bin/python3
"""inference_bench_model.py OUT — a stand-in 224x224 classifier package for bench/inference_bench.mjs when no
shipped image model is given: 4 strided 3x3 conv layers (1 -> 32 -> 64 -> 128 -> 256 channels, ReLU), global
average pooling, a linear layer to 2 logits and a 1-value OOD output; fixed random weights (seed 0),
~0.39 M parameters, ~0.18 GFLOP per image. Built with python3-onnx's helper API; written to OUT, never committed.
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    nodes, inits, src = [], [], "image"
    channels = [1, 32, 64, 128, 256]
    for i in range(4):
        cin, cout = channels[i], channels[i + 1]
        w = (rng.normal(0, np.sqrt(2 / (9 * cin)), (cout, cin, 3, 3))).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(np.zeros(cout, np.float32), f"b{i}")]
        nodes += [helper.make_node("Conv", [src, f"w{i}", f"b{i}"], [f"c{i}"], pads=[1, 1, 1, 1], strides=[2, 2]),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"])]
        src = f"r{i}"
    inits += [numpy_helper.from_array(rng.normal(0, 0.05, (256, 2)).astype(np.float32), "fw"),
              numpy_helper.from_array(np.zeros(2, np.float32), "fb")]
    nodes += [helper.make_node("GlobalAveragePool", [src], ["g"]),
              helper.make_node("Flatten", ["g"], ["f"], axis=1),
              helper.make_node("Gemm", ["f", "fw", "fb"], ["logits"]),
              helper.make_node("ReduceMean", ["f"], ["ood"], axes=[1], keepdims=1)]
    graph = helper.make_graph(nodes, "bench", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 224, 224])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2]),
                               helper.make_tensor_value_info("ood", TensorProto.FLOAT, ["N", 1])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    path = os.path.join(out, "model.onnx")
    onnx.save(model, path)
    manifest = {
        "schema": "dxlens.model/1", "id": "bench-cnn224", "name": "Benchmark CNN 224 (random weights)",
        "version": "0.0.1", "task": "classification", "file": "model.onnx",
        "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
        "input": {"name": "image", "layout": "NCHW", "channels": 1, "height": 224, "width": 224, "resize": "stretch",
                  "normalize": {"scale": 1 / 255, "mean": [0.5], "std": [0.25]}},
        "outputs": [{"name": "logits", "activation": "softmax", "labels": ["normal", "abnormal"]},
                    {"name": "ood", "activation": "none"}],
        "ood": {"output": "ood", "method": "mean feature", "threshold": 1.0, "higher_is_outlier": True},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
