"""Evaluate the shipped DxLens model packages and write their metrics and MODEL_CARD.md.

Usage (from the repository root):
  /usr/bin/python3 models/training/evaluate.py [MODEL_ID ...]          # write manifest metrics + MODEL_CARD.md
  /usr/bin/python3 models/training/evaluate.py --check [MODEL_ID ...]  # re-derive and compare, exit 1 on mismatch
  /usr/bin/python3 models/training/evaluate.py --cards-only            # re-render MODEL_CARD.md from stored metrics

What it does for each model (default: all four):
  1. verifies manifest.json's sha256 against model.onnx;
  2. loads model.onnx's weights back into the torch graph (the same code that exported it) and checks that
     reference/input reproduces reference/outputs.json within the manifest's tolerance;
  3. runs the validation split (the same grouped split the trainer used), the foreign inputs for the OOD
     gate and, for the pneumonia model, the two NIH samples;
  4. without --check: computes metrics with 95% bootstrap CIs (1000 resamples of patients / slides / cases),
     stores them under "metrics" in manifest.json and renders MODEL_CARD.md from them;
     with --check: recomputes the point estimates (no bootstrap) and fails if any differs from the stored
     value by more than TOLERANCE (absolute) - numbers only move with floating-point noise;
  5. for cxr-pneumonia, the card's heatmap section comes from heatmap_plausibility.json, and --check re-derives
     it through the native CLI (heatmap_plausibility.py; skipped with a message when build/bin/dxlens is absent).
Needs the datasets in ../shared/data (or $DXLENS_DATA); models whose data are absent are skipped with a
message (exit 0). Nothing here needs onnxruntime: the shipped ONNX weights are evaluated through torch.
"""
import argparse
import glob
import importlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from calibration import softmax_pos  # noqa: E402
from datasets import data_path, have_data  # noqa: E402
from export import load_onnx_weights  # noqa: E402
import heatmap_plausibility  # noqa: E402
from images import load_gray  # noqa: E402
from inference import normalise, run_batches  # noqa: E402
from augmentation import acquisition_stress  # noqa: E402
from metrics import binary_report, bootstrap, dice, ece, operating_point, roc_auc  # noqa: E402
from model_package import DISCLAIMER, model_dir, read_json, sha256, write_json  # noqa: E402
from ood_gate import Mahalanobis, ood_threshold  # noqa: E402
from population import card_section  # noqa: E402
from runtime import log  # noqa: E402

TOLERANCE = 0.005
WORST_CASES = 4  # validation cases of the segmentation model shown as images in its card
CONFIDENT = 0.95  # calibrated probability for the class opposite to the label that counts as "contradicts the label"
TRAINERS = {"breast-fna": "train_breast_fna", "malaria-cell": "train_malaria_cell",
            "cxr-lung-seg": "train_cxr_lung_seg", "cxr-pneumonia": "train_cxr_pneumonia"}
DATASETS = {"breast-fna": [], "malaria-cell": ["malaria_nlm", "chest_xray_kermany", "lung_montgomery"],
            "cxr-lung-seg": ["lung_montgomery", "malaria_nlm"], "cxr-pneumonia": ["chest_xray_kermany", "malaria_nlm"]}
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
NATURAL = ["astronaut.png", "coffee.png", "chelsea.png", "camera.png", "rocket.jpg", "motorcycle_left.png",
           "coins.png", "moon.png", "page.png", "text.png", "grass.png", "brick.png", "gravel.png",
           "hubble_deep_field.jpg", "ihc.png", "horse.png", "logo.png", "color.png"]
RETINA = ["retina.jpg", "microaneurysms.png"]


# ----------------------------------------------------------------------------- shipped package
def load_shipped(mid, trainer):
    manifest = read_json(model_dir(mid, "manifest.json"))
    path = model_dir(mid, "model.onnx")
    if sha256(path) != manifest["sha256"]:
        raise SystemExit(f"{mid}: sha256 of model.onnx does not match manifest.json")
    module = load_onnx_weights(trainer.build_export_module(), path)
    check_reference(mid, module, manifest)
    return module, manifest


def check_reference(mid, module, manifest):
    ref = manifest["reference"]
    if ref["input"].endswith(".json"):
        values = read_json(model_dir(mid, ref["input"]))
        x = torch.tensor([[values[f["name"]] for f in manifest["input"]["features"]]], dtype=torch.float32)
    else:
        from PIL import Image
        img = np.asarray(Image.open(model_dir(mid, ref["input"])).convert("L"), dtype=np.float32)
        x = normalise(torch.from_numpy(img)[None, None], manifest["input"]["normalize"])
    with torch.no_grad():
        outs = module(x)
    expected = read_json(model_dir(mid, ref["outputs"]))
    for o, name in zip(outs, [o["name"] for o in manifest["outputs"]]):
        diff = float(np.max(np.abs(o.numpy().ravel() - np.array(expected[name]["data"]))))
        if list(o.shape) != expected[name]["shape"] or diff > ref["tolerance"]:
            raise SystemExit(f"{mid}: reference output '{name}' differs by {diff:g} (tolerance {ref['tolerance']})")


# ----------------------------------------------------------------------------- foreign inputs
def skimage_images(names, size):
    return np.stack([load_gray(os.path.join(SKIMAGE, n), size, size)[0].round().clamp(0, 255).byte().numpy()
                     for n in names])


def cell_crops(size, n=200):
    """Malaria cell crops (every k-th of the set) upsampled to a chest model's size, plus skimage's cell.png."""
    from train_malaria_cell import load
    x = load()[0]
    pick = x[np.linspace(0, len(x) - 1, n).astype(int)]
    up = F.interpolate(torch.from_numpy(pick).float()[:, None], size=(size, size), mode="bilinear",
                       align_corners=False)[:, 0].round().clamp(0, 255).byte().numpy()
    return np.concatenate([up, skimage_images(["cell.png"], size)])


def chest_foreign(size):
    return {"malaria cell crops": cell_crops(size), "retina photographs (skimage)": skimage_images(RETINA, size),
            "natural / other images (skimage)": skimage_images(NATURAL, size)}


def ood_summary(module_out, thr, val_scores, foreign):
    rej = {}
    for name, x in foreign.items():
        s = module_out(x)
        rej[name] = {"n": int(len(s)), "rejected": float(np.mean(s > thr))}
    return {"threshold": thr, "validation_accepted": float(np.mean(np.asarray(val_scores) <= thr)),
            "foreign_rejected": rej}


# ----------------------------------------------------------------------------- per-model evaluation
def eval_breast(trainer, module, manifest, n_boot):
    X, y, _ = trainer.load()
    T = manifest["calibration"]["temperature"]
    logits = trainer.out_of_fold_logits(X, y) / T
    thr = manifest["outputs"][0]["thresholds"]["malignant"]
    m = classification_metrics(y, logits, T, thr, None, {}, n_boot)
    rng = np.random.RandomState(0)
    shuffled = np.stack([rng.permutation(X[:, j]) for j in range(X.shape[1])], 1)
    lo = np.array([f["min"] for f in manifest["input"]["features"]])
    hi = np.array([f["observed_max"] for f in manifest["input"]["features"]])
    uniform = lo + rng.rand(500, X.shape[1]) * (hi - lo)
    score = lambda a: module(torch.tensor(a, dtype=torch.float32))[1].detach().numpy()[:, 0]
    m["ood"] = ood_summary(score, manifest["ood"]["threshold"], score(X), {
        "cases with each feature shuffled independently across cases": shuffled,
        "uniform random vectors within the observed ranges": uniform})
    m["ood"]["validation_accepted_in_training_data"] = m["ood"].pop("validation_accepted")
    m["ood"]["validation_accepted"] = out_of_fold_ood_acceptance(X, y)
    m["ood"]["validation_note"] = ("out-of-fold: a gate fitted on 4 folds, same rule, applied to the 5th; "
                                   f"the shipped gate accepts {100 * m['ood']['validation_accepted_in_training_data']:.1f}% "
                                   "of its own training cases")
    return m


def out_of_fold_ood_acceptance(X, y):
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler
    accepted = np.zeros(len(y), bool)
    for tr, va in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        sc = StandardScaler().fit(X[tr])
        gate = Mahalanobis(X.shape[1]).fit(sc.transform(X[tr]))
        d = lambda a: gate(torch.tensor(sc.transform(a), dtype=torch.float32)).numpy()[:, 0]
        accepted[va] = d(X[va]) <= ood_threshold(d(X[tr]))
    return float(accepted.mean())


def eval_classifier(mid, trainer, module, manifest, n_boot):
    norm = manifest["input"]["normalize"]
    label = manifest["outputs"][0]["labels"][1]
    thr = manifest["outputs"][0]["thresholds"][label]
    T = manifest["calibration"]["temperature"]
    parts = trainer.split()
    x, y, g, va = parts[0], parts[1], parts[2], parts[-1]
    logits, ood = run_batches(module, x[va], norm)
    subgroups = {}
    if mid == "cxr-pneumonia":
        sub = parts[3][va]
        subgroups = {"bacterial pneumonia vs normal": sub != "virus", "viral pneumonia vs normal": sub != "bacteria"}
    m = classification_metrics(y[va], logits, T, thr, g[va], subgroups, n_boot)
    score = lambda a: run_batches(module, a, norm)[1][:, 0]
    size = manifest["input"]["height"]
    foreign = chest_foreign(size) if mid == "cxr-pneumonia" else {"chest X-rays (Kermany, Montgomery)": trainer.chest_xrays()}
    m["ood"] = ood_summary(score, manifest["ood"]["threshold"], ood[:, 0], foreign)
    stressed = np.concatenate(list(acquisition_stress(x[va]).values()))
    m["ood"]["stress_validation_accepted"] = float(np.mean(score(stressed) <= manifest["ood"]["threshold"]))
    if mid == "cxr-pneumonia":
        shifted = trainer.shifted_copies(x[va])
        s_logits = np.concatenate([run_batches(module, s, norm)[0] for s in shifted])
        s_y = np.concatenate([y[va]] * len(shifted))
        s_g = np.concatenate([g[va]] * len(shifted))
        m["shifted_validation"] = binary_report(s_y, softmax_pos(s_logits), thr, s_g, n_boot)
        m["stress_validation"] = stress_report(lambda a: softmax_pos(run_batches(module, a, norm)[0]), x[va], y[va],
                                               g[va], thr, n_boot)
        if hasattr(module.net, "members"):
            m["ensemble"] = member_report(module, x[va], y[va], norm)
        m["samples"] = nih_samples(module, manifest)
    return m


def stress_report(prob, x, y, groups, thr, n_boot):
    """The validation images under each of augmentation.acquisition_stress()'s shifts (beyond the training
    augmentation): AUC, sensitivity and specificity per shift, and all shifts pooled with CIs."""
    copies = acquisition_stress(x)
    per = {}
    for name, xs in copies.items():
        p = prob(xs)
        op = operating_point(y, p, thr)
        per[name] = {"auc": roc_auc(y, p), "sensitivity": op["sensitivity"], "specificity": op["specificity"]}
    pooled = binary_report(np.concatenate([y] * len(copies)), np.concatenate([prob(xs) for xs in copies.values()]),
                           thr, np.concatenate([groups] * len(copies)), n_boot)
    return {"shifts": per, "pooled": pooled}


def member_report(module, x, y, norm):
    """Each ensemble member's validation AUC next to the ensemble's (no member saw these patients), on the clean
    images and on the acquisition-stress copies pooled: the ensemble's gain measured on unseen patients."""
    def margin(net, a):  # a member returns logits; the shipped graph (logits, ood)
        out = run_batches(net, a, norm)
        logits = out[0] if isinstance(out, list) else out
        return logits[:, 1] - logits[:, 0]
    stressed = np.concatenate(list(acquisition_stress(x).values()))
    y_stressed = np.resize(y, len(stressed))  # the copies repeat y in order
    nets = list(module.net.members) + [module]
    clean = [roc_auc(y, margin(n, x)) for n in nets]
    stress = [roc_auc(y_stressed, margin(n, stressed)) for n in nets]
    return {"member_auc": clean[:-1], "ensemble_auc": clean[-1], "stress_member_auc": stress[:-1],
            "stress_ensemble_auc": stress[-1]}


def classification_metrics(y, logits, T, thr, groups, subgroups, n_boot):
    p = softmax_pos(logits)
    m = {"validation": binary_report(y, p, thr, groups, n_boot),
         "calibration": {"temperature": T, "ece_before": ece(y, softmax_pos(np.asarray(logits) * T)),
                         "ece_after": ece(y, p)}}
    if subgroups:
        m["subgroups"] = {k: binary_report(y[s], p[s], thr, None if groups is None else groups[s], n_boot)
                          for k, s in subgroups.items()}
    m["label_disagreement"] = label_disagreement(y, p)
    return m


def label_disagreement(y, p):
    """Validation cases whose calibrated probability contradicts their label with >= CONFIDENT confidence.

    An error analysis, not a performance figure: when a few such cases carry most of the lost AUC, the measured
    AUC is bounded by the labels (public releases have mislabelled images) rather than by the model."""
    pos_wrong, neg_wrong = (y == 1) & (p <= 1 - CONFIDENT), (y == 0) & (p >= CONFIDENT)
    keep = ~(pos_wrong | neg_wrong)
    return {"confidence": CONFIDENT, "positives_contradicted": int(pos_wrong.sum()), "positives": int((y == 1).sum()),
            "negatives_contradicted": int(neg_wrong.sum()), "negatives": int((y == 0).sum()),
            "auc_without_contradicted": roc_auc(y[keep], p[keep])}


def nih_samples(module, manifest):
    out = {}
    size, norm = manifest["input"]["height"], manifest["input"]["normalize"]
    for f in sorted(glob.glob(data_path("samples", "*.png"))):
        x = load_gray(f, size, size).round().clamp(0, 255)[None]
        with torch.no_grad():
            lo, od = module(normalise(x, norm))
        out[os.path.basename(f)] = {"p_pneumonia": float(torch.softmax(lo, 1)[0, 1]), "ood_score": float(od[0, 0]),
                                    "in_distribution": bool(float(od[0, 0]) <= manifest["ood"]["threshold"])}
    return out


def dice_summary(d, n_boot):
    ci = bootstrap(lambda i: float(np.mean(d[i])), len(d), None, n_boot) if n_boot else None
    return {"n": int(len(d)), "dice": {"value": float(d.mean()), "ci95": ci}, "dice_median": float(np.median(d)),
            "dice_p10": float(np.percentile(d, 10)), "dice_min": float(d.min())}


def eval_segmentation(trainer, module, manifest, n_boot):
    x, m, tb, ids, _, va = trainer.split()
    cleanup = manifest["outputs"][0].get("mask_cleanup")
    masks = lambda images: trainer.predict_masks(module, images, m.shape[-2:], cleanup)
    pred = masks(x[va])
    d = np.array([dice(p, t) for p, t in zip(pred, m[va])])
    res = {"validation": dice_summary(d, n_boot)}
    if cleanup:  # what the clean-up changes, on the same images
        raw = trainer.predict_masks(module, x[va], m.shape[-2:], None)
        res["validation_without_cleanup"] = dice_summary(np.array([dice(p, t) for p, t in zip(raw, m[va])]), 0)
    res["subgroups"] = {name: {"n": int(sel.sum()), "dice": dice_summary(d[sel], n_boot)["dice"]}
                        for name, sel in (("normal", tb[va] == 0), ("tuberculosis", tb[va] == 1))}
    stress, pooled = {}, []
    for name, (xs, ms) in acquisition_stress(x[va], m[va]).items():
        ds = np.array([dice(p, t) for p, t in zip(masks(xs), ms)])
        stress[name] = {"dice": float(ds.mean()), "dice_p10": float(np.percentile(ds, 10)), "dice_min": float(ds.min())}
        pooled.append(ds)
    res["stress_validation"] = stress
    res["stress_pooled"] = dice_summary(np.concatenate(pooled), 0)
    res["worst_cases"] = [{"image": str(ids[va][i]), "dice": float(d[i])} for i in np.argsort(d)[:WORST_CASES]]
    score = lambda a: run_batches(module, a, manifest["input"]["normalize"], 16)[1][:, 0]
    res["ood"] = ood_summary(score, manifest["ood"]["threshold"], score(x[va]), chest_foreign(manifest["input"]["height"]))
    stressed = np.concatenate([xs for xs, _ in acquisition_stress(x[va], m[va]).values()])
    res["ood"]["stress_validation_accepted"] = float(np.mean(score(stressed) <= manifest["ood"]["threshold"]))
    return res


def write_worst_case_images(mid, trainer, module, manifest, worst):
    """models/<id>/worst_cases/<rank>_<image>.png: the validation image at the masks' size with the reference
    outline in green and the model's (cleaned) outline in red, for the card."""
    from PIL import Image
    x, m, _, ids, _, va = trainer.split()
    folder = model_dir(mid, "worst_cases")
    os.makedirs(folder, exist_ok=True)
    for old in glob.glob(os.path.join(folder, "*.png")):
        os.remove(old)
    names = []
    for rank, case in enumerate(worst, 1):
        i = va[list(ids[va]).index(case["image"])]
        pred = trainer.predict_masks(module, x[i:i + 1], m.shape[-2:], manifest["outputs"][0].get("mask_cleanup"))[0]
        big = F.interpolate(torch.from_numpy(x[i:i + 1]).float()[:, None], size=m.shape[-2:], mode="bilinear",
                            align_corners=False)[0, 0].round().clamp(0, 255).byte().numpy()
        rgb = np.stack([big] * 3, -1)
        for mask, colour in ((m[i], (0, 220, 0)), (pred, (255, 40, 40))):
            edge = mask.astype(bool) & ~(np.pad(mask, 1, mode="edge")[2:, 1:-1].astype(bool) &
                                         np.pad(mask, 1, mode="edge")[:-2, 1:-1].astype(bool) &
                                         np.pad(mask, 1, mode="edge")[1:-1, 2:].astype(bool) &
                                         np.pad(mask, 1, mode="edge")[1:-1, :-2].astype(bool))
            rgb[edge] = colour
        name = f"{rank}_{os.path.splitext(case['image'])[0]}.png"
        Image.fromarray(rgb).save(os.path.join(folder, name))
        names.append(name)
    return names


def evaluate(mid, n_boot):
    trainer = importlib.import_module(TRAINERS[mid])
    module, manifest = load_shipped(mid, trainer)
    with torch.no_grad():
        if mid == "breast-fna":
            return eval_breast(trainer, module, manifest, n_boot), manifest, trainer
        if mid == "cxr-lung-seg":
            return eval_segmentation(trainer, module, manifest, n_boot), manifest, trainer
        return eval_classifier(mid, trainer, module, manifest, n_boot), manifest, trainer


# ----------------------------------------------------------------------------- check mode
def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if k == "ci95":
            continue
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flatten(v, key))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


def check(mid, fresh, stored):
    a, b = flatten(fresh), flatten(stored)
    bad = [(k, a[k], b[k]) for k in sorted(a) if k in b and not (abs(a[k] - b[k]) <= TOLERANCE or
                                                                 (np.isnan(a[k]) and np.isnan(b[k])))]
    missing = sorted(set(b) - set(a))
    for k, x, y in bad:
        print(f"  MISMATCH {mid}: {k} recomputed {x:.5f} vs stored {y:.5f}")
    for k in missing:
        print(f"  MISSING {mid}: {k} not recomputed")
    print(f"{mid}: {len(a) - len(bad)}/{len(a)} numbers agree within {TOLERANCE}" + ("" if not (bad or missing) else " - FAIL"))
    return not bad and not missing


# ----------------------------------------------------------------------------- model card
def fmt(m, key, pct=False):
    v = m[key]
    f = (lambda x: f"{100 * x:.1f}%") if pct else (lambda x: f"{x:.4f}")
    return f"{f(v['value'])} ({f(v['ci95'][0])}-{f(v['ci95'][1])})" if v.get("ci95") else f(v["value"])


def metrics_table(rep):
    rows = ["| metric | value (95% CI) |", "|---|---|", f"| cases (positives) | {rep['n']} ({rep['n_positive']}) |",
            f"| ROC AUC | {fmt(rep, 'auc')} |"]
    for k in ("sensitivity", "specificity", "ppv", "npv", "accuracy"):
        rows.append(f"| {k.upper() if len(k) == 3 else k} | {fmt(rep, k, True)} |")
    return "\n".join(rows)


def ood_section(o):
    lines = [f"Threshold (calibrated on training data): **{o['threshold']:.3f}** (higher = more unusual).",
             f"- Validation inputs flagged: **{100 * (1 - o['validation_accepted']):.1f}%** (target <= 1%)" +
             (f" ({o['validation_note']})" if o.get("validation_note") else "")]
    if "stress_validation_accepted" in o:
        lines.append(f"- Validation inputs under the simulated acquisition shifts flagged: "
                     f"{100 * (1 - o['stress_validation_accepted']):.1f}%")
    for name, r in o["foreign_rejected"].items():
        lines.append(f"- {name}: {r['n']} inputs, **{100 * r['rejected']:.1f}% rejected**")
    return "\n".join(lines)


def training_machine(tl):
    """How loaded the machine was while the model trained (training logs before machine_facts() lack it)."""
    m = tl.get("machine")
    if not m:
        return "2 CPU cores shared with other jobs"
    return (f"{m['cpus']} CPU cores, {m['torch_threads']} torch threads, 15-minute load average "
            f"{m['load_average_15min_at_end']:g} at the end")


def disagreement_section(d, labels, trainer):
    if not d:
        return []
    n = d["positives_contradicted"] + d["negatives_contradicted"]
    return ["### Where the errors are",
            f"{d['positives_contradicted']} of {d['positives']} validation cases labelled {labels[1]} score "
            f"p({labels[1]}) <= {1 - d['confidence']:.2f}, and {d['negatives_contradicted']} of {d['negatives']} "
            f"labelled {labels[0]} score >= {d['confidence']:.2f}: the model contradicts these {n} labels with at least "
            f"{100 * d['confidence']:.0f}% confidence. With them set aside the ROC AUC would be "
            f"{d['auc_without_contradicted']:.4f}. This is an error analysis, not a performance figure: it shows how "
            "much of the measured error sits in a few cases." + (" " + trainer.ERROR_REVIEW if hasattr(trainer, "ERROR_REVIEW") else ""),
            ""]


def held_back_section(mid):
    """Figures the product owner measured on data the team never saw (models/<id>/held_back.json), if any.
    They cannot be re-derived here (the data stays with the product owner), so --check does not touch them."""
    path = model_dir(mid, "held_back.json")
    if not os.path.exists(path):
        return []
    h = read_json(path)
    same = h.get("package_sha256") == read_json(model_dir(mid, "manifest.json"))["sha256"]
    s = ["## Held-back results (measured by the product owner)",
         f"Measured by {h['measured_by']} on {h['set']}, with the package of commit `{h['commit']}` "
         f"({h['commit_date']}); reported {h['reported']}: {h['how']}. " +
         ("These are the figures to trust for new data; the validation figures above come from the same source as "
          "the training data." if same else
          f"**They belong to the package this one replaces** (model.onnx sha256 `{h.get('package_sha256', '?')[:12]}...`); "
          "the product owner measures this package on the same data again. They show the gap between the validation "
          "figures above and new data that this version was built to narrow."), "",
         "| measure | held-back result |", "|---|---|"]
    s += [f"| {name} | {value} |" for name, value in h["figures"]]
    s += ["", f"Goal: {h['goal']}.", ""]
    return s


def replaced_model_section(mid, metrics):
    """models/<id>/replaced_model.json: the figures of the package this one replaced on the same validation images
    (measured when it was replaced, with the evaluation code of that day), next to this package's."""
    path = model_dir(mid, "replaced_model.json")
    if not os.path.exists(path):
        return []
    r = read_json(path)
    if "dice" in metrics["validation"]:
        v, sp = metrics["validation"], metrics.get("stress_pooled", {})
        ours = {"validation mean Dice": v["dice"]["value"], "validation 10th percentile Dice": v["dice_p10"],
                "validation worst Dice": v["dice_min"]}
        if sp:
            ours.update({"mean Dice under the shifts, pooled": sp["dice"]["value"],
                         "10th percentile Dice under the shifts, pooled": sp["dice_p10"],
                         "worst Dice under the shifts": sp["dice_min"]})
    else:
        ours = {"validation AUC": metrics["validation"]["auc"]["value"],
                "validation sensitivity": metrics["validation"]["sensitivity"]["value"],
                "validation specificity": metrics["validation"]["specificity"]["value"]}
        if "stress_validation" in metrics:
            ours["AUC under the shifts, pooled"] = metrics["stress_validation"]["pooled"]["auc"]["value"]
            ours.update({f"AUC, {k}": v["auc"] for k, v in metrics["stress_validation"]["shifts"].items()})
    return ["### Compared with the model it replaces", r["note"], "",
            "| measure | replaced model | this model |", "|---|---|---|"] + \
        [f"| {k} | {r['figures'][k]:.4f} | {v:.4f} |" for k, v in ours.items() if k in r["figures"]] + [""]


def render_card(mid, manifest, metrics, trainer):
    card, tl = trainer.CARD, read_json(model_dir(mid, "training_log.json"))
    size_mb = os.path.getsize(model_dir(mid, "model.onnx")) / 1e6
    out = manifest["outputs"][0]
    s = [f"# {manifest['name']} (`{mid}` v{manifest['version']})", "", f"**{DISCLAIMER}**", "",
         "_Generated by `models/training/evaluate.py` from the shipped model.onnx; do not edit by hand._", "",
         "## Model", f"- Task: {manifest['task']}; architecture: {tl['model']}",
         f"- Parameters: {tl['params']:,}; model.onnx: {size_mb:.2f} MB (fp32, opset {tl['opset']}); sha256 `{manifest['sha256']}`",
         f"- Training wall time: {tl['train_seconds'] / 60:.1f} min on {training_machine(tl)}, at the lowest "
         f"priority, including OOD-gate and calibration fitting (torch {tl['torch']}, seed {tl['seed']}"
         + (f", {tl['epochs']} epochs" if tl.get("epochs") else "") + ")"]
    if manifest["task"] == "tabular":
        s.append(f"- Input: `{manifest['input']['name']}` float32 [N, {len(manifest['input']['features'])}] raw features "
                 "in manifest order (names, units and valid ranges in manifest.json)")
    else:
        i = manifest["input"]
        s.append(f"- Input: `{i['name']}` float32 NCHW [N, {i['channels']}, {i['height']}, {i['width']}], "
                 f"{i['resize']} resize, x' = (x*{i['normalize']['scale']:.6g} - mean) / std with mean "
                 f"{i['normalize']['mean']}, std {i['normalize']['std']}")
    s.append("- Outputs: " + "; ".join(f"`{o['name']}` ({o['activation']}, {o.get('labels') or o.get('classes') or o.get('description')})"
                                        for o in manifest["outputs"]))
    s += ["", "## Intended use", card["intended_use"], "", f"Intended users: {card['users']}", ""]
    s += card_section(manifest)
    s += ["## Out of scope", card["out_of_scope"], "",
          "## Training data", card["data"], "", f"Citation: {card['citation']}", "",
          "What was changed: " + card["changes"], "", "## Splits", card["splits"], ""]
    if manifest["task"] == "segmentation":
        v = metrics["validation"]
        s += ["## Validation metrics", f"Mean Dice over {v['n']} validation patients: **{fmt(v, 'dice')}**; "
              f"per-image distribution: median {v['dice_median']:.4f}, 10th percentile {v['dice_p10']:.4f}, "
              f"worst {v['dice_min']:.4f}."]
        if "validation_without_cleanup" in metrics:
            w = metrics["validation_without_cleanup"]
            s += ["", f"The mask clean-up the manifest asks for ({json.dumps(out['mask_cleanup'])}: the app keeps the "
                  f"largest lung components and fills holes) moves the mean from {w['dice']['value']:.4f} to "
                  f"{v['dice']['value']:.4f}, the 10th percentile from {w['dice_p10']:.4f} to {v['dice_p10']:.4f} and "
                  f"the worst case from {w['dice_min']:.4f} to {v['dice_min']:.4f} on these images."]
        s += ["", "### Subgroups"]
        s += [f"- {k}: n={r['n']}, Dice {fmt(r, 'dice')}" for k, r in metrics["subgroups"].items()]
        if "stress_validation" in metrics:
            s += ["", "### Validation under simulated acquisition shift",
                  "The validation images under fixed shifts beyond the training augmentation (another hospital's "
                  "detector, exposure and field of view; the reference masks move with the field of view):", "",
                  "| shift | mean Dice | 10th percentile | worst |", "|---|---|---|---|"]
            s += [f"| {k} | {r['dice']:.4f} | {r['dice_p10']:.4f} | {r['dice_min']:.4f} |"
                  for k, r in metrics["stress_validation"].items()]
        if metrics.get("worst_cases"):
            s += ["", "### Worst validation cases",
                  "Reference outline green, the model's (cleaned) outline red. `evaluate.py` writes the images into "
                  "`worst_cases/` beside this card; they are not committed, since they show the dataset's patient "
                  "images (kept in ../shared/data only):", ""]
            s += [f"- Dice {c['dice']:.4f}, `{c['image']}`: ![{c['image']}](worst_cases/{n})"
                  for c, n in zip(metrics["worst_cases"], metrics.get("worst_case_images", []))]
    else:
        label = out["labels"][1]
        s += ["## Validation metrics", f"At the shipped threshold p({label}) >= **{out['thresholds'][label]:.4f}**:",
              "", metrics_table(metrics["validation"]), "",
              "### Threshold choice", tl["threshold_rule"][0].upper() + tl["threshold_rule"][1:] + "." + (" " + trainer.THRESHOLD_NOTE if hasattr(trainer, "THRESHOLD_NOTE") else ""), ""]
        if "shifted_validation" in metrics:
            s += ["### Validation under simulated acquisition shift",
                  "Validation images with the training perturbations applied (3 seeded copies):", "",
                  metrics_table(metrics["shifted_validation"]), ""]
        if "stress_validation" in metrics:
            st = metrics["stress_validation"]
            s += ["### Validation under shifts beyond the training augmentation",
                  "Fixed shifts standing in for another site or year (none of them used in training); AUC, and "
                  "sensitivity / specificity at the shipped threshold:", "",
                  "| shift | AUC | sensitivity | specificity |", "|---|---|---|---|"]
            s += [f"| {k} | {r['auc']:.4f} | {100 * r['sensitivity']:.1f}% | {100 * r['specificity']:.1f}% |"
                  for k, r in st["shifts"].items()]
            s += ["", "All shifts pooled:", "", metrics_table(st["pooled"]), ""]
        if "ensemble" in metrics:
            e = metrics["ensemble"]
            s += ["### The ensemble against its members",
                  "Validation AUC of each member alone and of the shipped ensemble (no member saw these patients):", "",
                  "| | clean validation | under the shifts above, pooled |", "|---|---|---|"]
            s += [f"| member {i + 1} | {a:.4f} | {b:.4f} |"
                  for i, (a, b) in enumerate(zip(e["member_auc"], e["stress_member_auc"]))]
            s += [f"| **ensemble** | **{e['ensemble_auc']:.4f}** | **{e['stress_ensemble_auc']:.4f}** |", ""]
            folds = [h for h in tl.get("history", []) if "out_of_fold_auc" in h]
            if folds:
                s += ["Patient-grouped cross-validation of the training patients (each member scored the fold it did "
                      "not train on; every training patient in one fold): out-of-fold AUC " +
                      ", ".join(f"{h['out_of_fold_auc']:.4f}" for h in folds) + "; with 3 perturbed copies of each "
                      "fold's images " + ", ".join(f"{h['out_of_fold_auc_with_perturbed']:.4f}" for h in folds) + ".", ""]
    s += [""] + replaced_model_section(mid, metrics)
    held_back = held_back_section(mid)
    if held_back:
        s += [""] + held_back[:-1]
    s += ["", "## Out-of-distribution gate", manifest["ood"]["method"] + f" (output `{manifest['ood']['output']}`). "
          f"Threshold rule: {tl['ood_threshold_rule']}.", "", ood_section(metrics["ood"])]
    if "samples" in metrics:
        s += ["", "### Adult NIH ChestX-ray14 samples (outside the paediatric training population)"]
        s += [f"- {k}: p(pneumonia) = {r['p_pneumonia']:.3f}, OOD score {r['ood_score']:.2f} -> "
              + ("accepted as in-distribution" if r["in_distribution"] else "flagged out-of-distribution")
              for k, r in metrics["samples"].items()]
    if mid == heatmap_plausibility.MODEL and heatmap_plausibility.stored():  # written by heatmap_plausibility.py
        s += [""] + heatmap_plausibility.card_section(heatmap_plausibility.stored())[:-1]
    s += ["", "## Limitations"] + [f"- {x}" for x in card["limitations"]]
    s += [("- Validation numbers come from the same source as the training data; on the product owner's held-back "
           "data (other time, hospital or slides) the model scored as in the held-back section above."
           if os.path.exists(model_dir(mid, "held_back.json")) else
           "- Validation numbers come from the same source as the training data; the product owner's held-back "
           "data (other time, hospital or slides) is expected to score lower.") if manifest["task"] != "tabular" else
          "- Cross-validated numbers on 569 cases; no external test set.",
          "", "## Reproduce", "```", f"nice -n 19 /usr/bin/python3 models/training/{TRAINERS[mid]}.py",
          f"/usr/bin/python3 models/training/evaluate.py {mid}          # metrics + this card",
          f"/usr/bin/python3 models/training/evaluate.py --check {mid}  # re-derive and compare", "```", "",
          f"**{DISCLAIMER}**", ""]
    with open(model_dir(mid, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(s))


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*", default=list(TRAINERS))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--cards-only", action="store_true", help="re-render MODEL_CARD.md from the stored metrics")
    args = ap.parse_args()
    ok = True
    for mid in args.ids:
        if args.cards_only:
            manifest = read_json(model_dir(mid, "manifest.json"))
            render_card(mid, manifest, manifest["metrics"], importlib.import_module(TRAINERS[mid]))
            continue
        missing = [d for d in DATASETS[mid] if not have_data(d)]
        if missing:
            print(f"{mid}: SKIPPED - dataset(s) {missing} not found under {data_path()} (set DXLENS_DATA)")
            continue
        if not os.path.exists(model_dir(mid, "model.onnx")):
            print(f"{mid}: SKIPPED - no model.onnx (train it first)")
            continue
        log(f"{mid}: evaluating")
        metrics, manifest, trainer = evaluate(mid, 0 if args.check else 1000)
        if args.check:
            ok &= check(mid, metrics, manifest.get("metrics", {}))
            if mid == heatmap_plausibility.MODEL:  # through the native CLI's heatmap; skipped when it is not built
                ok &= heatmap_plausibility.check()
            continue
        if metrics.get("worst_cases"):
            metrics["worst_case_images"] = write_worst_case_images(mid, trainer, *load_shipped(mid, trainer),
                                                                   metrics["worst_cases"])
        manifest["metrics"] = metrics
        write_json(model_dir(mid, "manifest.json"), manifest)
        render_card(mid, manifest, metrics, trainer)
        print(json.dumps(metrics, indent=1)[:3000])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
