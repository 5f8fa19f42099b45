"""Running a torch module over uint8 image arrays: normalisation as the manifest states it, in batches.

    logits = predict_logits(net, x_u8, NORM)             # x_u8: N x H x W uint8
    logits, ood = run_batches(export_module, x_u8, NORM)  # a module returning a tuple gives one array each
"""
import numpy as np
import torch


def normalise(x, norm):
    return (x * norm["scale"] - norm["mean"][0]) / norm["std"][0]


@torch.no_grad()
def run_batches(fn, x_u8, norm, batch=256):
    """Apply fn to normalised N x 1 x H x W batches of a uint8 N x H x W array; concatenates outputs."""
    outs = []
    for i in range(0, len(x_u8), batch):
        xb = normalise(torch.from_numpy(np.asarray(x_u8[i:i + batch])).float()[:, None], norm)
        o = fn(xb)
        outs.append([t.numpy() for t in (o if isinstance(o, tuple) else (o,))])
    res = [np.concatenate(parts) for parts in zip(*outs)]
    return res if len(res) > 1 else res[0]


def predict_logits(net, x_u8, norm):
    net.eval()
    return run_batches(net, x_u8, norm)
