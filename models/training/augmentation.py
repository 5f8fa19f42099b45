"""Random training augmentation of image batches: geometry (rotation, scale, shift, flips), then intensity
(gamma, contrast, brightness, blur, noise).

    xb = augment(xb, rot=10, gamma=(0.6, 1.6))               # N x 1 x H x W, values 0..255
    xb, mb = augment(xb, masks=mb)                           # segmentation: masks get the same geometry

Draws from torch's global generator in a fixed order, so a seeded run repeats itself exactly.
"""
import numpy as np
import torch
import torch.nn.functional as F


def _blur(x, sigma):
    r = 2
    k = torch.exp(-(torch.arange(-r, r + 1, dtype=x.dtype) ** 2)[None] / (2 * sigma[:, None] ** 2))
    k = k / k.sum(1, keepdim=True)  # [B, 5]
    b, c, h, w = x.shape
    xp = F.pad(x.reshape(1, b * c, h, w), (r, r, r, r), mode="replicate")
    kh = k.repeat_interleave(c, 0)[:, None, None, :]
    kv = k.repeat_interleave(c, 0)[:, None, :, None]
    y = F.conv2d(F.conv2d(xp, kh, groups=b * c), kv, groups=b * c)
    return y.reshape(b, c, h, w)


def augment(x, rot=10.0, scale=(0.9, 1.1), shift=0.06, hflip=False, vflip=False, gamma=(0.7, 1.4),
            contrast=(0.75, 1.3), brightness=20.0, blur_p=0.3, noise=6.0, out_size=None, padding="border",
            masks=None):
    """Batch augmentation on N x 1 x H x W tensors of 0..255 values (geometry, then intensity).

    masks (N x 1 x H x W float 0..1), when given, get the same geometry and are returned too."""
    n = x.shape[0]
    u = lambda lo, hi: torch.empty(n).uniform_(lo, hi)
    ang = u(-rot, rot) * np.pi / 180
    s = u(*scale)
    cos, sin = torch.cos(ang) / s, torch.sin(ang) / s
    sx = torch.where(torch.rand(n) < 0.5, -1.0, 1.0) if hflip else torch.ones(n)
    sy = torch.where(torch.rand(n) < 0.5, -1.0, 1.0) if vflip else torch.ones(n)
    theta = torch.stack([torch.stack([cos * sx, -sin * sy, u(-shift, shift) * 2], 1),  # rotation @ diag(sx, sy)
                         torch.stack([sin * sx, cos * sy, u(-shift, shift) * 2], 1)], 1)
    size = (n, x.shape[1]) + (tuple(out_size) if out_size else tuple(x.shape[-2:]))
    grid = F.affine_grid(theta, size, align_corners=False)
    y = F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=False)
    if masks is not None:
        masks = F.grid_sample(masks, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    y = (y / 255).clamp(0, 1) ** u(*gamma)[:, None, None, None] * 255
    m = y.mean(dim=(1, 2, 3), keepdim=True)
    y = (y - m) * u(*contrast)[:, None, None, None] + m + u(-brightness, brightness)[:, None, None, None]
    if blur_p > 0:
        blurred = _blur(y, u(0.3, 1.2))
        pick = (torch.rand(n) < blur_p)[:, None, None, None]
        y = torch.where(pick, blurred, y)
    y = y + torch.randn_like(y) * u(0, noise)[:, None, None, None]
    return y.clamp(0, 255) if masks is None else (y.clamp(0, 255), masks)
