"""Train models/cxr-lung-seg: lung-field segmentation of frontal chest X-rays (small U-Net, 128x128).

Usage:  nice -n 19 /usr/bin/python3 models/training/train_cxr_lung_seg.py [--out DIR]
Then:   /usr/bin/python3 models/training/evaluate.py cxr-lung-seg   (metrics + MODEL_CARD.md)

Data: ../shared/data/lung_montgomery (138 image/mask pairs, one per patient), 20% of patients for
validation, stratified by TB label. Model: U-Net (widths 8-128, double convs down, one conv per
level up, bilinear upsampling) with per-image
intensity standardisation inside the graph; strong intensity augmentation and small affine
transforms (no flips: the lungs are not mirror images) to generalise to other hospitals; loss =
cross-entropy + soft Dice. Outputs: per-pixel logits [N,2,128,128] (the app upsamples them bilinearly
to the input image's size, then takes the argmax) and a Mahalanobis OOD distance [N,1] of the
pooled bottleneck features.
"""
import csv
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from augmentation import augment  # noqa: E402
from datasets import cached, data_path, group_split  # noqa: E402
from export import export_onnx, finish_manifest, grey_image_input, ood_output, write_image_reference  # noqa: E402
from images import load_gray  # noqa: E402
from population import with_blocks  # noqa: E402
from inference import normalise, run_batches  # noqa: E402
from metrics import dice  # noqa: E402
from model_package import DISCLAIMER, OPSET, write_json  # noqa: E402
from networks import ConvBNAct, ImageStandardize, count_params, fuse_all  # noqa: E402
from ood_gate import Mahalanobis, fit_ood_gate  # noqa: E402
from runtime import log, setup  # noqa: E402
from training import one_cycle, trained_or_reloaded, trainer_arguments  # noqa: E402

ID = "cxr-lung-seg"
CLASSES = ["background", "lung"]
SIZE = 128
WIDTHS = [8, 16, 32, 64, 128]
EPOCHS = int(os.environ.get("DXLENS_EPOCHS", "40"))  # override only for smoke tests
SEED = 0
VAL_FRAC = 0.2
OOD_MARGIN = 1.4  # 110 training images: their 99.5% quantile is about the sample maximum, so widen it
NORM = {"scale": 1 / 255, "mean": [0.0], "std": [1.0]}  # the graph standardises each image itself

CARD = {
    "name": "Lung field segmentation, frontal chest X-ray",
    "intended_use": "Research: outline both lung fields on a frontal (PA/AP) chest radiograph, e.g. to measure "
                    "lung area or to restrict other analyses to the lungs.",
    "users": "Researchers and developers of image-analysis pipelines.",
    "out_of_scope": "Clinical measurement or diagnosis; lateral views, CT, children under ~5 years (not in the "
                    "training data), images with devices or severe pathology hiding the lung borders.",
    "data": "Montgomery County chest X-ray set (Jaeger et al. 2014): 138 frontal adult radiographs (80 normal, "
            "58 tuberculosis) with manual lung masks. U.S. National Library of Medicine public release.",
    "citation": "Jaeger S et al. Two public chest X-ray datasets for computer-aided screening of pulmonary diseases. "
                "Quant Imaging Med Surg 4(6):475-477, 2014.",
    "changes": "Images and masks were downsized to 256x256 (aspect ratio squashed) by the data provider, masks "
               "thresholded to 0/255 (left and right lung merged); resized here to 128x128 for training.",
    "splits": "One image per patient; 20% of patients (stratified by TB label, seed 0) for validation. "
              "Dice is computed at 256x256 after upsampling the logits as the app does.",
    "limitations": ["Trained on 110 images from one hospital (Montgomery County, USA); the product owner "
                    "evaluates on another hospital (Shenzhen).",
                    "The ground-truth masks exclude the heart and the area behind it; other conventions differ.",
                    "128x128 resolution: borders are accurate to about 1/128 of the image width."],
}


class UNet(nn.Module):
    def __init__(self, widths=WIDTHS):
        super().__init__()
        self.std = ImageStandardize()
        self.down = nn.ModuleList()
        cin = 1
        for w in widths:
            self.down.append(nn.Sequential(ConvBNAct(cin, w), ConvBNAct(w, w)))
            cin = w
        self.up = nn.ModuleList(ConvBNAct(a + b, b) for a, b in zip(widths[:0:-1], widths[-2::-1]))
        self.out = nn.Conv2d(widths[0], 2, 1)
        self.dim = widths[-1]

    def encode(self, x):
        skips = []
        x = self.std(x)
        for i, block in enumerate(self.down):
            x = block(F.max_pool2d(x, 2) if i else x)
            skips.append(x)
        return skips

    def forward(self, x):
        skips = self.encode(x)
        x = skips[-1]
        for block, skip in zip(self.up, skips[-2::-1]):
            x = block(torch.cat([F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False), skip], 1))
        return self.out(x)


class SegExport(nn.Module):
    """Shipped graph: (logits [N,2,H,W], OOD distance [N,1] of the pooled bottleneck features)."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.ood = Mahalanobis(net.dim, 1)

    def features(self, x):
        return self.net.encode(x)[-1].mean(dim=(2, 3))

    def forward(self, x):
        return self.net(x), self.ood(self.features(x))


def build_export_module():
    return fuse_all(SegExport(UNet()))


def load():
    """images uint8 [N,128,128], masks uint8 [N,256,256] (0/1), tb [N], ids [N]."""
    def build():
        rows = list(csv.DictReader(open(data_path("lung_montgomery", "labels.csv"))))
        from PIL import Image
        x = np.stack([load_gray(data_path("lung_montgomery", r["image"]), SIZE, SIZE)[0].round().clamp(0, 255)
                      .byte().numpy() for r in rows])
        m = np.stack([(np.asarray(Image.open(data_path("lung_montgomery", r["mask"])).convert("L")) > 127)
                      .astype(np.uint8) for r in rows])
        return {"x": x, "m": m, "tb": np.array([int(r["tb_label"] != "normal") for r in rows]),
                "ids": np.array([os.path.basename(r["image"]) for r in rows])}
    d = cached("lung_montgomery_128", build)
    return d["x"], d["m"], d["tb"], d["ids"]


def split():
    x, m, tb, ids = load()
    tr, va = group_split(ids, tb, VAL_FRAC, SEED)
    return x, m, tb, ids, tr, va


def small_masks(m):
    """256x256 0/1 masks -> 128x128 float targets (2x2 average, as the bilinear half-pixel resize)."""
    return F.avg_pool2d(torch.from_numpy(m).float()[:, None], 2)


def seg_loss(logits, target):
    ce = F.cross_entropy(logits, (target[:, 0] > 0.5).long())
    p = torch.softmax(logits, 1)[:, 1:]
    soft_dice = 1 - (2 * (p * target).sum((1, 2, 3)) + 1) / (p.sum((1, 2, 3)) + target.sum((1, 2, 3)) + 1)
    return ce + soft_dice.mean()


def predict_masks(module, x_u8, out_size):
    """Full-resolution 0/1 masks: logits upsampled bilinearly (half-pixel) to out_size, then argmax."""
    logits = run_batches(lambda b: module(b)[0] if isinstance(module, SegExport) else module(b), x_u8, NORM, 16)
    up = F.interpolate(torch.from_numpy(logits), size=out_size, mode="bilinear", align_corners=False)
    return (up[:, 1] > up[:, 0]).numpy().astype(np.uint8)


def aug(xb, mb):
    return augment(xb, rot=10, scale=(0.85, 1.15), shift=0.08, gamma=(0.6, 1.6), contrast=(0.7, 1.4),
                   brightness=25, blur_p=0.3, noise=8, masks=mb)


def train(net, x, m_small, x_va, m_va, epochs, batch=8, lr=3e-3):
    def batch_loss(idx):
        idx = idx.numpy()
        xb, mb = aug(torch.from_numpy(x[idx]).float()[:, None], m_small[idx])
        return seg_loss(net(normalise(xb, NORM)), mb)

    def end_epoch(ep, loss, t0):
        if (ep + 1) % 10 == 0 or ep == epochs - 1:
            net.eval()
            d = np.mean([dice(p, t) for p, t in zip(predict_masks(net, x_va, m_va.shape[-2:]), m_va)])
            entry = {"epoch": ep + 1, "loss": round(loss, 4), "val_dice": round(float(d), 4),
                     "seconds": round(time.time() - t0, 1)}
            log(f"epoch {ep + 1}/{epochs} loss {loss:.4f} val Dice {d:.4f} ({time.time() - t0:.0f}s)")
            return entry
        return None

    return one_cycle(net, len(x), epochs, batch, lr, 1e-4, 0.1, batch_loss, end_epoch)


def main(out):
    setup(SEED)
    t0 = time.time()
    x, m, tb, ids, tr, va = split()
    log(f"train {len(tr)} patients, val {len(va)}")

    def train_net():
        net = UNet()
        hist = train(net, x[tr], small_masks(m[tr]), x[va], m[va], EPOCHS)
        return fuse_all(SegExport(net.eval())).eval(), hist
    exp, hist, t0 = trained_or_reloaded(out, t0, build_export_module, train_net)
    ood_thr = fit_ood_gate(exp.ood, run_batches(exp.features, x[tr], NORM, 16), margin=OOD_MARGIN)
    export_onnx(exp, torch.zeros(1, 1, SIZE, SIZE), os.path.join(out, "model.onnx"), "image", ["logits", "ood"])
    reference = write_image_reference(out, exp, x[va][0], "image", ["logits", "ood"], NORM, tol=1e-3)
    manifest = {
        "schema": "dxlens.model/1", "id": ID, "name": CARD["name"], "version": "1.0.0", "task": "segmentation",
        "input": grey_image_input(SIZE, NORM),
        "outputs": [
            {"name": "logits", "activation": "softmax", "classes": CLASSES, "layout": "NCHW",
             "postprocess": "upsample logits bilinearly (half-pixel) to the input image size, then argmax"},
            ood_output()],
        "ood": {"output": "ood", "method": "Mahalanobis distance (Ledoit-Wolf covariance) of the average-pooled "
                "U-Net bottleneck features", "threshold": round(ood_thr, 4), "higher_is_outlier": True},
        "intended_use": CARD["intended_use"], "modalities": ["CR", "DX"], "body_parts": ["chest"],
        "license": "Training data: U.S. National Library of Medicine public release (cite); model weights: project licence",
        "citation": CARD["citation"], "disclaimer": DISCLAIMER, "reference": reference,
    }
    finish_manifest(out, with_blocks(manifest, ID))
    write_json(os.path.join(out, "training_log.json"), {
        "params": count_params(exp.net), "train_seconds": round(time.time() - t0, 1), "seed": SEED, "epochs": EPOCHS,
        "model": f"U-Net widths {WIDTHS} at {SIZE}x{SIZE} (2 convs per level down, 1 up), bilinear upsampling, per-image standardisation",
        "ood_threshold_rule": f"{OOD_MARGIN} x the 99.5th percentile of 5-fold cross-fitted distances of the 110 training "
                              "images (with so few images that percentile is about their maximum; the margin was chosen "
                              "after the unwidened gate accepted only 92.9% of the 28 validation images)",
        "history": hist, "torch": torch.__version__, "opset": OPSET})
    log("done")


if __name__ == "__main__":
    main(trainer_arguments(ID, __doc__).parse_args().out)
