"""Train models/breast-fna: benign vs malignant from the 30 Wisconsin Diagnostic Breast Cancer features.

Usage:  nice -n 19 /usr/bin/python3 models/training/train_breast_fna.py [--out DIR]
Then:   /usr/bin/python3 models/training/evaluate.py breast-fna   (metrics + MODEL_CARD.md)
        /usr/bin/python3 models/training/train_breast_fna.py --manifest-only [--out DIR]
            rewrites only manifest.json's input.features (units, ranges, training means) from the data,
            keeping model.onnx, its sha256, reference/ and every other manifest field as they are.

Model: standardisation + L2 logistic regression (C=0.3), fitted with scikit-learn, exported as a
torch graph: logits [N,2] (temperature baked in) and a Mahalanobis OOD score [N,1] on the
standardised features. Validation = stratified 5-fold cross-validation (out-of-fold predictions);
the shipped model is refitted on all 569 cases. Data: Debian python3-sklearn's breast_cancer.csv.
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from calibration import fit_temperature, sensitivity_threshold, softmax_pos  # noqa: E402
from export import export_onnx, finish_manifest, ood_output, write_reference_outputs  # noqa: E402
from model_package import DISCLAIMER, OPSET, read_json, write_json  # noqa: E402
from networks import count_params  # noqa: E402
from ood_gate import Mahalanobis, ood_threshold  # noqa: E402
from population import with_blocks  # noqa: E402
from runtime import log, setup  # noqa: E402
from training import trainer_arguments  # noqa: E402

ID = "breast-fna"
LABELS = ["benign", "malignant"]
C = 0.3
SEED = 0
TARGET_SENS = 0.97
THRESHOLD_NOTE = ("A missed malignancy costs more than a benign case sent for further work-up, so the operating "
                  "point favours sensitivity; it is set on out-of-fold (never self-fitted) probabilities.")
CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv"
BASE_UNITS = {  # WDBC (Street, Wolberg & Mangasarian 1993): measured on digitised FNA images
    "radius": "px", "texture": "grey levels (std. dev.)", "perimeter": "px", "area": "px²",
    "smoothness": "unitless", "compactness": "unitless", "concavity": "unitless",
    "concave points": "unitless", "symmetry": "unitless", "fractal dimension": "unitless"}

CARD = {
    "name": "Breast FNA cytology (WDBC features): benign vs malignant",
    "intended_use": "Research and teaching: estimate the probability that a breast fine-needle aspirate is "
                    "malignant from the 30 nuclear features of the Wisconsin Diagnostic Breast Cancer protocol, "
                    "entered by a user who has measured them with the same protocol.",
    "users": "Researchers, educators and developers evaluating DxLens; not clinicians making decisions.",
    "out_of_scope": "Diagnosis or triage of real patients; features measured with any other image-analysis "
                    "protocol or software; other organs; mammography or histology images.",
    "data": "Wisconsin Diagnostic Breast Cancer (WDBC), 569 cases (212 malignant, 357 benign), 30 features, "
            "as shipped in Debian python3-sklearn (sklearn/datasets/data/breast_cancer.csv). Licence: BSD-3-Clause "
            "(scikit-learn copy; original UCI release CC BY 4.0).",
    "citation": "Street WN, Wolberg WH, Mangasarian OL. Nuclear feature extraction for breast tumor diagnosis. "
                "IS&T/SPIE 1993; Dua D, Graff C. UCI Machine Learning Repository.",
    "changes": "None; features used as published. Label coded 1 = malignant.",
    "splits": "Stratified 5-fold cross-validation (seed 0) over the 569 cases (one case per patient); all "
              "validation numbers are out-of-fold. The shipped model is refitted on all cases.",
    "limitations": ["Single institution (University of Wisconsin), early 1990s; small sample.",
                    "Features depend on the original Xcyt measuring software; values from other tools are not comparable.",
                    "The OOD gate only detects feature vectors unlike the training cases; it cannot detect measurement errors "
                    "that stay within the usual ranges."],
}


def load():
    """(X [569,30] float64, y [569] int (1 = malignant), feature names)."""
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    return d.data.astype(np.float64), (d.target == 0).astype(int), [str(n) for n in d.feature_names]


def fit_lr(X, y):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    sc = StandardScaler().fit(X)
    lr = LogisticRegression(C=C, max_iter=5000).fit(sc.transform(X), y)
    return sc, lr


def out_of_fold_logits(X, y, seed=SEED):
    """Two-column logits [0, w.z+b] for every case from the fold that did not train on it."""
    from sklearn.model_selection import StratifiedKFold
    out = np.zeros((len(y), 2))
    for tr, va in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        sc, lr = fit_lr(X[tr], y[tr])
        out[va, 1] = lr.decision_function(sc.transform(X[va]))
    return out


class TabularNet(nn.Module):
    """x [N,30] raw features -> (logits [N,2] / T, Mahalanobis OOD [N,1])."""

    def __init__(self, n_features):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_features))
        self.register_buffer("std", torch.ones(n_features))
        self.register_buffer("temperature", torch.ones(1))
        self.linear = nn.Linear(n_features, 2)
        self.ood = Mahalanobis(n_features)

    def forward(self, x):
        z = (x - self.mean) / self.std
        return self.linear(z) / self.temperature, self.ood(z)


def build_export_module():
    return TabularNet(30)


def feature_specs(X, names):
    specs = []
    for j, n in enumerate(names):
        base = n.replace("mean ", "").replace("worst ", "").replace(" error", "")
        kind = "mean" if n.startswith("mean") else "worst (mean of 3 largest)" if n.startswith("worst") else "standard error"
        specs.append({"name": n, "unit": BASE_UNITS[base], "statistic": kind, "min": 0.0,
                      "max": float(np.round(X[:, j].max() * 2, 4)),
                      "observed_min": float(X[:, j].min()), "observed_max": float(X[:, j].max()),
                      "training_mean": float(X[:, j].mean())})
    return specs


def rewrite_feature_specs(out):
    """--manifest-only: refresh input.features without touching the weights. The training means must be the
    standardisation means inside the shipped model.onnx (float32), or the package would describe another model."""
    import onnx
    from onnx import numpy_helper
    X, _, names = load()
    specs = feature_specs(X, names)
    graph = onnx.load(os.path.join(out, "model.onnx")).graph
    onnx_mean = {t.name: numpy_helper.to_array(t) for t in graph.initializer}["mean"].astype(np.float64)
    training_mean = np.array([s["training_mean"] for s in specs])
    if not np.allclose(onnx_mean, training_mean, rtol=1e-6, atol=1e-9):
        raise SystemExit("model.onnx's standardisation means differ from the data's: retrain instead")
    path = os.path.join(out, "manifest.json")
    manifest = read_json(path)
    manifest["input"]["features"] = specs
    write_json(path, manifest)
    log(f"{ID}: input.features rewritten (training means agree with model.onnx), sha256 {manifest['sha256'][:12]}")


def main(out):
    setup(SEED)
    t0 = time.time()
    X, y, names = load()
    oof = out_of_fold_logits(X, y)
    T = fit_temperature(oof, y)
    p_cal = softmax_pos(oof / T)
    thr = sensitivity_threshold(y, p_cal, TARGET_SENS)
    log(f"OOF temperature {T:.3f}, threshold {thr:.4f}")

    sc, lr = fit_lr(X, y)
    net = TabularNet(X.shape[1])
    with torch.no_grad():
        net.mean.copy_(torch.tensor(sc.mean_, dtype=torch.float32))
        net.std.copy_(torch.tensor(sc.scale_, dtype=torch.float32))
        net.temperature.fill_(T)
        net.linear.weight.zero_()
        net.linear.weight[1] = torch.tensor(lr.coef_[0], dtype=torch.float32)
        net.linear.bias.copy_(torch.tensor([0.0, lr.intercept_[0]], dtype=torch.float32))
    z = sc.transform(X)
    net.ood.fit(z)
    with torch.no_grad():
        train_ood = net.ood(torch.tensor(z, dtype=torch.float32)).numpy()[:, 0]
    ood_thr = ood_threshold(train_ood)

    export_onnx(net, torch.tensor(X[:1], dtype=torch.float32), os.path.join(out, "model.onnx"), "features",
                ["logits", "ood"])
    ref = {names[j]: float(X[0, j]) for j in range(30)}
    write_json(os.path.join(out, "reference", "input.json"), ref)
    with torch.no_grad():
        outs = net(torch.tensor(X[:1], dtype=torch.float32))
    write_reference_outputs(os.path.join(out, "reference", "outputs.json"), ["logits", "ood"], outs)

    manifest = {
        "schema": "dxlens.model/1", "id": ID, "name": CARD["name"], "version": "1.0.0", "task": "tabular",
        "input": {"name": "features", "layout": "NF", "dtype": "float32", "features": feature_specs(X, names)},
        "outputs": [
            {"name": "logits", "activation": "softmax", "labels": LABELS, "thresholds": {"malignant": thr}},
            ood_output()],
        "ood": {"output": "ood", "method": "Mahalanobis distance of the standardised feature vector to the training "
                "mean (Ledoit-Wolf shrunk covariance)", "threshold": round(ood_thr, 4), "higher_is_outlier": True},
        "calibration": {"method": "temperature scaling on out-of-fold logits, baked into the logits", "temperature": T},
        "intended_use": CARD["intended_use"], "modalities": ["tabular"], "body_parts": ["breast"],
        "license": "BSD-3-Clause (training data); model weights: project licence",
        "citation": CARD["citation"], "disclaimer": DISCLAIMER,
        "reference": {"input": "reference/input.json", "outputs": "reference/outputs.json", "tolerance": 1e-4},
    }
    finish_manifest(out, with_blocks(manifest, ID))
    write_json(os.path.join(out, "training_log.json"), {
        "params": count_params(net.linear), "train_seconds": round(time.time() - t0, 1), "seed": SEED,
        "model": f"StandardScaler + LogisticRegression(C={C}, L2)", "epochs": None, "temperature": T,
        "threshold_rule": f"highest threshold keeping out-of-fold sensitivity for malignancy >= {TARGET_SENS}",
        "ood_threshold_rule": "99.5th percentile of the training cases' distances",
        "torch": torch.__version__, "opset": OPSET})
    log("done")


if __name__ == "__main__":
    ap = trainer_arguments(ID, __doc__)
    ap.add_argument("--manifest-only", action="store_true",
                    help="rewrite only manifest.json's input.features, keeping the model and every other field")
    args = ap.parse_args()
    rewrite_feature_specs(args.out) if args.manifest_only else main(args.out)
