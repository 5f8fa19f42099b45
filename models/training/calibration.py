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


def shifted_features(features, x_u8, norm, augment, copies=2, seed=11):
    """features() of `copies` seeded augmented copies of x_u8 ([copies, N, dim]); torch's generator is restored."""
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    out = [run_batches(features, augment(torch.from_numpy(x_u8).float()[:, None])[:, 0].round().byte().numpy(), norm)
           for _ in range(copies)]
    torch.random.set_rng_state(state)
    return np.stack(out)


def finalize_classifier(exp, x_tr, y_tr, x_va, y_va, norm, target_sens, val_sets=None, held_out_logits=None,
                        augment=None):
    """Fit the OOD gate on training features and the temperature on validation logits, pick the threshold.

    exp may be freshly trained or reloaded from a shipped model.onnx (the temperature is reset first).
    val_sets: optional extra perturbed copies of x_va (robust threshold = min over them).
    held_out_logits: logits of y_va's samples computed elsewhere (an ensemble's out-of-fold logits, each sample
    scored by the member that did not train on it); then x_va is not run and val_sets must be None.
    augment: the training augmentation; when given, the OOD threshold comes from augmented training copies
    (ood_gate.fit_ood_gate's shifted_feats).
    Returns dict(temperature, threshold, ood_threshold, ece_before, ece_after)."""
    exp.eval()
    exp.temperature.fill_(1.0)
    sub = np.linspace(0, len(x_tr) - 1, min(len(x_tr), OOD_FIT_MAX)).astype(int)
    shifted = None if augment is None else shifted_features(exp.features, x_tr[sub], norm, augment)
    ood_thr = fit_ood_gate(exp.ood, run_batches(exp.features, x_tr[sub], norm), y_tr[sub], shifted_feats=shifted)
    raw = run_batches(exp, x_va, norm)[0] if held_out_logits is None else np.asarray(held_out_logits)
    T = fit_temperature(raw, y_va)
    exp.temperature.fill_(T)
    if held_out_logits is not None:
        assert not val_sets, "held_out_logits already include any perturbed copies"
        thr = sensitivity_threshold(y_va, softmax_pos(raw / T), target_sens)
    else:
        thr = min(sensitivity_threshold(y_va, softmax_pos(run_batches(exp, xs, norm)[0]), target_sens)
                  for xs in [x_va] + list(val_sets or []))
    return {"temperature": T, "threshold": thr, "ood_threshold": ood_thr,
            "ece_before": ece(y_va, softmax_pos(raw)), "ece_after": ece(y_va, softmax_pos(raw / T))}
