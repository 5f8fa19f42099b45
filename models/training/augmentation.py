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
            masks=None, aspect=None):
    """Batch augmentation on N x 1 x H x W tensors of 0..255 values (geometry, then intensity).

    masks (N x 1 x H x W float 0..1), when given, get the same geometry and are returned too.
    aspect (lo, hi), when given: width scaled by a and height by 1/a, a drawn in [lo, hi] (images squashed to a
    square from detectors of other aspect ratios); without it nothing is drawn, so runs repeat earlier ones exactly."""
    n = x.shape[0]
    u = lambda lo, hi: torch.empty(n).uniform_(lo, hi)
    ang = u(-rot, rot) * np.pi / 180
    s = u(*scale)
    cos, sin = torch.cos(ang) / s, torch.sin(ang) / s
    sx = torch.where(torch.rand(n) < 0.5, -1.0, 1.0) if hflip else torch.ones(n)
    sy = torch.where(torch.rand(n) < 0.5, -1.0, 1.0) if vflip else torch.ones(n)
    tx, ty = u(-shift, shift) * 2, u(-shift, shift) * 2
    if aspect is not None:
        a = u(*aspect)
        sx, sy = sx / a, sy * a  # the grid samples the source: dividing x by a stretches the content by a
    theta = torch.stack([torch.stack([cos * sx, -sin * sy, tx], 1),  # rotation @ diag(sx, sy)
                         torch.stack([sin * sx, cos * sy, ty], 1)], 1)
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


def acquisition_stress(x_u8, masks=None):
    """Fixed, deterministic acquisition shifts beyond the training augmentation's range, for measuring
    robustness (never for training): {name: uint8 N x H x W copy}. They stand in for what differs between
    sites and years: detector resolution, exposure (gamma), contrast, field of view and noise.
    masks (uint8 N x h x w, any size), when given: {name: (images, masks)}, the masks moved with the field of
    view (the geometric shifts) and unchanged by the others."""
    x = torch.from_numpy(np.asarray(x_u8)).float()[:, None]
    h, w = x.shape[-2:]

    def zoom(t, factor, mode):  # > 1 zooms out (the anatomy smaller), < 1 zooms in
        theta = torch.tensor([[factor, 0.0, 0.0], [0.0, factor, 0.0]]).expand(len(t), 2, 3)
        grid = F.affine_grid(theta, t.shape, align_corners=False)
        return F.grid_sample(t, grid, mode=mode, padding_mode="border" if mode == "bilinear" else "zeros",
                             align_corners=False)

    def low_res(y):
        small = F.interpolate(y, size=(h // 2, w // 2), mode="area")
        return F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)

    gen = torch.Generator().manual_seed(7)
    m = x.mean(dim=(1, 2, 3), keepdim=True)
    out = {"half resolution": low_res(x),
           "gamma 0.5 (overexposed look)": (x / 255) ** 0.5 * 255,
           "gamma 1.9 (underexposed look)": (x / 255) ** 1.9 * 255,
           "contrast x0.55": (x - m) * 0.55 + m,
           "field of view 1.3x (zoomed out)": zoom(x, 1.3, "bilinear"),
           "field of view 0.8x (zoomed in)": zoom(x, 0.8, "bilinear"),
           "blur sigma 1.5 + noise sd 10": _blur(x, torch.full((len(x),), 1.5)) +
           torch.randn(x.shape, generator=gen) * 10}
    images = {k: v.clamp(0, 255).round()[:, 0].byte().numpy() for k, v in out.items()}
    if masks is None:
        return images
    mt = torch.from_numpy(np.asarray(masks)).float()[:, None]
    moved = {"field of view 1.3x (zoomed out)": 1.3, "field of view 0.8x (zoomed in)": 0.8}
    return {k: (v, (zoom(mt, moved[k], "nearest")[:, 0] > 0.5).numpy().astype(np.uint8) if k in moved
                else np.asarray(masks)) for k, v in images.items()}
