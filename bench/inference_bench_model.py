#!/usr/bin/python3
"""inference_bench_model.py OUT [--arch cnn224|densenet121] — a stand-in 224x224 classifier package for the
inference benchmarks (bench/inference_bench.mjs, bench/browser_bench.mjs) when no shipped image model is given.
Written to OUT, never committed; fixed random weights (seed 0), since only the time matters.

  cnn224 (default)  4 strided 3x3 conv layers (1 -> 32 -> 64 -> 128 -> 256 channels, ReLU), global average
                    pooling, a linear layer to 2 logits and a 1-value OOD output; ~0.39 M parameters,
                    ~0.18 GFLOP per image. Built with python3-onnx's helper API.
  densenet121       torchvision's DenseNet-121 (the CheXNet architecture, 3 x 224 x 224 input, ImageNet
                    normalisation) with a 2-logit head, exported by torch.onnx (the packages' opset);
                    7.0 M parameters, ~2.9 GFLOP per image, 27.8 MB. Needs Debian's python3-torch and
                    python3-torchvision. It has no OOD output: it stands for the cost of a CheXNet-size model,
                    not for a shipped package.
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "training"))
from model_package import OPSET  # noqa: E402  the opset the shipped packages use


def build_cnn224(path):
    """The small stand-in, written to `path`; returns the manifest fields that depend on the network."""
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
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return {
        "id": "bench-cnn224", "name": "Benchmark CNN 224 (random weights)",
        "input": {"name": "image", "layout": "NCHW", "channels": 1, "height": 224, "width": 224, "resize": "stretch",
                  "normalize": {"scale": 1 / 255, "mean": [0.5], "std": [0.25]}},
        "outputs": [{"name": "logits", "activation": "softmax", "labels": ["normal", "abnormal"]},
                    {"name": "ood", "activation": "none"}],
        "ood": {"output": "ood", "method": "mean feature", "threshold": 1.0, "higher_is_outlier": True},
    }


def build_densenet121(path):
    """DenseNet-121 with random weights, written to `path`; returns the network-dependent manifest fields."""
    import torch
    import torchvision
    torch.manual_seed(0)
    net = torchvision.models.densenet121(weights=None, num_classes=2).eval()
    torch.onnx.export(net, torch.zeros(1, 3, 224, 224), path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}}, opset_version=OPSET)
    return {
        "id": "bench-densenet121", "name": "Benchmark DenseNet-121 224 (random weights)",
        "input": {"name": "image", "layout": "NCHW", "channels": 3, "height": 224, "width": 224, "resize": "stretch",
                  "normalize": {"scale": 1 / 255, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}},
        "outputs": [{"name": "logits", "activation": "softmax", "labels": ["normal", "abnormal"]}],
    }


ARCHS = {"cnn224": build_cnn224, "densenet121": build_densenet121}


def main():
    args = sys.argv[1:]
    arch = args[args.index("--arch") + 1] if "--arch" in args else "cnn224"
    if arch not in ARCHS or not args or args[0].startswith("--"):
        sys.exit(f"usage: inference_bench_model.py OUT [--arch {'|'.join(ARCHS)}]")
    out = args[0]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.onnx")
    fields = ARCHS[arch](path)
    manifest = {"schema": "dxlens.model/1", "id": fields.pop("id"), "name": fields.pop("name"), "version": "0.0.1",
                "task": "classification", "file": "model.onnx",
                "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(), **fields}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
