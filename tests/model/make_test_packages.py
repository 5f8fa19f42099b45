#!/usr/bin/python3
"""make_test_packages.py OUT — tiny model packages and test images for the `dxlens analyze` tests.

Generated at test time into the build folder (never committed): ONNX graphs built with python3-onnx's helper API,
manifests, reference inputs/outputs computed here with numpy (an independent implementation of each tiny graph),
deliberately broken variants for the bad-input tests, and a few images (8-bit grey, RGB, 16-bit, truncated).

  OUT/packages/cls          classification, 1 x 16 x 16, stretch, softmax, OOD output, reference
  OUT/packages/cls-rgb      classification, 3 x 12 x 20, letterbox, no reference (self-test skipped)
  OUT/packages/seg          segmentation, 1 x 32 x 32: lesion where the display value is above 127.5
  OUT/packages/tab          tabular, 3 features
  OUT/packages/bad-*        wrong reference, manifest/model mismatch, corrupt model, wrong sha256, int64 input,
                            missing reference file
  OUT/images/*.png          test inputs; OUT/tables/rows.csv for the tabular model
Run with Debian's /usr/bin/python3 (numpy, onnx, PIL from python3-numpy, python3-onnx, python3-pil).
"""
import copy
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "training"))
from model_package import OPSET  # noqa: E402  the opset the shipped packages use


def save_model(path, nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              initializer=[numpy_helper.from_array(np.asarray(v, np.float32), k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def tensor(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


# ------------------------------------------------------------------------------------------------ the graphs

CLS_CONV_W = np.array([[[[0, -1, 0], [-1, 4, -1], [0, -1, 0]]], [[[1, 2, 1], [0, 0, 0], [-1, -2, -1]]]], np.float32) / 4
CLS_CONV_B = np.array([0.1, -0.05], np.float32)
CLS_GEMM_W = np.array([[1.5, -0.5], [-2.0, 1.0]], np.float32)
CLS_GEMM_B = np.array([0.2, -0.1], np.float32)


def cls_graph(path, input_type=TensorProto.FLOAT):
    nodes, src = [], "image"
    if input_type != TensorProto.FLOAT:
        nodes.append(helper.make_node("Cast", ["image"], ["imagef"], to=TensorProto.FLOAT))
        src = "imagef"
    nodes += [
        helper.make_node("Conv", [src, "cw", "cb"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "gw", "gb"], ["logits"]),
        helper.make_node("ReduceMean", ["f"], ["ood"], axes=[1], keepdims=1),
    ]
    save_model(path, nodes, [tensor("image", ["N", 1, 16, 16], input_type)],
               [tensor("logits", ["N", 2]), tensor("ood", ["N", 1])],
               {"cw": CLS_CONV_W, "cb": CLS_CONV_B, "gw": CLS_GEMM_W, "gb": CLS_GEMM_B})


def cls_numpy(x):
    """x: [1, 1, 16, 16] float32 -> (logits, ood), the cls graph in numpy."""
    p = np.pad(x[0, 0], 1)
    c = np.zeros((2, 16, 16), np.float32)
    for o in range(2):
        for dy in range(3):
            for dx in range(3):
                c[o] += CLS_CONV_W[o, 0, dy, dx] * p[dy:dy + 16, dx:dx + 16]
        c[o] += CLS_CONV_B[o]
    f = np.maximum(c, 0).mean(axis=(1, 2))[None]
    return f @ CLS_GEMM_W + CLS_GEMM_B, f.mean(axis=1, keepdims=True)


RGB_GEMM_W = np.array([[1.0, -1.0], [0.5, 0.25], [-0.75, 1.0]], np.float32)


def cls_rgb_graph(path):
    nodes = [
        helper.make_node("GlobalAveragePool", ["image"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "gw", "gb"], ["logits"]),
        helper.make_node("ReduceMean", ["f"], ["ood"], axes=[1], keepdims=1),
    ]
    save_model(path, nodes, [tensor("image", ["N", 3, 12, 20])], [tensor("logits", ["N", 2]), tensor("ood", ["N", 1])],
               {"gw": RGB_GEMM_W, "gb": [0.0, 0.0]})


def seg_graph(path):
    # Per pixel: background = 0.5 - x, lesion = x - 0.5 with x = display / 255.
    nodes = [
        helper.make_node("Conv", ["image", "w", "b"], ["logits"]),
        helper.make_node("ReduceMean", ["image"], ["m"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Flatten", ["m"], ["ood"], axis=1),
    ]
    save_model(path, nodes, [tensor("image", ["N", 1, 32, 32])], [tensor("logits", ["N", 2, 32, 32]), tensor("ood", ["N", 1])],
               {"w": np.array([-1, 1], np.float32).reshape(2, 1, 1, 1), "b": [0.5, -0.5]})


TAB_W = np.array([[0.2, -0.2], [-0.1, 0.3], [0.05, 0.0]], np.float32)
TAB_B = np.array([0.0, -1.0], np.float32)


def tab_graph(path):
    nodes = [
        helper.make_node("Gemm", ["features", "w", "b"], ["logits"]),
        helper.make_node("ReduceSumSquare", ["features"], ["s"], axes=[1], keepdims=1),
        helper.make_node("Sqrt", ["s"], ["ood"]),
    ]
    save_model(path, nodes, [tensor("features", ["N", 3])], [tensor("logits", ["N", 2]), tensor("ood", ["N", 1])],
               {"w": TAB_W, "b": TAB_B})


# ------------------------------------------------------------------------------------------------ packages

def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def raw_outputs(**outs):
    return {k: {"shape": list(v.shape), "data": [float(x) for x in np.asarray(v, np.float32).ravel()]}
            for k, v in outs.items()}


def base_manifest(pid, task, inp, outputs, ood=True):
    m = {"schema": "dxlens.model/1", "id": pid, "name": pid + " (test)", "version": "0.0.1", "task": task,
         "file": "model.onnx", "sha256": "", "input": inp, "outputs": outputs,
         "intended_use": "DxLens tests only", "modalities": ["test"], "body_parts": ["none"],
         "license": "test", "citation": "none"}
    if ood:
        m["ood"] = {"output": "ood", "method": "mean feature", "threshold": 0.5, "higher_is_outlier": True}
    return m


def finish(folder, manifest):
    manifest["sha256"] = sha256(os.path.join(folder, manifest["file"]))
    write_json(os.path.join(folder, "manifest.json"), manifest)


def make_cls(folder):
    os.makedirs(os.path.join(folder, "reference"))
    cls_graph(os.path.join(folder, "model.onnx"))
    ref = np.random.default_rng(1).integers(0, 256, (16, 16)).astype(np.uint8)
    Image.fromarray(ref).save(os.path.join(folder, "reference", "input.png"))
    x = ((ref.astype(np.float32) * np.float32(1 / 255) - np.float32(0.5)) / np.float32(0.25))[None, None]
    logits, ood = cls_numpy(x)
    write_json(os.path.join(folder, "reference", "outputs.json"), raw_outputs(logits=logits, ood=ood))
    m = base_manifest("cls", "classification",
                      {"name": "image", "layout": "NCHW", "dtype": "float32", "channels": 1, "height": 16, "width": 16,
                       "resize": "stretch", "normalize": {"scale": 1 / 255, "mean": [0.5], "std": [0.25]},
                       "dicom_window": "file", "invert_monochrome1": True},
                      [{"name": "logits", "activation": "softmax", "labels": ["normal", "abnormal"],
                        "thresholds": {"abnormal": 0.5}},
                       {"name": "ood", "activation": "none"}])
    m["reference"] = {"input": "reference/input.png", "outputs": "reference/outputs.json", "tolerance": 1e-4}
    finish(folder, m)
    return m


def make_cls_rgb(folder):
    os.makedirs(folder)
    cls_rgb_graph(os.path.join(folder, "model.onnx"))
    finish(folder, base_manifest("cls-rgb", "classification",
                                 {"name": "image", "channels": 3, "height": 12, "width": 20, "resize": "letterbox",
                                  "normalize": {"scale": 1 / 255, "mean": [0.485, 0.456, 0.406],
                                                "std": [0.229, 0.224, 0.225]}},
                                 [{"name": "logits", "activation": "sigmoid", "labels": ["a", "b"]},
                                  {"name": "ood", "activation": "none"}]))


def make_seg(folder):
    os.makedirs(os.path.join(folder, "reference"))
    seg_graph(os.path.join(folder, "model.onnx"))
    yy, xx = np.mgrid[0:32, 0:32]
    ref = np.where((yy - 16) ** 2 + (xx - 12) ** 2 < 64, 220, 30).astype(np.uint8)
    Image.fromarray(ref).save(os.path.join(folder, "reference", "input.png"))
    x = ref.astype(np.float32) * np.float32(1 / 255)
    logits = np.stack([np.float32(0.5) - x, x - np.float32(0.5)])[None]
    write_json(os.path.join(folder, "reference", "outputs.json"),
               raw_outputs(logits=logits, ood=np.array([[x.mean()]], np.float32)))
    m = base_manifest("seg", "segmentation",
                      {"name": "image", "channels": 1, "height": 32, "width": 32, "resize": "stretch",
                       "normalize": {"scale": 1 / 255, "mean": [0.0], "std": [1.0]}},
                      [{"name": "logits", "activation": "softmax", "classes": ["background", "lesion"]},
                       {"name": "ood", "activation": "none"}])
    m["reference"] = {"input": "reference/input.png", "outputs": "reference/outputs.json", "tolerance": 1e-4}
    finish(folder, m)


def make_tab(folder, tables):
    os.makedirs(os.path.join(folder, "reference"))
    tab_graph(os.path.join(folder, "model.onnx"))
    feats = [{"name": "radius", "unit": "mm", "min": 0, "max": 50}, {"name": "texture", "unit": "", "min": 0, "max": 40},
             {"name": "area", "unit": "mm²", "min": 0, "max": 2500}]
    ref = {"radius": 12.5, "texture": 20.25, "area": 490.0}
    write_json(os.path.join(folder, "reference", "input.json"), ref)
    x = np.array([[ref["radius"], ref["texture"], ref["area"]]], np.float32)
    write_json(os.path.join(folder, "reference", "outputs.json"),
               raw_outputs(logits=x @ TAB_W + TAB_B, ood=np.sqrt((x * x).sum(1, keepdims=True))))
    m = base_manifest("tab", "tabular", {"name": "features", "layout": "NF", "dtype": "float32", "features": feats},
                      [{"name": "logits", "activation": "softmax", "labels": ["benign", "malignant"],
                        "thresholds": {"malignant": 0.3}}, {"name": "ood", "activation": "none"}], ood=False)
    m["ood"] = {"output": "ood", "method": "norm", "threshold": 1000, "higher_is_outlier": True}
    m["reference"] = {"input": "reference/input.json", "outputs": "reference/outputs.json", "tolerance": 1e-4}
    finish(folder, m)
    with open(os.path.join(tables, "rows.csv"), "w") as f:
        f.write("id,radius,texture,area\ncase-a,12.5,20.25,490\ncase-b,3,7.5,30\n")
    with open(os.path.join(tables, "bad-range.csv"), "w") as f:
        f.write("id,radius,texture,area\ncase-c,75,7.5,30\n")


def make_bad(packages):
    cls = os.path.join(packages, "cls")

    def clone(name):
        dst = os.path.join(packages, "bad-" + name)
        shutil.copytree(cls, dst)
        with open(os.path.join(dst, "manifest.json")) as f:
            return dst, json.load(f)

    dst, m = clone("wrongref")
    with open(os.path.join(dst, "reference", "outputs.json")) as f:
        ref = json.load(f)
    ref["logits"]["data"][0] += 0.5
    write_json(os.path.join(dst, "reference", "outputs.json"), ref)

    dst, m = clone("mismatch")  # the manifest claims 3 channels, the graph takes 1
    m["input"]["channels"] = 3
    m["input"]["normalize"] = {"scale": 1 / 255, "mean": [0.5] * 3, "std": [0.25] * 3}
    write_json(os.path.join(dst, "manifest.json"), m)

    dst, m = clone("corrupt")  # bytes that are not ONNX, with a matching sha256 so ORT itself must refuse them
    with open(os.path.join(dst, "model.onnx"), "wb") as f:
        f.write(np.random.default_rng(2).integers(0, 256, 4096).astype(np.uint8).tobytes())
    finish(dst, m)

    dst, m = clone("sha")
    m["sha256"] = "0" * 64
    write_json(os.path.join(dst, "manifest.json"), m)

    dst, m = clone("int64")
    cls_graph(os.path.join(dst, "model.onnx"), TensorProto.INT64)
    finish(dst, m)

    dst, m = clone("missing")
    os.remove(os.path.join(dst, "reference", "outputs.json"))


def make_images(folder):
    os.makedirs(folder)
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:150, 0:200]
    grey = (40 + 0.6 * xx + 0.3 * yy + rng.normal(0, 6, xx.shape))
    grey[(yy - 60) ** 2 + (xx - 130) ** 2 < 9] = 255  # a 5-pixel bright "lesion" that area averaging must keep
    Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).save(os.path.join(folder, "grey8.png"))
    Image.fromarray(rng.integers(0, 256, (48, 64, 3)).astype(np.uint8)).save(os.path.join(folder, "rgb.png"))
    g16 = rng.integers(0, 65536, (100, 300)).astype(np.uint16)
    g16[0, 0], g16[0, 1] = 0, 65535  # full range, so the auto window is exactly value / 257
    Image.fromarray(g16).save(os.path.join(folder, "grey16.png"))
    blob = 30 + 190 * (((yy - 75) ** 2 / 40 ** 2 + (xx - 90) ** 2 / 60 ** 2) < 1)
    Image.fromarray(blob.astype(np.uint8)).save(os.path.join(folder, "blob.png"))
    with open(os.path.join(folder, "grey8.png"), "rb") as f:
        data = f.read()
    with open(os.path.join(folder, "truncated.png"), "wb") as f:
        f.write(data[:len(data) // 3])


def main():
    out = os.path.abspath(sys.argv[1])
    shutil.rmtree(out, ignore_errors=True)
    packages, tables = os.path.join(out, "packages"), os.path.join(out, "tables")
    os.makedirs(packages)
    os.makedirs(tables)
    make_cls(os.path.join(packages, "cls"))
    make_cls_rgb(os.path.join(packages, "cls-rgb"))
    make_seg(os.path.join(packages, "seg"))
    make_tab(os.path.join(packages, "tab"), tables)
    make_bad(packages)
    make_images(os.path.join(out, "images"))
    print("make_test_packages: wrote", out)


if __name__ == "__main__":
    main()
