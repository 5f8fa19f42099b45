"""The out-of-distribution gate shipped inside every model: the minimum Mahalanobis distance of a feature
vector to the class means, with a threshold calibrated on training data only.

    gate = Mahalanobis(dim, n_means=2)                  # an nn.Module: exported as the graph's `ood` output
    thr = fit_ood_gate(gate, train_features, labels)    # fits gate, returns its (cross-fitted) threshold
"""
import numpy as np
import torch
import torch.nn as nn


class Mahalanobis(nn.Module):
    """Minimum Mahalanobis distance of a feature vector to class means (shared covariance).

    Fitted on training features; exported inside the ONNX graph as an output [N, 1].
    """

    def __init__(self, dim, n_means=1):
        super().__init__()
        self.register_buffer("means", torch.zeros(n_means, dim))
        self.register_buffer("whiten", torch.eye(dim))

    def fit(self, feats, labels=None):
        from sklearn.covariance import LedoitWolf
        feats = np.asarray(feats, dtype=np.float64)
        labels = np.zeros(len(feats), int) if labels is None else np.asarray(labels)
        means = np.stack([feats[labels == c].mean(0) for c in range(self.means.shape[0])])
        centred = feats - means[labels]
        prec = LedoitWolf().fit(centred).precision_
        chol = np.linalg.cholesky((prec + prec.T) / 2)  # prec = L L^T, d^2 = |(f-mu) L|^2
        self.means.copy_(torch.as_tensor(means, dtype=torch.float32))
        self.whiten.copy_(torch.as_tensor(chol, dtype=torch.float32))
        return self

    def forward(self, f):
        d2 = torch.stack([((f - m) @ self.whiten).pow(2).sum(1) for m in self.means], 1)
        return d2.min(1, keepdim=True)[0].sqrt()

    def fresh(self):
        """An unfitted gate of the same shape (for cross-fitting)."""
        return Mahalanobis(self.means.shape[1], self.means.shape[0])


class SplitMahalanobis(nn.Module):
    """An ensemble's gate: one Mahalanobis gate per member on that member's slice of the concatenated features,
    the distance being their mean. Trials on the pneumonia ensemble: one gate over all 336 concatenated
    features let upsampled malaria crops overlap the validation images (the distances of a high-dimensional
    gate concentrate), while the mean of the members' own distances kept them apart as the single network's
    gate did."""

    def __init__(self, dims, n_means=1):
        super().__init__()
        self.dims = list(dims)
        self.parts = nn.ModuleList(Mahalanobis(d, n_means) for d in self.dims)

    def fit(self, feats, labels=None):
        start = 0
        for d, part in zip(self.dims, self.parts):
            part.fit(np.asarray(feats)[:, start:start + d], labels)
            start += d
        return self

    def forward(self, f):
        return torch.stack([p(x) for p, x in zip(self.parts, torch.split(f, self.dims, 1))], 0).mean(0)

    def fresh(self):
        return SplitMahalanobis(self.dims, self.parts[0].means.shape[0])


def ood_threshold(train_scores, quantile=0.995):
    """Gate threshold calibrated on training data only."""
    return float(np.quantile(np.asarray(train_scores), quantile))


def fit_ood_gate(gate, feats, labels=None, folds=5, quantile=0.995, margin=1.0, seed=0, shifted_feats=None):
    """Fit gate (a Mahalanobis module) on training features; return its threshold (times margin).

    The threshold is the quantile of cross-fitted training distances (each fold scored by a gate fitted on
    the other folds): distances of a training point to a gate fitted on itself are optimistically small,
    which with few images (lung: 110) would reject most new in-distribution images.
    shifted_feats: features of the same training samples under the training augmentation ([copies, N, dim]):
    when given, the threshold is the quantile of their cross-fitted distances instead, so the gate accepts
    what the model was trained to handle (other exposures, contrast, field of view) and a new site's images
    are not flagged for acquisition differences alone; foreign inputs stay far above it."""
    feats = np.asarray(feats, dtype=np.float32)
    labels = np.zeros(len(feats), int) if labels is None else np.asarray(labels)
    fold = np.random.RandomState(seed).permutation(len(feats)) % folds
    scored = feats[None] if shifted_feats is None else np.asarray(shifted_feats, dtype=np.float32)
    scores = np.zeros(scored.shape[:2], np.float32)
    for k in range(folds):
        part = gate.fresh().fit(feats[fold != k], labels[fold != k])
        with torch.no_grad():
            for c in range(len(scored)):
                scores[c, fold == k] = part(torch.from_numpy(scored[c, fold == k])).numpy()[:, 0]
    gate.fit(feats, labels)
    return margin * ood_threshold(scores.ravel(), quantile)
