#!/usr/bin/env python3
"""mask_cleanup_reference.py OUT.bin [--count N] [--seed S] — random label masks and what
models/training/mask_cleanup.py (scipy.ndimage) makes of them, for dx_mask_cleanup_check to compare the C++
clean-up (src/core/inference/mask_cleanup.h) with, pixel for pixel. CTest runs it as a fixture into the build
folder (tests/CMakeLists.txt); nothing is committed.

The masks are blobs (smoothed noise thresholded, or the argmax of several smoothed fields for 3-4 classes) and
plain noise (many one-pixel components touching only at corners, many equal sizes), 1 x 1 to 97 x 89 pixels,
with every combination of keep_largest 0-3 and fill_holes.

File (little-endian): b"DXMASKC1", uint32 count, then per mask uint32 width, height, classes, keep_largest
(0 = keep all), fill_holes (0/1), width*height bytes of input, width*height bytes of the expected output.
"""
import argparse
import os
import struct
import sys

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "training"))
from mask_cleanup import clean_mask  # noqa: E402


def random_mask(rng, index):
    h, w = int(rng.integers(1, 98)), int(rng.integers(1, 90))
    if index % 50 == 0:
        h, w = int(rng.integers(1, 4)), int(rng.integers(1, 40))  # single rows/columns: everything touches the border
    classes = int(rng.choice([2, 2, 3, 4]))
    kind = index % 4
    if kind == 3:
        # Noise: components touching only at corners, and a great many ties of size 1 and 2.
        fg = rng.random((h, w)) < rng.uniform(0.2, 0.6)
        mask = np.where(fg, rng.integers(1, classes, size=(h, w)), 0)
    elif classes == 2:
        field = ndimage.gaussian_filter(rng.standard_normal((h, w)), sigma=rng.uniform(1.0, 5.0))
        mask = field > np.quantile(field, rng.uniform(0.3, 0.8))
    else:
        fields = [ndimage.gaussian_filter(rng.standard_normal((h, w)), sigma=rng.uniform(1.0, 4.0))
                  for _ in range(classes)]
        mask = np.argmax(np.stack(fields), axis=0)
    return np.ascontiguousarray(mask, dtype=np.uint8), classes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    records, changed = [], 0
    for i in range(args.count):
        mask, classes = random_mask(rng, i)
        keep, fill = i % 4, (i // 4) % 2 == 1
        if keep == 0 and not fill:
            keep = 1 + i % 3  # no clean-up at all would compare nothing
        expected = clean_mask(mask, classes, keep, fill)
        changed += int(not np.array_equal(mask, expected))
        h, w = mask.shape
        records.append(struct.pack("<5I", w, h, classes, keep, int(fill)) + mask.tobytes() + expected.tobytes())
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(b"DXMASKC1" + struct.pack("<I", len(records)) + b"".join(records))
    print(f"mask_cleanup_reference.py: {len(records)} masks ({changed} changed by the clean-up) -> {args.out}")


if __name__ == "__main__":
    main()
