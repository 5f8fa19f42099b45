"""Where a DxLens model package lives and what every package is pinned to.

A package is a folder models/<id>/ holding model.onnx, manifest.json, MODEL_CARD.md, training_log.json and
reference/. This module names those folders, reads and writes their JSON and hashes their files, and holds the
ONNX opset every package is written with.

Standard library only (no torch):
    from model_package import model_dir, read_json
"""
import hashlib
import json
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(REPO, "models")
OPSET = 13  # the ONNX opset DxLens packages are exported with
DISCLAIMER = "Research use only — not a medical device."


def model_dir(model_id, *parts):
    return os.path.join(MODELS, model_id, *parts)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
