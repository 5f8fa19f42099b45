"""Writing a model package: the ONNX graph, the reference input/outputs the app self-tests with, and the
manifest; and reading a shipped model.onnx's weights back into the torch module that exported it.

    export_onnx(exp, torch.zeros(1, 1, 128, 128), os.path.join(out, "model.onnx"), "image", ["logits", "ood"])
    manifest["reference"] = write_image_reference(out, exp, image_u8, "image", ["logits", "ood"], NORM)
    finish_manifest(out, manifest)                       # fills file and sha256, writes out/manifest.json

Every graph is exported with model_package.OPSET.
"""
import os

import numpy as np
import torch

from model_package import OPSET, read_json, sha256, write_json
from runtime import log


def export_onnx(module, example, path, input_name, output_names):
    module.eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, example, path, opset_version=OPSET, input_names=[input_name],
                      output_names=output_names, do_constant_folding=False,
                      dynamic_axes={input_name: {0: "N"}, **{o: {0: "N"} for o in output_names}})
    return path


def load_onnx_weights(module, path, refitted=()):
    """Load a shipped model.onnx's initializers back into the (fused) torch module by name.

    refitted: name prefixes (e.g. "ood.") of parts the caller fits again; they may be missing or shaped
    differently in the file (a gate whose structure changed) and are then left as the module has them."""
    import onnx
    from onnx import numpy_helper
    inits = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    state = module.state_dict()
    skip = lambda k: any(k.startswith(p) for p in refitted) and (k not in inits or inits[k].shape != tuple(state[k].shape))
    missing = [k for k in state if k not in inits and not skip(k)]
    if missing:
        raise RuntimeError(f"{path}: initializers missing for {missing[:5]}")
    module.load_state_dict({k: (state[k] if skip(k) else torch.from_numpy(np.array(inits[k]))) for k in state})
    return module.eval()


def grey_image_input(size, norm):
    """manifest.json's "input" for a one-channel size x size image model."""
    return {"name": "image", "layout": "NCHW", "dtype": "float32", "channels": 1, "height": size, "width": size,
            "resize": "stretch", "normalize": norm, "dicom_window": "file", "invert_monochrome1": True}


def ood_output():
    """manifest.json's "outputs" entry for the OOD distance every shipped graph has as its second output."""
    return {"name": "ood", "activation": "none", "description": "OOD score, see ood"}


def write_reference_outputs(path, output_names, outs):
    """reference/outputs.json: each raw output's shape and values (rounded to 7 digits)."""
    write_json(path, {n: {"shape": list(o.shape), "data": [round(float(v), 7) for v in o.flatten()]}
                      for n, o in zip(output_names, outs)})


def write_image_reference(out, module, image_u8, input_name, output_names, normalize, tol=1e-4):
    """out/reference/input.png (already at model size) + out/reference/outputs.json (raw outputs)."""
    from PIL import Image
    ref = os.path.join(out, "reference")
    os.makedirs(ref, exist_ok=True)
    Image.fromarray(image_u8).save(os.path.join(ref, "input.png"))
    x = torch.from_numpy(image_u8.astype(np.float32))[None, None] * normalize["scale"]
    x = (x - normalize["mean"][0]) / normalize["std"][0]
    with torch.no_grad():
        outs = module.eval()(x)
    write_reference_outputs(os.path.join(ref, "outputs.json"), output_names, outs)
    return {"input": "reference/input.png", "outputs": "reference/outputs.json", "tolerance": tol}


def finish_manifest(out, manifest):
    """Fill file/sha256 and write out/manifest.json (metrics are added by evaluate.py)."""
    path = os.path.join(out, "model.onnx")
    manifest["file"] = "model.onnx"
    manifest["sha256"] = sha256(path)
    old = os.path.join(out, "manifest.json")
    if os.path.exists(old) and "metrics" not in manifest:
        manifest["metrics"] = read_json(old).get("metrics", {})
    write_json(old, manifest)
    size = os.path.getsize(path)
    log(f"{manifest['id']}: model.onnx {size / 1e6:.2f} MB sha256 {manifest['sha256'][:12]}")
    assert size <= 8 * 1024 * 1024, "model exceeds 8 MB"
