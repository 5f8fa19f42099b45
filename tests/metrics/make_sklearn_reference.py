#!/usr/bin/python3
"""Reference numbers for tests/core/metrics_test.cpp, computed by scikit-learn and numpy (Debian's
python3-sklearn, run with /usr/bin/python3). Written into the build folder at build time, never committed.

Usage: make_sklearn_reference.py OUT.json

Each case holds its inputs (scores, labels) and what scikit-learn says about them, so the C++ test reads the
data and the expected values from the same file. If scikit-learn is missing the file says so and the C++
test fails with that message (python3-sklearn is in tests/apt-packages.txt)."""
import json
import sys


def binary_case(name, scores, labels, threshold, bins):
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, confusion_matrix, roc_auc_score, roc_curve

    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    tn, fp, fn, tp = confusion_matrix(y, (s >= threshold).astype(int), labels=[0, 1]).ravel()
    prob_true, prob_pred = calibration_curve(y, s, n_bins=bins, strategy="uniform")
    # Per-bin counts, ECE and MCE from numpy directly, with calibration_curve's binning: (lo, hi].
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], s, side="left")
    counts = np.bincount(ids, minlength=bins)
    ece, mce = 0.0, 0.0
    for b in range(bins):
        if counts[b]:
            gap = abs(s[ids == b].mean() - y[ids == b].mean())
            ece += gap * counts[b] / len(s)
            mce = max(mce, gap)
    return {
        "name": name, "scores": s.tolist(), "labels": y.tolist(), "threshold": threshold, "bins": bins,
        "auc": float(roc_auc_score(y, s)),
        # sklearn 1.2 puts max+1 as the first threshold; newer versions put inf: the C++ side skips it.
        "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr[1:].tolist()},
        "confusion": {"tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)},
        "calibration": {"prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist(),
                        "counts": counts.tolist(), "ece": ece, "mce": mce},
        "brier": float(brier_score_loss(y, s)),
    }


def multiclass_case(name, scores, labels):
    import numpy as np
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support, roc_auc_score

    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    k = s.shape[1]
    pred = s.argmax(axis=1)
    p, r, f, _ = precision_recall_fscore_support(y, pred, labels=list(range(k)), zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(y, pred, labels=list(range(k)), average="macro", zero_division=0)
    return {
        "name": name, "classes": k, "scores": s.ravel().tolist(), "labels": y.tolist(),
        "confusion": confusion_matrix(y, pred, labels=list(range(k))).ravel().tolist(),
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(),
        "auc_ovr": [float(roc_auc_score((y == c).astype(int), s[:, c])) for c in range(k)],
        "accuracy": float(accuracy_score(y, pred)),
        "macro_precision": float(mp), "macro_recall": float(mr), "macro_f1": float(mf),
    }


MASK = (1 << 64) - 1


class BootstrapRng:
    """xoshiro256** seeded by splitmix64, written from the published reference code (prng.di.unimi.it), as an
    independent implementation of dx::BootstrapRng."""

    def __init__(self, seed):
        self.s = []
        x = seed
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        reject_below = (2**64 - bound) % bound
        while True:
            x = self.next()
            if x >= reject_below:
                return x % bound


def bootstrap_case(case, seed, replicates, threshold):
    """Stratified percentile bootstrap, drawing positives then negatives per replicate (as dx does), with
    scikit-learn computing each replicate's AUC and numpy the percentiles."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    s = np.asarray(case["scores"])
    y = np.asarray(case["labels"])
    t = threshold
    pos = np.flatnonzero(y == 1)
    neg = np.flatnonzero(y == 0)
    rng = BootstrapRng(seed)
    aucs, sens, spec = [], [], []
    for _ in range(replicates):
        draw_pos = [pos[rng.below(len(pos))] for _ in range(len(pos))]
        draw_neg = [neg[rng.below(len(neg))] for _ in range(len(neg))]
        idx = np.array(draw_pos + draw_neg)
        aucs.append(roc_auc_score(y[idx], s[idx]))
        sens.append(np.mean(s[draw_pos] >= t))
        spec.append(np.mean(s[draw_neg] < t))
    q = [2.5, 97.5]
    return {"case": case["name"], "seed": seed, "replicates": replicates, "threshold": threshold,
            "auc": np.percentile(aucs, q).tolist(), "sensitivity": np.percentile(sens, q).tolist(),
            "specificity": np.percentile(spec, q).tolist()}


def main():
    out = sys.argv[1]
    try:
        import numpy as np
    except ImportError as e:
        json.dump({"unavailable": f"{e}; install python3-numpy and python3-sklearn"}, open(out, "w"))
        return
    try:
        import sklearn  # noqa: F401
    except ImportError as e:
        json.dump({"unavailable": f"{e}; install python3-sklearn"}, open(out, "w"))
        return

    rng = np.random.RandomState(20261122)
    cases = []
    # Well separated, continuous scores (no ties).
    y = rng.randint(0, 2, 300)
    s = 1.0 / (1.0 + np.exp(-(rng.normal(0, 1, 300) + 1.5 * (y - 0.5))))
    cases.append(binary_case("continuous", s, y, 0.5, 10))
    # Heavy ties: scores rounded to one decimal, some exactly on bin edges (0.3, 0.7, 1.0, 0.0).
    y = rng.randint(0, 2, 200)
    s = np.clip(np.round(rng.uniform(0, 1, 200) * 0.6 + 0.4 * y, 1), 0.0, 1.0)
    cases.append(binary_case("ties", s, y, 0.7, 10))
    # Imbalanced (5% positives), 15 bins.
    y = (rng.uniform(0, 1, 400) < 0.05).astype(int)
    s = np.clip(rng.beta(2, 5, 400) + 0.3 * y, 0.0, 1.0)
    cases.append(binary_case("imbalanced", s, y, 0.4, 15))
    # Tiny: two cases.
    cases.append(binary_case("two", np.array([0.2, 0.9]), np.array([0, 1]), 0.5, 5))

    multi = []
    y = rng.randint(0, 3, 120)
    logits = rng.normal(0, 1, (120, 3))
    logits[np.arange(120), y] += 1.2
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    multi.append(multiclass_case("three-class", np.round(p, 2), y))

    rng = BootstrapRng(42)
    first = [str(rng.next()) for _ in range(4)]  # as text: JSON readers may round 64-bit integers
    boot = [bootstrap_case(cases[1], 7, 200, 0.5), bootstrap_case(cases[0], 11, 100, 0.6),
            bootstrap_case(cases[3], 3, 50, 0.5)]

    json.dump({"sklearn": sklearn.__version__, "binary": cases, "multiclass": multi,
               "rng_seed_42": first, "bootstrap": boot}, open(out, "w"))


main()
