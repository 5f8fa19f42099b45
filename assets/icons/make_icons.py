#!/usr/bin/python3
"""make_icons.py — draws DxLens's app icons (our own artwork) as PNGs next to this script.

    /usr/bin/python3 assets/icons/make_icons.py

Writes dxlens-192.png, dxlens-512.png (purpose "any") and dxlens-maskable-512.png (purpose "maskable": the
mark kept inside the central 80% safe zone on a full-bleed background). Re-run after changing the drawing;
the PNGs are committed so the build needs no image tools.
"""
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
BACKGROUND = (13, 27, 42, 255)
LUNG = (95, 168, 211, 255)
LENS = (255, 200, 90, 255)


def draw_mark(d, size, inset):
    """Two lung fields and a magnifying lens, in a square of `size` px with `inset` px margin."""
    s = (size - 2 * inset) / 512.0

    def p(x, y):
        return (inset + x * s, inset + y * s)

    d.ellipse([p(112, 130), p(232, 390)], fill=LUNG)
    d.ellipse([p(280, 130), p(400, 390)], fill=LUNG)
    d.ellipse([p(205, 195), p(395, 385)], outline=LENS, width=max(2, int(28 * s)))
    d.line([p(368, 358), p(440, 430)], fill=LENS, width=max(3, int(36 * s)))


def icon(size, maskable):
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:
        d.rectangle([0, 0, size, size], fill=BACKGROUND)
        draw_mark(d, size, int(size * 0.14))
    else:
        d.rounded_rectangle([0, 0, size - 1, size - 1], radius=int(size * 0.19), fill=BACKGROUND)
        draw_mark(d, size, int(size * 0.02))
    return img


def main():
    icon(192, False).save(HERE / "dxlens-192.png", optimize=True)
    icon(512, False).save(HERE / "dxlens-512.png", optimize=True)
    icon(512, True).save(HERE / "dxlens-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
