"""Training: the command line every trainer takes, the image-classifier loop (AdamW, one-cycle learning rate,
class-weighted label-smoothed cross-entropy, augmentation per batch) and the switch that refits only what
follows training.

    out = trainer_arguments(ID, __doc__).parse_args().out    # the package folder, default models/<ID>
    hist = train_classifier(net, x_tr, y_tr, x_va, y_va, NORM, epochs, aug, batch=128, lr=3e-3)

Environment:
  DXLENS_FINALIZE_ONLY=1  keep the network weights of an existing model.onnx and refit only what follows
                          training (OOD gate, calibration, threshold) with the current code
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from inference import normalise, predict_logits
from metrics import roc_auc
from model_package import model_dir, read_json
from runtime import log


def trainer_arguments(model_id, doc):
    """The argument parser every trainer starts from (a trainer may add its own options)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=model_dir(model_id), metavar="DIR",
                    help=f"the package folder (default: models/{model_id}): written there, and where the trainer keeps "
                         "an existing model (DXLENS_FINALIZE_ONLY=1, --manifest-only) read from there too")
    return ap


def finalize_only():
    """DXLENS_FINALIZE_ONLY=1: refit the OOD gate / calibration / threshold of an existing model.onnx
    with the current code instead of retraining the network (its weights are kept)."""
    return os.environ.get("DXLENS_FINALIZE_ONLY") == "1"


def previous_training_log(out):
    path = os.path.join(out, "training_log.json")
    return read_json(path) if os.path.exists(path) else {}


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
