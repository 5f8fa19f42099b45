"""Image files to network input as the DxLens C++ pipeline does it (src/core/inference/preprocess.h).

    x = load_gray(path, 128, 128)   # 1 x 128 x 128 float32 tensor, luminance 0..255

Colour becomes luminance with the same weights, and resize_like_app() shrinks the way the app does, so a
network sees at inference what it saw in training.
"""
import numpy as np
import torch
import torch.nn.functional as F


def to_luminance(img):
    """HxWx3 (or HxW) array -> HxW float32 luminance 0..255, as the C++ side converts colour."""
    a = np.asarray(img, dtype=np.float32)
    if a.ndim == 3:
        a = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32) if a.shape[2] >= 3 else a[..., 0]
    return a


def resize_like_app(batch, h, w):
    """Resize an N x C x H x W float tensor as DxLens does: area average first when downscaling
    by more than 2x (to twice the target), then bilinear with half-pixel centres."""
    sh, sw = batch.shape[-2:]
    if sh > 2 * h or sw > 2 * w:
        batch = F.adaptive_avg_pool2d(batch, (min(sh, 2 * h), min(sw, 2 * w)))
    if batch.shape[-2:] != (h, w):
        batch = F.interpolate(batch, size=(h, w), mode="bilinear", align_corners=False)
    return batch


def load_gray(path, h, w):
    """Any image file -> 1 x h x w float32 tensor of 0..255 values, app-style."""
    from PIL import Image
    with Image.open(path) as im:
        a = to_luminance(np.asarray(im.convert("RGB")))
    return resize_like_app(torch.from_numpy(a)[None, None], h, w)[0]
