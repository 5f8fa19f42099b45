"""Network building blocks and the image classifier the trainers share.

    net = SmallCNN([16, 32, 64, 128], stem_stride=1)        # train this
    exp = fuse_all(ClassifierExport(net.eval(), flips))     # export this: (logits / T, OOD distance)
    ens = Ensemble([net_a, net_b, net_c])                   # one graph: mean logits, concatenated features

ConvBNAct.fuse() folds batch norm into the convolution so the exported graph has no BatchNormalization;
load_onnx_weights (export.py) relies on the fused parameter names.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from ood_gate import Mahalanobis, SplitMahalanobis


def count_params(module):
    return int(sum(p.numel() for p in module.parameters()))


class ConvBNAct(nn.Module):
    """3x3 (or kxk) conv + batch norm + ReLU; fuse() folds the BN into the conv for export."""

    def __init__(self, cin, cout, stride=1, k=3, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=True)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True) if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))

    @torch.no_grad()
    def fuse(self):
        if isinstance(self.bn, nn.BatchNorm2d):
            bn = self.bn
            s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            self.conv.weight.mul_(s[:, None, None, None])
            self.conv.bias.copy_((self.conv.bias - bn.running_mean) * s + bn.bias)
            self.bn = nn.Identity()


def fuse_all(model):
    for m in model.modules():
        if isinstance(m, ConvBNAct):
            m.fuse()
    return model


class ImageStandardize(nn.Module):
    """Per-image intensity standardisation inside the graph (robust to exposure/contrast shift)."""

    def forward(self, x):
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        std = (x - mean).pow(2).mean(dim=(1, 2, 3), keepdim=True).add(1e-5).sqrt()
        return (x - mean) / std


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a, self.b = ConvBNAct(c, c), ConvBNAct(c, c, act=False)

    def forward(self, x):
        return F.relu(x + self.b(self.a(x)))


class SmallCNN(nn.Module):
    """Stem conv, then per width a stride-2 conv and a residual block; global average pool; linear."""

    def __init__(self, widths, n_classes=2, stem_stride=1, standardize=False, dropout=0.2):
        super().__init__()
        layers = [ImageStandardize()] if standardize else []
        layers.append(ConvBNAct(1, widths[0], stem_stride))
        for cin, cout in zip(widths[:-1], widths[1:]):
            layers += [ConvBNAct(cin, cout, 2), ResBlock(cout)]
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(widths[-1], n_classes)
        self.dim = widths[-1]

    def features(self, x):
        return self.body(x).mean(dim=(2, 3))

    def forward(self, x):
        return self.fc(self.drop(self.features(x)))


class Ensemble(nn.Module):
    """Several SmallCNNs as one classifier: the mean of the members' logits; features() concatenates the members'
    pooled features (so the OOD gate sees all of them). It has the SmallCNN interface ClassifierExport uses."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.dims = [m.dim for m in members]
        self.dim = sum(self.dims)

    def features(self, x):
        return torch.cat([m.features(x) for m in self.members], 1)

    def fc(self, f):
        parts = torch.split(f, self.dims, 1)
        return torch.stack([m.fc(p) for m, p in zip(self.members, parts)], 0).mean(0)

    def forward(self, x):
        return self.fc(self.features(x))


class ClassifierExport(nn.Module):
    """Shipped graph: (logits / T [N,2], Mahalanobis OOD [N,1]); optional flip test-time averaging."""

    def __init__(self, net, flips=()):
        super().__init__()
        self.net = net
        self.flips = tuple(flips)  # e.g. ((3,), (2,), (2, 3)) for rotation-free cells
        self.ood = SplitMahalanobis(net.dims, 2) if isinstance(net, Ensemble) else Mahalanobis(net.dim, 2)
        self.register_buffer("temperature", torch.ones(1))

    def features(self, x):
        f = self.net.features(x)
        for dims in self.flips:
            f = f + self.net.features(torch.flip(x, dims))
        return f / (1 + len(self.flips))

    def forward(self, x):
        f = self.features(x)
        return self.net.fc(f) / self.temperature, self.ood(f)
