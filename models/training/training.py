"""Training: the one-cycle loop the torch networks here are trained with, the command line every trainer takes,
and train_image_classifier(), the whole run of an image-classifier trainer from data to package.

An image-classifier trainer describes only what is its own in an ImageClassifier and hands it over:
    SPEC = ImageClassifier(model_id=ID, card=CARD, labels=LABELS, ...)
    if __name__ == "__main__":
        train_image_classifier(SPEC, trainer_arguments(ID, __doc__).parse_args().out)

Environment:
  DXLENS_FINALIZE_ONLY=1  keep the network weights of an existing model.onnx and refit only what follows
                          training (OOD gate, calibration, threshold) with the current code
"""
import argparse
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from calibration import finalize_classifier
from export import export_onnx, finish_manifest, grey_image_input, load_onnx_weights, ood_output, write_image_reference
from datasets import group_folds
from inference import normalise, predict_logits
from metrics import roc_auc
from model_package import DISCLAIMER, OPSET, model_dir, read_json, write_json
from networks import ClassifierExport, Ensemble, count_params, fuse_all
from population import with_blocks
from runtime import log, machine_facts, setup


# ----------------------------------------------------------------------------- command line
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


def trained_or_reloaded(out, t0, build_export_module, train):
    """(export module, training history, start time): from train() -> (module, history), or under
    DXLENS_FINALIZE_ONLY=1 reloaded from out/model.onnx with the history of out/training_log.json and the
    start time moved back by its training time (so train_seconds still counts the training)."""
    if finalize_only():
        exp = load_onnx_weights(build_export_module(), os.path.join(out, "model.onnx"))
        return exp, previous_training_log(out)["history"], t0 - previous_training_log(out)["train_seconds"]
    exp, hist = train()
    return exp, hist, t0


# ----------------------------------------------------------------------------- training loop
def one_cycle(net, n, epochs, batch, lr, wd, pct_start, batch_loss, end_epoch):
    """AdamW with a one-cycle learning rate: `epochs` passes over n samples, each in a new random order.

    batch_loss(idx) returns the loss of the samples idx (a LongTensor); end_epoch(epoch, mean_loss, t0) returns
    a history entry (or None) after each pass. Returns the history."""
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=wd)
    steps = epochs * int(np.ceil(n / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=pct_start)
    hist, t0 = [], time.time()
    for ep in range(epochs):
        net.train()
        perm, tot = torch.randperm(n), 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = batch_loss(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
        entry = end_epoch(ep, tot / n, t0)
        if entry is not None:
            hist.append(entry)
    return hist


def train_classifier(net, x_tr, y_tr, x_va, y_va, norm, epochs, aug, batch=64, lr=2e-3, wd=5e-4,
                     smoothing=0.1):
    """AdamW + one-cycle, class-weighted label-smoothed CE, per-batch augmentation.

    x_* are uint8 N x H x W arrays. Returns the training history (val AUC per epoch)."""
    y_t = torch.as_tensor(y_tr, dtype=torch.long)
    counts = np.bincount(y_tr, minlength=2)
    weight = torch.tensor(len(y_tr) / (2 * counts), dtype=torch.float32)

    def batch_loss(idx):
        xb = torch.from_numpy(x_tr[idx.numpy()]).float()[:, None]
        xb = normalise(aug(xb), norm)
        return F.cross_entropy(net(xb), y_t[idx], weight=weight, label_smoothing=smoothing)

    def end_epoch(ep, loss, t0):
        va = predict_logits(net, x_va, norm)
        auc = roc_auc(y_va, va[:, 1] - va[:, 0])
        entry = {"epoch": ep + 1, "loss": round(loss, 4), "val_auc": round(auc, 5),
                 "seconds": round(time.time() - t0, 1)}
        log(f"epoch {ep + 1}/{epochs} loss {loss:.4f} val AUC {auc:.5f} ({time.time() - t0:.0f}s)")
        return entry

    return one_cycle(net, len(y_tr), epochs, batch, lr, wd, 0.15, batch_loss, end_epoch)


# ----------------------------------------------------------------------------- image classifier trainers
@dataclass
class ImageClassifier:
    """What differs between the image-classifier trainers; train_image_classifier() does the rest."""
    model_id: str
    card: dict                    # the trainer's CARD (name, intended_use, citation used in the manifest)
    labels: list                  # [negative, positive]; the threshold is for the positive label
    size: int                     # input is 1 x size x size
    norm: dict                    # manifest input.normalize
    seed: int
    epochs: int
    target_sens: float            # the threshold keeps at least this validation sensitivity
    split: Callable               # () -> (x uint8 [N,H,W], y, groups, ..., train_idx, val_idx)
    build_net: Callable           # () -> SmallCNN, freshly initialised
    fit: dict                     # train_classifier() keywords: aug, batch, lr, wd, smoothing
    counted: tuple                # what the log counts: (samples, groups), e.g. ("images", "patients")
    ood_method: str               # manifest ood.method
    calibration_method: str       # manifest calibration.method
    modalities: list
    body_parts: list
    license: str
    model_text: str               # training_log model
    threshold_rule: str           # training_log threshold_rule
    ood_threshold_rule: str       # training_log ood_threshold_rule
    flips: tuple = ()             # flips averaged inside the exported graph
    # > 1: the shipped network is an ensemble of this many members, member k trained on the training patients
    # outside cross-validation fold k; calibration and threshold are fitted on the out-of-fold logits
    members: int = 1
    # True: the OOD threshold comes from augmented copies of the training images (ood_gate.fit_ood_gate's
    # shifted_feats) rather than the clean ones
    ood_from_augmented: bool = False
    # (x_val, y_val) -> (x_cal, y_cal): where temperature and threshold are fitted; default the validation set
    calibration_set: Optional[Callable] = None
    # (x_val, y_val) -> the uint8 image stored as reference/input.png
    reference_image: Callable = field(default=lambda x_va, y_va: x_va[0])

    def export_module(self, net=None):
        """The shipped graph around net (a new, untrained one when None), batch norms fused."""
        if net is None:
            net = self.build_net() if self.members == 1 else Ensemble([self.build_net() for _ in range(self.members)])
        return fuse_all(ClassifierExport(net, self.flips))


def train_ensemble(spec, out, x, y, g, tr, t0):
    """spec.members members, member k trained on the training patients outside fold k of a patient-grouped
    cross-validation of the training part (the validation split stays unseen by every member). Each training
    image is scored once by the member that did not see it; those out-of-fold logits, on the images and on
    the trainer's perturbed copies of them (spec.calibration_set), are where temperature and threshold are
    fitted ("calibration across folds"), so the validation split measures the shipped package honestly.
    Returns (export module, history: one entry per member with its epochs and out-of-fold AUCs, calibration)."""
    fold = group_folds(g[tr], y[tr], spec.members, spec.seed)
    members, hist, cal_logits, cal_y = [], [], [], []
    reloaded = None
    if finalize_only():
        reloaded = load_onnx_weights(spec.export_module(), os.path.join(out, "model.onnx"), refitted=("ood.",))
    for k in range(spec.members):
        fit, held = tr[fold != k], tr[fold == k]
        if reloaded is None:
            torch.manual_seed(spec.seed + k)
            log(f"member {k + 1}/{spec.members}: train {len(fit)} images, out-of-fold {len(held)} "
                f"({len(set(g[held]))} patients)")
            net = spec.build_net()
            epochs = train_classifier(net, x[fit], y[fit], x[held], y[held], spec.norm, spec.epochs, **spec.fit)
            net.eval()
        else:
            net, epochs = reloaded.net.members[k], previous_training_log(out)["history"][k]["epochs"]
        x_cal, y_cal = spec.calibration_set(x[held], y[held]) if spec.calibration_set else (x[held], y[held])
        logits = predict_logits(net, x_cal, spec.norm)
        clean = len(held)
        entry = {"member": k + 1, "train_images": int(len(fit)), "out_of_fold_images": int(clean),
                 "out_of_fold_auc": round(roc_auc(y_cal[:clean], logits[:clean, 1] - logits[:clean, 0]), 5),
                 "out_of_fold_auc_with_perturbed": round(roc_auc(y_cal, logits[:, 1] - logits[:, 0]), 5),
                 "epochs": epochs}
        log(f"member {k + 1}: out-of-fold AUC {entry['out_of_fold_auc']} (with perturbed copies "
            f"{entry['out_of_fold_auc_with_perturbed']})")
        members.append(net)
        hist.append(entry)
        cal_logits.append(logits)
        cal_y.append(y_cal)
    exp = spec.export_module(Ensemble(members)) if reloaded is None else reloaded
    cal = finalize_classifier(exp, x[tr], y[tr], None, np.concatenate(cal_y), spec.norm, spec.target_sens,
                              held_out_logits=np.concatenate(cal_logits),
                              augment=spec.fit["aug"] if spec.ood_from_augmented else None)
    return exp, hist, cal


def train_image_classifier(spec, out):
    """Train (or, under DXLENS_FINALIZE_ONLY=1, reload) the network, fit the OOD gate, temperature and threshold,
    and write the package to out: model.onnx, reference/, manifest.json, training_log.json."""
    setup(spec.seed)
    t0 = time.time()
    parts = spec.split()
    x, y, g, tr, va = parts[0], parts[1], parts[2], parts[-2], parts[-1]
    samples, groups = spec.counted
    log(f"train {len(tr)} {samples} / {len(set(g[tr]))} {groups}, val {len(va)} / {len(set(g[va]))} {groups}")

    def train():
        net = spec.build_net()
        hist = train_classifier(net, x[tr], y[tr], x[va], y[va], spec.norm, spec.epochs, **spec.fit)
        return spec.export_module(net.eval()), hist
    if spec.members > 1:
        exp, hist, cal = train_ensemble(spec, out, x, y, g, tr, t0)
        t0 = t0 if not finalize_only() else t0 - previous_training_log(out)["train_seconds"]
    else:
        exp, hist, t0 = trained_or_reloaded(out, t0, spec.export_module, train)
        x_cal, y_cal = spec.calibration_set(x[va], y[va]) if spec.calibration_set else (x[va], y[va])
        cal = finalize_classifier(exp, x[tr], y[tr], x_cal, y_cal, spec.norm, spec.target_sens,
                                  augment=spec.fit["aug"] if spec.ood_from_augmented else None)
    log(f"calibration {cal}")
    export_onnx(exp, torch.zeros(1, 1, spec.size, spec.size), os.path.join(out, "model.onnx"), "image",
                ["logits", "ood"])
    reference = write_image_reference(out, exp, spec.reference_image(x[va], y[va]), "image", ["logits", "ood"],
                                      spec.norm)
    manifest = {
        "schema": "dxlens.model/1", "id": spec.model_id, "name": spec.card["name"], "version": "1.0.0",
        "task": "classification", "input": grey_image_input(spec.size, spec.norm),
        "outputs": [
            {"name": "logits", "activation": "softmax", "labels": spec.labels,
             "thresholds": {spec.labels[1]: cal["threshold"]}},
            ood_output()],
        "ood": {"output": "ood", "method": spec.ood_method, "threshold": round(cal["ood_threshold"], 4),
                "higher_is_outlier": True},
        "calibration": {"method": spec.calibration_method, "temperature": cal["temperature"]},
        "intended_use": spec.card["intended_use"], "modalities": spec.modalities, "body_parts": spec.body_parts,
        "license": spec.license, "citation": spec.card["citation"], "disclaimer": DISCLAIMER, "reference": reference,
    }
    finish_manifest(out, with_blocks(manifest, spec.model_id))
    write_json(os.path.join(out, "training_log.json"), {
        "params": count_params(exp.net), "train_seconds": round(time.time() - t0, 1),
        "machine": machine_facts(), "seed": spec.seed, "epochs": spec.epochs, "model": spec.model_text,
        "temperature": cal["temperature"], "ece_before_fit": cal["ece_before"], "ece_after_fit": cal["ece_after"],
        "threshold_rule": spec.threshold_rule, "ood_threshold_rule": spec.ood_threshold_rule,
        "history": hist, "torch": torch.__version__, "opset": OPSET})
    log("done")
