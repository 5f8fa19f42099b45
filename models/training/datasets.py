"""Where the training data is, a cache of decoded datasets, and splits that keep patients (or slides) apart.

    x = cached("kermany_train_128", build)["x"]      # build() -> dict of numpy arrays, run only when not cached
    tr, va = group_split(patient_ids, labels, 0.2, seed=0)
    fold = group_folds(patient_ids[tr], labels[tr], 3, seed=0)   # fold number 0..2 of each training sample

Environment:
  DXLENS_DATA     dataset root (default: <repo>/../shared/data)
  DXLENS_CACHE    decoded-data cache (default: /tmp/dxlens-cache)
"""
import os

import numpy as np

from model_package import REPO

DATA = os.environ.get("DXLENS_DATA", os.path.abspath(os.path.join(REPO, "..", "shared", "data")))
CACHE = os.environ.get("DXLENS_CACHE", "/tmp/dxlens-cache")


def data_path(*parts):
    return os.path.join(DATA, *parts)


def have_data(name):
    return os.path.isdir(data_path(name))


def cached(name, build):
    """Decoded dataset arrays cached as .npz under DXLENS_CACHE (rebuilt when absent)."""
    path = os.path.join(CACHE, name + ".npz")
    if os.path.exists(path):
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    arrays = build()
    os.makedirs(CACHE, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


def group_split(groups, labels, val_frac, seed):
    """Split sample indices so that no group (patient, slide) is on both sides.

    Groups are stratified by their majority label so both sides keep the class mix.
    Returns (train_idx, val_idx) as sorted numpy arrays.
    """
    groups = np.asarray(groups)
    labels = np.asarray(labels)
    rng = np.random.RandomState(seed)
    uniq = sorted(set(groups.tolist()))
    by_label = {}
    for g in uniq:
        maj = int(round(labels[groups == g].mean()))
        by_label.setdefault(maj, []).append(g)
    val_groups = set()
    for lab in sorted(by_label):
        gs = by_label[lab]
        rng.shuffle(gs)
        val_groups.update(gs[: int(round(len(gs) * val_frac))])
    is_val = np.array([g in val_groups for g in groups])
    return np.where(~is_val)[0], np.where(is_val)[0]


def group_folds(groups, labels, k, seed):
    """Fold number (0..k-1) of every sample for a k-fold cross-validation that keeps each group (patient, slide)
    in one fold, stratified by the group's majority label; every group is in exactly one validation fold."""
    groups = np.asarray(groups)
    labels = np.asarray(labels)
    rng = np.random.RandomState(seed)
    fold_of = {}
    by_label = {}
    for g in sorted(set(groups.tolist())):
        by_label.setdefault(int(round(labels[groups == g].mean())), []).append(g)
    for lab in sorted(by_label):
        gs = by_label[lab]
        rng.shuffle(gs)
        for i, g in enumerate(gs):
            fold_of[g] = i % k
    return np.array([fold_of[g] for g in groups.tolist()])
