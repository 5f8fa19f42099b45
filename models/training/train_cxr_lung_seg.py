"""Train models/cxr-lung-seg: lung-field segmentation of frontal chest X-rays (small U-Net, 256x256).

Usage:  nice -n 19 /usr/bin/python3 models/training/train_cxr_lung_seg.py [--out DIR]
Then:   /usr/bin/python3 models/training/evaluate.py cxr-lung-seg   (metrics + MODEL_CARD.md)

Data: ../shared/data/lung_montgomery (138 image/mask pairs, one per patient), 20% of patients for
validation, stratified by TB label. Model: U-Net (widths 8-128, double convs down, one conv per
level up, bilinear upsampling) at 256x256 with per-image intensity standardisation inside the graph. Loss =
cross-entropy + soft Dice.

Built for another hospital's images (the product owner measured mean Dice 0.934 on Shenzhen with the first
version, 0.976 on this validation split): the augmentation covers what differs between sites - exposure
(gamma 0.5-1.8), contrast, blur and noise, and above all the field of view and the detector's aspect ratio
(every image was squashed to a square, so a taller or wider detector squashes the lungs differently): scale
0.75-1.3, shift 12%, rotation 12 deg, aspect 0.8-1.25. No flips: the lungs are not mirror images (the heart
sits left), so neither mirrored training images nor mirrored test-time averaging. The manifest asks the app
to keep the two largest lung components and fill holes in them (mask_cleanup), which removes the stray
islands that made the worst cases. Outputs: per-pixel logits [N,2,256,256] (the app upsamples them
bilinearly to the input image's size, takes the argmax, then cleans the mask) and a Mahalanobis OOD distance
[N,1] of the pooled bottleneck features.
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
from augmentation import acquisition_stress, augment  # noqa: E402
from datasets import cached, data_path, group_split  # noqa: E402
from export import export_onnx, finish_manifest, grey_image_input, ood_output, write_image_reference  # noqa: E402
from images import load_gray  # noqa: E402
from population import with_blocks  # noqa: E402
from inference import normalise, run_batches  # noqa: E402
from metrics import dice  # noqa: E402
from model_package import DISCLAIMER, OPSET, write_json  # noqa: E402
from networks import ConvBNAct, ImageStandardize, count_params, fuse_all  # noqa: E402
from ood_gate import Mahalanobis, fit_ood_gate  # noqa: E402
from runtime import log, machine_facts, setup  # noqa: E402
from training import one_cycle, trained_or_reloaded, trainer_arguments  # noqa: E402

ID = "cxr-lung-seg"
CLASSES = ["background", "lung"]
# The masks' resolution. Trials with the same recipe at 128 (mask clean-up on): mean Dice under the simulated shifts
# 0.9732 vs 0.9745 at 256, their worst case 0.874 vs 0.899, validation 0.9760 vs 0.9763; the held-back masks are at
# the radiographs' full size, where a 2x coarser border costs more than here. 256 costs 4x the compute.
SIZE = 256
WIDTHS = [8, 16, 32, 64, 128]
EPOCHS = int(os.environ.get("DXLENS_EPOCHS", "50"))  # override only for smoke tests
SEED = 0
VAL_FRAC = 0.2
MASK_CLEANUP = {"keep_largest_components": 2, "fill_holes": True}  # both lungs, no islands, no holes
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
               "thresholded to 0/255 (left and right lung merged); the images are used at that size.",
    "splits": "One image per patient; 20% of patients (stratified by TB label, seed 0) for validation. "
              "Dice is computed at 256x256 after upsampling the logits as the app does.",
    "limitations": ["Trained on 110 images from one hospital (Montgomery County, USA); on another hospital "
                    "(Shenzhen) the first version scored 0.04 Dice below its validation figure (held-back section). "
                    "The simulated shifts below cost at most 0.007 Dice, so they do not reproduce that gap: the wider "
                    "field-of-view and aspect augmentation and the mask clean-up are this version's answer to it, "
                    "their effect on the other hospital still to be measured.",
                    "The ground-truth masks exclude the heart and the area behind it; other conventions differ.",
                    "256x256 resolution: borders are accurate to about 1/256 of the image width."],
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
    """images uint8 [N,SIZE,SIZE], masks uint8 [N,256,256] (0/1), tb [N], ids [N]."""
    def build():
        rows = list(csv.DictReader(open(data_path("lung_montgomery", "labels.csv"))))
        from PIL import Image
        x = np.stack([load_gray(data_path("lung_montgomery", r["image"]), SIZE, SIZE)[0].round().clamp(0, 255)
                      .byte().numpy() for r in rows])
        m = np.stack([(np.asarray(Image.open(data_path("lung_montgomery", r["mask"])).convert("L")) > 127)
                      .astype(np.uint8) for r in rows])
        return {"x": x, "m": m, "tb": np.array([int(r["tb_label"] != "normal") for r in rows]),
                "ids": np.array([os.path.basename(r["image"]) for r in rows])}
    d = cached(f"lung_montgomery_{SIZE}", build)
    return d["x"], d["m"], d["tb"], d["ids"]


def split():
    x, m, tb, ids = load()
    tr, va = group_split(ids, tb, VAL_FRAC, SEED)
    return x, m, tb, ids, tr, va


def small_masks(m):
    """256x256 0/1 masks -> SIZE x SIZE float targets (area average, as the bilinear half-pixel resize)."""
    return F.interpolate(torch.from_numpy(m).float()[:, None], size=(SIZE, SIZE), mode="area")


def seg_loss(logits, target):
    ce = F.cross_entropy(logits, (target[:, 0] > 0.5).long())
    p = torch.softmax(logits, 1)[:, 1:]
    soft_dice = 1 - (2 * (p * target).sum((1, 2, 3)) + 1) / (p.sum((1, 2, 3)) + target.sum((1, 2, 3)) + 1)
    return ce + soft_dice.mean()


def predict_masks(module, x_u8, out_size, cleanup=None):
    """Full-resolution 0/1 masks: logits upsampled bilinearly (half-pixel) to out_size, then argmax, then the
    manifest's mask_cleanup (cleanup: its dict, or None) exactly as the app does it."""
    logits = run_batches(lambda b: module(b)[0] if isinstance(module, SegExport) else module(b), x_u8, NORM, 16)
    up = F.interpolate(torch.from_numpy(logits), size=out_size, mode="bilinear", align_corners=False)
    masks = (up[:, 1] > up[:, 0]).numpy().astype(np.uint8)
    if cleanup:
        from mask_cleanup import clean_mask
        masks = np.stack([clean_mask(k, len(CLASSES), cleanup.get("keep_largest_components"),
                                     cleanup.get("fill_holes", False)) for k in masks]).astype(np.uint8)
    return masks


def aug(xb, mb):
    return augment(xb, rot=12, scale=(0.75, 1.3), shift=0.12, gamma=(0.5, 1.8), contrast=(0.6, 1.5),
                   brightness=30, blur_p=0.4, noise=10, masks=mb, aspect=(0.8, 1.25))


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
    stressed = np.stack([run_batches(exp.features, xs, NORM, 16) for xs in acquisition_stress(x[tr]).values()])
    ood_thr = fit_ood_gate(exp.ood, run_batches(exp.features, x[tr], NORM, 16), shifted_feats=stressed)
    export_onnx(exp, torch.zeros(1, 1, SIZE, SIZE), os.path.join(out, "model.onnx"), "image", ["logits", "ood"])
    # 5e-3: at 256 x 256 the deeper sums of ONNX Runtime's WASM convolutions and torch's differ by up to ~1e-3 in a
    # logit (measured: 0.00101 in Chromium), against logits of magnitude up to ~20; a mask pixel only flips where
    # the two logits are within that of each other.
    reference = write_image_reference(out, exp, x[va][0], "image", ["logits", "ood"], NORM, tol=5e-3)
    manifest = {
        "schema": "dxlens.model/1", "id": ID, "name": CARD["name"], "version": "1.0.0", "task": "segmentation",
        "input": grey_image_input(SIZE, NORM),
        "outputs": [
            {"name": "logits", "activation": "softmax", "classes": CLASSES, "layout": "NCHW",
             "postprocess": "upsample logits bilinearly (half-pixel) to the input image size, argmax, then "
                            "mask_cleanup", "mask_cleanup": MASK_CLEANUP},
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
        "ood_threshold_rule": "99.5th percentile of the 5-fold cross-fitted distances of the 110 training images under "
                              "the 7 fixed acquisition shifts of augmentation.acquisition_stress (resolution, exposure, "
                              "contrast, field of view, blur and noise), so another hospital's acquisition alone does "
                              "not trip the gate (the first version's gate, 1.4 x the clean images' percentile, flagged "
                              "6.4% of Shenzhen); in trials a threshold from the stronger training augmentation let 20% "
                              "of the malaria crops through",
        "machine": machine_facts(),
        "history": hist, "torch": torch.__version__, "opset": OPSET})
    log("done")


if __name__ == "__main__":
    main(trainer_arguments(ID, __doc__).parse_args().out)
