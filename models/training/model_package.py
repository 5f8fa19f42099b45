"""Where a DxLens model package lives and what every package is pinned to.

A package is a folder models/<id>/ holding model.onnx, manifest.json, MODEL_CARD.md, training_log.json and
reference/. This module names those folders, reads and writes their JSON and hashes their files, and holds the
ONNX opset every package (and every test or benchmark graph standing in for one) is written with.

Standard library only, so scripts outside models/training/ can import it without torch:
    sys.path.insert(0, "<repo>/models/training"); from model_package import OPSET
"""
import hashlib
import json
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(REPO, "models")
# The ONNX opset DxLens packages are exported with. The test and benchmark graphs built with onnx.helper use it
# too and are written in its op forms (e.g. ReduceMean's axes attribute): onnx.checker flags them if it changes.
OPSET = 13
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
