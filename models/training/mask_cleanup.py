"""A segmentation mask's clean-up as the app does it (manifest outputs[0].mask_cleanup), with scipy.ndimage.

    from mask_cleanup import clean_mask
    cleaned = clean_mask(mask, n_classes=2, keep_largest=2, fill_holes=True)   # mask: 2-D uint8 class indices

The same steps as src/core/inference/mask_cleanup.h (the C++ the app, the CLI and the card's numbers share), so
an evaluation that calls this scores the mask the app shows: for each class 1 .. n_classes-1 in order, on the
mask as the previous classes left it,
  1. keep the `keep_largest` largest 4-connected components of the class (None or 0: keep all); the others'
     pixels become background (0); equal sizes go to the component scipy.ndimage.label numbers first, i.e. the
     one whose first pixel in raster order comes first;
  2. then, when `fill_holes`, every pixel inside the class (binary_fill_holes on the class's binary mask, 4-connected)
     that is not yet the class becomes the class, other classes' pixels included.
tests/model/mask_cleanup_reference.py checks, on random masks, that the C++ gives this function's result.
"""
import numpy as np
from scipy import ndimage


def clean_mask(mask_uint8_classes, n_classes, keep_largest=None, fill_holes=False):
    """Returns a cleaned copy of a 2-D array of class indices (0 = background); the input is not changed."""
    out = np.array(mask_uint8_classes, dtype=np.uint8, copy=True)
    if out.ndim != 2:
        raise ValueError(f"clean_mask needs a 2-D mask, got shape {out.shape}")
    if keep_largest is not None and int(keep_largest) < 0:
        raise ValueError(f"keep_largest must be None, 0 or a whole number >= 1, got {keep_largest}")
    for c in range(1, int(n_classes)):
        region = out == c
        if not region.any():
            continue
        if keep_largest:
            # Default structure: 4-connectivity. Components are numbered 1.. in raster order of their first pixel.
            components, count = ndimage.label(region)
            if count > keep_largest:
                sizes = np.bincount(components.ravel())[1:]
                # Largest first; a stable sort keeps equal sizes in numbering order.
                kept = np.argsort(-sizes, kind="stable")[:keep_largest] + 1
                out[region & ~np.isin(components, kept)] = 0
                region = out == c
        if fill_holes:
            out[ndimage.binary_fill_holes(region) & ~region] = c
    return out
