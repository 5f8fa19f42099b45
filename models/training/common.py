"""Shared utilities for DxLens model training and evaluation.

Everything the four trainers and evaluate.py have in common lives here:
paths and seeds, grouped splits, metrics with bootstrap confidence intervals,
temperature scaling and ECE, the Mahalanobis out-of-distribution gate,
image resizing as the C++ pipeline does it, ONNX export and weight reload,
and manifest / reference writing.

Not a script: import it (`from common import ...`) from models/training/.
Environment:
  DXLENS_DATA     dataset root (default: <repo>/../shared/data)
  DXLENS_CACHE    decoded-data cache (default: /tmp/dxlens-cache)
  DXLENS_THREADS  torch CPU threads (default: 2)
"""
import hashlib
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(REPO, "models")
DATA = os.environ.get("DXLENS_DATA", os.path.abspath(os.path.join(REPO, "..", "shared", "data")))
CACHE = os.environ.get("DXLENS_CACHE", "/tmp/dxlens-cache")
OPSET = 13
OOD_FIT_MAX = 6000  # training images (evenly spaced) used to fit the OOD gate
DISCLAIMER = "Research use only — not a medical device."


# ----------------------------------------------------------------------------- setup
def setup(seed=0):
    """Fixed seeds, deterministic kernels where torch allows, limited threads."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(int(os.environ.get("DXLENS_THREADS", "2")))
    torch.use_deterministic_algorithms(True, warn_only=True)


def data_path(*parts):
    return os.path.join(DATA, *parts)


def have_data(name):
    return os.path.isdir(data_path(name))


def model_dir(model_id, *parts):
    return os.path.join(MODELS, model_id, *parts)


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def machine_facts():
    """What the training time was measured on, for the card: CPU count, torch threads and the 15-minute load
    average at the end (for a run of about that length, the mean load it ran under; 2 cores idle = ~2)."""
    return {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "load_average_15min_at_end": round(os.getloadavg()[2], 2)}


def read_json(path):
    with open(path) as f:
        return json.load(f)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def count_params(module):
    return int(sum(p.numel() for p in module.parameters()))


# ----------------------------------------------------------------------------- splits
def group_split(groups, labels, val_frac, seed):
    """Split sample indices so that no group (patient, slide) is on both sides.

    Groups are stratified by their majority label so both sides keep the class mix.
    Returns (train_idx, val_idx) as sorted numpy arrays.
    """
    groups = np.asarray(groups)
    labels = np.asarray(labels)
    rng = np.random.RandomState(seed)
    uniq = sorted(set(groups.tolist()))
    by_label = {}
    for g in uniq:
        maj = int(round(labels[groups == g].mean()))
        by_label.setdefault(maj, []).append(g)
    val_groups = set()
    for lab in sorted(by_label):
        gs = by_label[lab]
        rng.shuffle(gs)
        val_groups.update(gs[: int(round(len(gs) * val_frac))])
    is_val = np.array([g in val_groups for g in groups])
    return np.where(~is_val)[0], np.where(is_val)[0]


# ----------------------------------------------------------------------------- metrics
def roc_auc(y, s):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, s))


def operating_point(y, p, thr):
    """Confusion-matrix metrics for 'positive if p >= thr'."""
    y = np.asarray(y).astype(bool)
    pred = np.asarray(p) >= thr
    tp, tn = np.sum(pred & y), np.sum(~pred & ~y)
    fp, fn = np.sum(pred & ~y), np.sum(~pred & y)
    div = lambda a, b: float(a / b) if b else float("nan")
    return {"sensitivity": div(tp, tp + fn), "specificity": div(tn, tn + fp),
            "ppv": div(tp, tp + fp), "npv": div(tn, tn + fn), "accuracy": div(tp + tn, len(y))}


def dice(pred, target, eps=1e-7):
    pred, target = np.asarray(pred).astype(bool), np.asarray(target).astype(bool)
    return float((2 * np.sum(pred & target) + eps) / (pred.sum() + target.sum() + eps))


def bootstrap(stat, n_items, groups=None, n_boot=1000, seed=0):
    """95% percentile bootstrap CI of stat(indices), resampling groups when given (None if n_boot is 0)."""
    if not n_boot:
        return None
    rng = np.random.RandomState(seed)
    if groups is None:
        units = [np.array([i]) for i in range(n_items)]
    else:
        groups = np.asarray(groups)
        units = [np.where(groups == g)[0] for g in sorted(set(groups.tolist()))]
    vals = []
    for _ in range(n_boot):
        pick = rng.randint(0, len(units), len(units))
        idx = np.concatenate([units[i] for i in pick])
        try:
            v = stat(idx)
        except ValueError:  # a resample with a single class
            continue
        if np.isfinite(v):
            vals.append(v)
    return [float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))]


def binary_report(y, p, thr, groups=None, n_boot=1000):
    """AUC and operating-point metrics, each {value, ci95}."""
    y, p = np.asarray(y), np.asarray(p)
    out = {"n": int(len(y)), "n_positive": int(y.sum()),
           "auc": {"value": roc_auc(y, p), "ci95": bootstrap(lambda i: roc_auc(y[i], p[i]), len(y), groups, n_boot)}}
    for k, v in operating_point(y, p, thr).items():
        out[k] = {"value": v, "ci95": bootstrap(lambda i, k=k: operating_point(y[i], p[i], thr)[k], len(y), groups, n_boot)}
    return out


def ece(y, p, bins=15):
    """Expected calibration error of the positive-class probability (equal-width bins on confidence)."""
    y, p = np.asarray(y), np.asarray(p)
    conf = np.maximum(p, 1 - p)
    correct = (p >= 0.5) == y.astype(bool)
    edges = np.linspace(0.5, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi) if lo > 0.5 else (conf >= lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(conf[m].mean() - correct[m].mean())
    return float(total)


def fit_temperature(logits, y):
    """Temperature T minimising the NLL of softmax(logits / T) on held-out data."""
    logits = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(y), dtype=torch.long)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), y)
        loss.backward()
        return loss
    opt.step(closure)
    return float(log_t.exp())


def softmax_pos(logits):
    return torch.softmax(torch.as_tensor(np.asarray(logits), dtype=torch.float64), 1)[:, 1].numpy()


def sensitivity_threshold(y, p, target_sens):
    """Threshold just below the lowest positive score that keeps sensitivity >= target_sens."""
    p = np.asarray(p)
    pos = np.sort(p[np.asarray(y) == 1])
    k = int(np.floor((1 - target_sens) * len(pos)))
    below = p[p < pos[k]]
    return float((pos[k] + below.max()) / 2 if len(below) else pos[k])  # midway to the next lower score


# ----------------------------------------------------------------------------- OOD gate
class Mahalanobis(nn.Module):
    """Minimum Mahalanobis distance of a feature vector to class means (shared covariance).

    Fitted on training features; exported inside the ONNX graph as an output [N, 1].
    """

    def __init__(self, dim, n_means=1):
        super().__init__()
        self.register_buffer("means", torch.zeros(n_means, dim))
        self.register_buffer("whiten", torch.eye(dim))

    def fit(self, feats, labels=None):
        from sklearn.covariance import LedoitWolf
        feats = np.asarray(feats, dtype=np.float64)
        labels = np.zeros(len(feats), int) if labels is None else np.asarray(labels)
        means = np.stack([feats[labels == c].mean(0) for c in range(self.means.shape[0])])
        centred = feats - means[labels]
        prec = LedoitWolf().fit(centred).precision_
        chol = np.linalg.cholesky((prec + prec.T) / 2)  # prec = L L^T, d^2 = |(f-mu) L|^2
        self.means.copy_(torch.as_tensor(means, dtype=torch.float32))
        self.whiten.copy_(torch.as_tensor(chol, dtype=torch.float32))
        return self

    def forward(self, f):
        d2 = torch.stack([((f - m) @ self.whiten).pow(2).sum(1) for m in self.means], 1)
        return d2.min(1, keepdim=True)[0].sqrt()


def ood_threshold(train_scores, quantile=0.995):
    """Gate threshold calibrated on training data only."""
    return float(np.quantile(np.asarray(train_scores), quantile))


def fit_ood_gate(gate, feats, labels=None, folds=5, quantile=0.995, margin=1.0, seed=0):
    """Fit gate (a Mahalanobis module) on training features; return its threshold (times margin).

    The threshold is the quantile of cross-fitted training distances (each fold scored by a gate fitted on
    the other folds): distances of a training point to a gate fitted on itself are optimistically small,
    which with few images (lung: 110) would reject most new in-distribution images."""
    feats = np.asarray(feats, dtype=np.float32)
    labels = np.zeros(len(feats), int) if labels is None else np.asarray(labels)
    fold = np.random.RandomState(seed).permutation(len(feats)) % folds
    scores = np.zeros(len(feats), np.float32)
    for k in range(folds):
        part = Mahalanobis(feats.shape[1], gate.means.shape[0]).fit(feats[fold != k], labels[fold != k])
        with torch.no_grad():
            scores[fold == k] = part(torch.from_numpy(feats[fold == k])).numpy()[:, 0]
    gate.fit(feats, labels)
    return margin * ood_threshold(scores, quantile)


# ----------------------------------------------------------------------------- building blocks
class ConvBNAct(nn.Module):
    """3x3 (or kxk) conv + batch norm + ReLU; fuse() folds the BN into the conv for export."""

    def __init__(self, cin, cout, stride=1, k=3, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=True)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True) if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))

    @torch.no_grad()
    def fuse(self):
        if isinstance(self.bn, nn.BatchNorm2d):
            bn = self.bn
            s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            self.conv.weight.mul_(s[:, None, None, None])
            self.conv.bias.copy_((self.conv.bias - bn.running_mean) * s + bn.bias)
            self.bn = nn.Identity()


def fuse_all(model):
    for m in model.modules():
        if isinstance(m, ConvBNAct):
            m.fuse()
    return model


class ImageStandardize(nn.Module):
    """Per-image intensity standardisation inside the graph (robust to exposure/contrast shift)."""

    def forward(self, x):
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        std = (x - mean).pow(2).mean(dim=(1, 2, 3), keepdim=True).add(1e-5).sqrt()
        return (x - mean) / std


# ----------------------------------------------------------------------------- images
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


# ----------------------------------------------------------------------------- export
def export_onnx(module, example, path, input_name, output_names):
    module.eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, example, path, opset_version=OPSET, input_names=[input_name],
                      output_names=output_names, do_constant_folding=False,
                      dynamic_axes={input_name: {0: "N"}, **{o: {0: "N"} for o in output_names}})
    return path


def load_onnx_weights(module, path):
    """Load a shipped model.onnx's initializers back into the (fused) torch module by name."""
    import onnx
    from onnx import numpy_helper
    inits = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    state = module.state_dict()
    missing = [k for k in state if k not in inits]
    if missing:
        raise RuntimeError(f"{path}: initializers missing for {missing[:5]}")
    module.load_state_dict({k: torch.from_numpy(np.array(inits[k])) for k in state})
    return module.eval()


def write_image_reference(model_id, module, image_u8, input_name, output_names, normalize, tol=1e-4):
    """reference/input.png (already at model size) + reference/outputs.json (raw outputs)."""
    from PIL import Image
    ref = model_dir(model_id, "reference")
    os.makedirs(ref, exist_ok=True)
    Image.fromarray(image_u8).save(os.path.join(ref, "input.png"))
    x = torch.from_numpy(image_u8.astype(np.float32))[None, None] * normalize["scale"]
    x = (x - normalize["mean"][0]) / normalize["std"][0]
    with torch.no_grad():
        outs = module.eval()(x)
    write_json(os.path.join(ref, "outputs.json"), {
        n: {"shape": list(o.shape), "data": [round(float(v), 7) for v in o.flatten()]}
        for n, o in zip(output_names, outs)})
    return {"input": "reference/input.png", "outputs": "reference/outputs.json", "tolerance": tol}


def finalize_only():
    """DXLENS_FINALIZE_ONLY=1: refit the OOD gate / calibration / threshold of an existing model.onnx
    with the current code instead of retraining the network (its weights are kept)."""
    return os.environ.get("DXLENS_FINALIZE_ONLY") == "1"


def previous_training_log(model_id):
    path = model_dir(model_id, "training_log.json")
    return read_json(path) if os.path.exists(path) else {}


def finish_manifest(model_id, manifest):
    """Fill file/sha256 and write manifest.json (metrics are added by evaluate.py)."""
    path = model_dir(model_id, "model.onnx")
    manifest["file"] = "model.onnx"
    manifest["sha256"] = sha256(path)
    old = model_dir(model_id, "manifest.json")
    if os.path.exists(old) and "metrics" not in manifest:
        manifest["metrics"] = read_json(old).get("metrics", {})
    write_json(old, manifest)
    size = os.path.getsize(path)
    log(f"{model_id}: model.onnx {size / 1e6:.2f} MB sha256 {manifest['sha256'][:12]}")
    assert size <= 8 * 1024 * 1024, "model exceeds 8 MB"


def cached(name, build):
    """Decoded dataset arrays cached as .npz under DXLENS_CACHE (rebuilt when absent)."""
    path = os.path.join(CACHE, name + ".npz")
    if os.path.exists(path):
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    arrays = build()
    os.makedirs(CACHE, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


# ----------------------------------------------------------------------------- classifier nets
class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a, self.b = ConvBNAct(c, c), ConvBNAct(c, c, act=False)

    def forward(self, x):
        return F.relu(x + self.b(self.a(x)))


class SmallCNN(nn.Module):
    """Stem conv, then per width a stride-2 conv and a residual block; global average pool; linear."""

    def __init__(self, widths, n_classes=2, stem_stride=1, standardize=False, dropout=0.2):
        super().__init__()
        layers = [ImageStandardize()] if standardize else []
        layers.append(ConvBNAct(1, widths[0], stem_stride))
        for cin, cout in zip(widths[:-1], widths[1:]):
            layers += [ConvBNAct(cin, cout, 2), ResBlock(cout)]
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(widths[-1], n_classes)
        self.dim = widths[-1]

    def features(self, x):
        return self.body(x).mean(dim=(2, 3))

    def forward(self, x):
        return self.fc(self.drop(self.features(x)))


class ClassifierExport(nn.Module):
    """Shipped graph: (logits / T [N,2], Mahalanobis OOD [N,1]); optional flip test-time averaging."""

    def __init__(self, net, flips=()):
        super().__init__()
        self.net = net
        self.flips = tuple(flips)  # e.g. ((3,), (2,), (2, 3)) for rotation-free cells
        self.ood = Mahalanobis(net.dim, 2)
        self.register_buffer("temperature", torch.ones(1))

    def features(self, x):
        f = self.net.features(x)
        for dims in self.flips:
            f = f + self.net.features(torch.flip(x, dims))
        return f / (1 + len(self.flips))

    def forward(self, x):
        f = self.features(x)
        return self.net.fc(f) / self.temperature, self.ood(f)


# ----------------------------------------------------------------------------- augmentation
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


# ----------------------------------------------------------------------------- training loop
def normalise(x, norm):
    return (x * norm["scale"] - norm["mean"][0]) / norm["std"][0]


def train_classifier(net, x_tr, y_tr, x_va, y_va, norm, epochs, aug, batch=64, lr=2e-3, wd=5e-4,
                     smoothing=0.1, time_budget=None):
    """AdamW + one-cycle, class-weighted label-smoothed CE, per-batch augmentation.

    x_* are uint8 N x H x W arrays. Returns the training history (val AUC per epoch)."""
    y_t = torch.as_tensor(y_tr, dtype=torch.long)
    counts = np.bincount(y_tr, minlength=2)
    weight = torch.tensor(len(y_tr) / (2 * counts), dtype=torch.float32)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=wd)
    steps = epochs * int(np.ceil(len(y_tr) / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    hist, t0 = [], time.time()
    for ep in range(epochs):
        net.train()
        perm, tot = torch.randperm(len(y_tr)), 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            xb = torch.from_numpy(x_tr[idx.numpy()]).float()[:, None]
            xb = normalise(aug(xb), norm)
            loss = F.cross_entropy(net(xb), y_t[idx], weight=weight, label_smoothing=smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
        va = predict_logits(net, x_va, norm)
        auc = roc_auc(y_va, va[:, 1] - va[:, 0])
        hist.append({"epoch": ep + 1, "loss": round(tot / len(y_tr), 4), "val_auc": round(auc, 5),
                     "seconds": round(time.time() - t0, 1)})
        log(f"epoch {ep + 1}/{epochs} loss {tot / len(y_tr):.4f} val AUC {auc:.5f} ({time.time() - t0:.0f}s)")
    return hist


@torch.no_grad()
def run_batches(fn, x_u8, norm, batch=256):
    """Apply fn to normalised N x 1 x H x W batches of a uint8 N x H x W array; concatenates outputs."""
    outs = []
    for i in range(0, len(x_u8), batch):
        xb = normalise(torch.from_numpy(np.asarray(x_u8[i:i + batch])).float()[:, None], norm)
        o = fn(xb)
        outs.append([t.numpy() for t in (o if isinstance(o, tuple) else (o,))])
    res = [np.concatenate(parts) for parts in zip(*outs)]
    return res if len(res) > 1 else res[0]


def predict_logits(net, x_u8, norm):
    net.eval()
    return run_batches(net, x_u8, norm)


def finalize_classifier(exp, x_tr, y_tr, x_va, y_va, norm, target_sens, val_sets=None):
    """Fit the OOD gate on training features and the temperature on validation logits, pick the threshold.

    exp may be freshly trained or reloaded from a shipped model.onnx (the temperature is reset first).
    val_sets: optional extra perturbed copies of x_va (robust threshold = min over them).
    Returns dict(temperature, threshold, ood_threshold, ece_before, ece_after)."""
    exp.eval()
    exp.temperature.fill_(1.0)
    sub = np.linspace(0, len(x_tr) - 1, min(len(x_tr), OOD_FIT_MAX)).astype(int)
    ood_thr = fit_ood_gate(exp.ood, run_batches(exp.features, x_tr[sub], norm), y_tr[sub])
    raw = run_batches(exp, x_va, norm)[0]
    T = fit_temperature(raw, y_va)
    exp.temperature.fill_(T)
    thr = min(sensitivity_threshold(y_va, softmax_pos(run_batches(exp, xs, norm)[0]), target_sens)
              for xs in [x_va] + list(val_sets or []))
    return {"temperature": T, "threshold": thr, "ood_threshold": ood_thr,
            "ece_before": ece(y_va, softmax_pos(raw)), "ece_after": ece(y_va, softmax_pos(raw / T))}
