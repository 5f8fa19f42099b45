"""Calibration and the operating point of a classifier: temperature scaling, the sensitivity-driven threshold,
and finalize_classifier(), which does both and fits the OOD gate of an image classifier before export.

    T = fit_temperature(val_logits, y_val)
    thr = sensitivity_threshold(y_val, softmax_pos(val_logits / T), 0.97)
    cal = finalize_classifier(export_module, x_tr, y_tr, x_val, y_val, NORM, 0.97)   # image classifiers
"""
import numpy as np
import torch
import torch.nn.functional as F

from inference import run_batches
from metrics import ece
from ood_gate import fit_ood_gate

OOD_FIT_MAX = 6000  # training images (evenly spaced) used to fit the OOD gate


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
