"""The synthetic images the decode benchmarks read: 2048 x 2048 grey and 1024 x 1024 colour, as PNG and JPEG.

How to use: /usr/bin/python3 bench/make_bench_files.py build/bench-files   (bench/run_bench.sh and
bench/compare_builds.sh call it; Debian's python3-numpy and python3-pil). Deterministic: the same bytes each time.
"""
import sys

import numpy as np
from PIL import Image

out = sys.argv[1]
y, x = np.mgrid[0:2048, 0:2048]
grey = ((np.sin(x / 37.0) + np.cos(y / 23.0)) * 60 + 128 + (x * y % 17)).clip(0, 255).astype(np.uint8)
Image.fromarray(grey, "L").save(out + "/grey_2048.png")
Image.fromarray(grey, "L").save(out + "/grey_2048.jpg", quality=90)
rgb = np.dstack([grey[:1024, :1024], grey[1024:, :1024], grey[:1024, 1024:]])
Image.fromarray(rgb, "RGB").save(out + "/rgb_1024.png")
Image.fromarray(rgb, "RGB").save(out + "/rgb_1024.jpg", quality=90)
