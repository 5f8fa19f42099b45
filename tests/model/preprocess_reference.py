#!/usr/bin/python3
"""preprocess_reference.py PACKAGE DUMP_DIR IMAGE... — checks `dxlens analyze --dump-input` tensors against an
independent numpy implementation of the preprocessing rules in models/README.md / src/core/inference/preprocess.h.

Independent on purpose: images are decoded by PIL and DICOM files by pydicom (not DxLens's decoders), the geometry and the resampling are
written from the definitions (PyTorch's adaptive_avg_pool bins and align_corners=False bilinear), all in float64.
Pass: every element within 1e-5 * max(1, |reference|). Exit 1 with the worst element otherwise.
Also, with --masks DIR: every segmentation mask PNG equals the argmax of the raw logits (from the analyze JSON
lines on stdin) upsampled bilinearly to the image size, except on exact ties.
Run with Debian's /usr/bin/python3 (python3-numpy, python3-pil, python3-pydicom).
"""
import json
import math
import os
import sys

import numpy as np
from PIL import Image


def dicom_display_values(path):
    """DICOM through pydicom: modality LUT, the file's first window (else min..max), PS3.3 linear VOI, rounded."""
    import pydicom
    ds = pydicom.dcmread(path)
    v = ds.pixel_array.astype(np.float64) * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))
    if "WindowCenter" in ds and "WindowWidth" in ds:
        first = lambda x: float(x[0]) if isinstance(x, pydicom.multival.MultiValue) else float(x)
        c, w = first(ds.WindowCenter), first(ds.WindowWidth)
    else:
        c, w = (v.min() + v.max() + 1) / 2, v.max() - v.min() + 1
    y = np.where(v <= c - 0.5 - (w - 1) / 2, 0.0,
                 np.where(v > c - 0.5 + (w - 1) / 2, 255.0, ((v - (c - 0.5)) / (w - 1) + 0.5) * 255.0))
    y = np.clip(np.floor(y + 0.5), 0, 255)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        y = 255 - y
    return y[..., None]


def display_values(path):
    """H x W x C float64 display values 0..255 (8-bit: as stored; 16-bit: min..max of the frame -> 0..255)."""
    if path.endswith(".dcm"):
        return dicom_display_values(path)
    im = Image.open(path)
    if im.mode in ("I;16", "I;16B", "I"):
        a = np.asarray(im).astype(np.float64)
        lo, hi = a.min(), a.max()
        a = np.floor((a - lo) / (hi - lo) * 255.0 + 0.5)  # DICOM linear window lo..hi, rounded like the viewer
        return a[..., None]
    if im.mode in ("L", "LA"):
        return np.asarray(im.convert("L")).astype(np.float64)[..., None]
    return np.asarray(im.convert("RGB")).astype(np.float64)


def to_channels(a, channels):
    if a.shape[2] == 3 and channels == 1:
        return (0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2])[..., None]
    if a.shape[2] == 1 and channels == 3:
        return np.repeat(a, 3, axis=2)
    return a


def placement(w, h, mw, mh, mode):
    """(src x0, src w, dst x0, dst w), same for y."""
    sx, sy = mw / w, mh / h
    X, Y = [0, w, 0, mw], [0, h, 0, mh]
    if mode == "letterbox":
        s = min(sx, sy)
        X[3] = min(max(int(math.floor(w * s + 0.5)), 1), mw)
        Y[3] = min(max(int(math.floor(h * s + 0.5)), 1), mh)
        X[2], Y[2] = (mw - X[3]) // 2, (mh - Y[3]) // 2
    elif mode == "center-crop":
        s = max(sx, sy)
        X[1] = min(max(int(math.floor(mw / s + 0.5)), 1), w)
        Y[1] = min(max(int(math.floor(mh / s + 0.5)), 1), h)
        X[0], Y[0] = (w - X[1]) // 2, (h - Y[1]) // 2
    return X, Y


def adaptive_avg_matrix(n, m):
    A = np.zeros((m, n))
    for j in range(m):
        a, b = (j * n) // m, -((-(j + 1) * n) // m)
        A[j, a:b] = 1.0 / (b - a)
    return A


def bilinear_matrix(n, m):
    B = np.zeros((m, n))
    for j in range(m):
        src = max((j + 0.5) * n / m - 0.5, 0.0)
        i0 = min(int(math.floor(src)), n - 1)
        i1 = min(i0 + 1, n - 1)
        t = src - i0
        B[j, i0] += 1 - t
        B[j, i1] += t
    return B


def resample_matrix(n, m):
    if n > 2 * m:
        return bilinear_matrix(2 * m, m) @ adaptive_avg_matrix(n, 2 * m)
    return bilinear_matrix(n, m)


def reference_tensor(path, inp):
    a = to_channels(display_values(path), inp["channels"])
    h, w = a.shape[:2]
    X, Y = placement(w, h, inp["width"], inp["height"], inp.get("resize", "stretch"))
    Rx, Ry = resample_matrix(X[1], X[3]), resample_matrix(Y[1], Y[3])
    n = inp["normalize"]
    out = np.zeros((inp["channels"], inp["height"], inp["width"]))
    for c in range(inp["channels"]):
        region = a[Y[0]:Y[0] + Y[1], X[0]:X[0] + X[1], c]
        out[c, Y[2]:Y[2] + Y[3], X[2]:X[2] + X[3]] = Ry @ region @ Rx.T
        out[c] = (out[c] * n["scale"] - n["mean"][c]) / n["std"][c]
    return out[None], (X, Y)


def upsampled_argmax(logits, w, h, X, Y):
    """Mask from raw logits [1, C, mh, mw]: bilinear (half-pixel, clamped to the placed area) then argmax."""
    def taps(size, A):
        u = A[2] + (np.arange(size) + 0.5 - A[0]) * A[3] / A[1] - 0.5
        u = np.clip(u, A[2], A[2] + A[3] - 1)
        i0 = np.floor(u).astype(int)
        return i0, np.minimum(i0 + 1, A[2] + A[3] - 1), u - i0
    x0, x1, tx = taps(w, X)
    y0, y1, ty = taps(h, Y)
    L = logits[0]
    top = L[:, y0][:, :, x0] * (1 - tx) + L[:, y0][:, :, x1] * tx
    bottom = L[:, y1][:, :, x0] * (1 - tx) + L[:, y1][:, :, x1] * tx
    v = top * (1 - ty)[None, :, None] + bottom * ty[None, :, None]
    srt = np.sort(v, axis=0)
    tie = (srt[-1] - srt[-2]) < 1e-4
    return np.argmax(v, axis=0), tie


def main():
    args = sys.argv[1:]
    masks = None
    if "--masks" in args:
        i = args.index("--masks")
        masks = args[i + 1]
        del args[i:i + 2]
    package, dump, images = args[0], args[1], args[2:]
    with open(os.path.join(package, "manifest.json")) as f:
        manifest = json.load(f)
    inp = manifest["input"]
    failures, checked = 0, 0
    lines = {}
    if masks:
        for line in sys.stdin:
            r = json.loads(line)
            lines[os.path.splitext(os.path.basename(r["file"]))[0]] = r
    for path in images:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(dump, stem + ".input.json")) as f:
            meta = json.load(f)
        got = np.fromfile(os.path.join(dump, stem + ".input.f32"), dtype="<f4").reshape(meta["shape"])
        want, (X, Y) = reference_tensor(path, inp)
        if got.shape != want.shape:
            print(f"FAIL {stem}: shape {got.shape} vs numpy {want.shape}")
            failures += 1
            continue
        err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
        worst = np.unravel_index(np.argmax(err), err.shape)
        status = "ok" if err.max() <= 1e-5 else "FAIL"
        failures += status == "FAIL"
        checked += 1
        print(f"{status} {manifest['id']} {stem}: {got.size} values, max relative error {err.max():.2e} at {worst} "
              f"(dxlens {got[worst]:.7g}, numpy {want[worst]:.7g})")
        if masks:
            r = lines[stem]
            out = r["outputs"][manifest["outputs"][0]["name"]]
            logits = np.array(out["data"], np.float64).reshape(out["shape"])
            mask = np.asarray(Image.open(os.path.join(masks, stem + ".png")))
            h, w = mask.shape
            label, tie = upsampled_argmax(logits, w, h, X, Y)
            expected = np.where(label > 0, 255, 0) if logits.shape[1] == 2 else label
            bad = (mask != expected) & ~tie
            status = "ok" if bad.sum() == 0 else "FAIL"
            failures += status == "FAIL"
            print(f"{status} {manifest['id']} {stem}: mask {w}x{h}, {int(bad.sum())} pixels differ "
                  f"({int(tie.sum())} ties not compared)")
    if checked == 0:
        print("no tensors were checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
