#!/usr/bin/python3
"""check_cli.py — checks the `dxlens` command line against the golden references (make_reference.py).

How to use (CTest runs it natively as `cli`):
    /usr/bin/python3 tests/golden/check_cli.py MANIFEST build/bin/dxlens
For every DICOM and raster case: `dxlens info` must print one JSON object matching pydicom's / the reference's
attributes; `dxlens decode --raw` (first and last frame) must write exactly the reference samples (within the
case's tolerance); `dxlens decode --png` must write a PNG of the right size whose grey values follow the DICOM
linear VOI window computed here from pydicom's values (within 1). Files that must be refused must exit with
code 2 and one line on stderr. Exit 77 (skipped) when the manifest says the reference decoders are missing.
"""
import json
import os
import subprocess
import sys
import tempfile


def run(args):
    return subprocess.run(args, capture_output=True, timeout=120)


def refused_properly(p, what):
    lines = p.stderr.decode(errors="replace").strip().splitlines()
    if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("dxlens: ") or p.stdout:
        return "%s: expected exit 2 and one stderr line, got %d, stderr %r" % (what, p.returncode, lines[:3])
    return None


def expected_display(frame, info):
    """DICOM linear VOI (PS3.3 C.11.2.1.2) on modality values; min..max when the file has no window."""
    import numpy as np
    x = frame.astype(np.float64) * info["rescale_slope"] + info["rescale_intercept"]
    if info.get("window_center") is not None and info.get("window_width") is not None:
        c, w = info["window_center"], max(info["window_width"], 1.0)
    else:
        lo, hi = x.min(), x.max()
        c, w = (lo + hi + 1) / 2, hi - lo + 1
    y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0,
                 np.where(x > c - 0.5 + (w - 1) / 2, 255.0, ((x - (c - 0.5)) / max(w - 1, 1e-9) + 0.5) * 255))
    y = np.clip(np.floor(y + 0.5), 0, 255)
    if info["photometric"] == "MONOCHROME1":
        y = 255 - y
    return y


def check_case(case, dxlens, tmp):
    import numpy as np
    problems = []
    p = run([dxlens, "info", case["file"]])
    if "info" in case:
        if p.returncode != 0:
            return ["info failed: %s" % p.stderr.decode(errors="replace").strip()]
        got = json.loads(p.stdout)
        for key, want in case["info"].items():
            have = got.get(key)
            same = abs(have - want) <= 1e-9 * max(1, abs(want)) if isinstance(want, float) and isinstance(
                have, (int, float)) else have == want
            if not same:
                problems.append("info.%s = %r, reference %r" % (key, have, want))
    elif case.get("info_error"):
        problem = refused_properly(p, "info")
        if problem:
            problems.append(problem)

    raw_out, png_out = os.path.join(tmp, "out.bin"), os.path.join(tmp, "out.png")
    if case["expect"] == "error":
        problem = refused_properly(run([dxlens, "decode", case["file"], "--raw", raw_out]), "decode")
        return problems + ([problem] if problem else [])

    shape = case["shape"]
    expected = np.fromfile(case["raw"], dtype=np.dtype(case["dtype"])).reshape(shape)
    for frame in sorted({0, shape[0] - 1}):
        p = run([dxlens, "decode", case["file"], "--raw", raw_out, "--frame", str(frame)])
        if p.returncode != 0:
            problems.append("decode --frame %d failed: %s" % (frame, p.stderr.decode(errors="replace").strip()))
            continue
        ours = np.fromfile(raw_out, dtype=np.dtype(case["dtype"]))
        if ours.size != expected[frame].size:
            problems.append("frame %d: %d samples written, %d expected" % (frame, ours.size, expected[frame].size))
            continue
        diff = np.abs(ours.astype(np.int64) - expected[frame].reshape(-1).astype(np.int64)).max()
        if diff > case.get("tolerance", 0):
            problems.append("frame %d: samples differ by up to %d" % (frame, diff))

    p = run([dxlens, "decode", case["file"], "--png", png_out])
    if p.returncode != 0:
        return problems + ["decode --png failed: %s" % p.stderr.decode(errors="replace").strip()]
    from PIL import Image
    shown = np.asarray(Image.open(png_out))
    if shown.shape[0] != shape[1] or shown.shape[1] != shape[2]:
        problems.append("PNG is %s, image is %dx%d" % (shown.shape, shape[2], shape[1]))
    elif case["kind"] == "dicom" and shape[3] == 1 and "info" in case:
        want = expected_display(expected[0, :, :, 0], case["info"])
        diff = np.abs(shown.astype(np.float64) - want).max() if shown.ndim == 2 else 999
        if diff > 1 + case.get("tolerance", 0) * 255:
            problems.append("PNG grey values differ from the DICOM window rendering by up to %s" % diff)
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    manifest_path, dxlens = sys.argv[1], sys.argv[2]
    if not os.path.exists(manifest_path):
        print("SKIPPED: no golden manifest at %s" % manifest_path)
        return 77
    manifest = json.load(open(manifest_path))
    if "skip" in manifest:
        print("SKIPPED: " + manifest["skip"])
        return 77
    failures = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for bad in ([dxlens, "info", os.path.join(tmp, "does-not-exist.dcm")], [dxlens, "decode", manifest_path,
                    "--raw", os.path.join(tmp, "x.bin")], [dxlens, "decode"], [dxlens, "frobnicate"]):
            problem = refused_properly(run(bad), " ".join(os.path.basename(a) for a in bad[1:]))
            checked += 1
            if problem:
                failures += 1
                print("FAIL " + problem)
        for case in manifest["cases"]:
            if case["kind"] not in ("dicom", "raster"):
                continue
            problems = check_case(case, dxlens, tmp)
            checked += 1
            if problems:
                failures += 1
                print("FAIL %s: %s" % (case["name"], "; ".join(problems)))
    print("cli: %d of %d checks passed" % (checked - failures, checked))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
