"""Validation metrics: ROC AUC, operating-point metrics, Dice, expected calibration error, and percentile
bootstrap confidence intervals that resample patients / slides when groups are given.

    rep = binary_report(y, p, thr, groups=patient_ids)   # {"auc": {"value", "ci95"}, "sensitivity": ..., ...}
    rep = binary_report(y, p, thr, n_boot=0)             # point estimates only (ci95 None), as evaluate.py --check
"""
import numpy as np


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
