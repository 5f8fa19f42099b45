"""Process setup for a reproducible training or evaluation run, and its progress log.

Call setup(seed) first thing in a trainer's main(): it fixes the Python, numpy and torch seeds, asks torch for
deterministic kernels and limits its CPU threads. log(msg) prints a timestamped line; machine_facts() says what
the run's time was measured on (stored in training_log.json, shown on the model card).

Environment:
  DXLENS_THREADS  torch CPU threads (default: 2)
"""
import os
import random
import time

import numpy as np
import torch


def setup(seed=0):
    """Fixed seeds, deterministic kernels where torch allows, limited threads."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(int(os.environ.get("DXLENS_THREADS", "2")))
    torch.use_deterministic_algorithms(True, warn_only=True)


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def machine_facts():
    """What the training time was measured on, for the card: CPU count, torch threads and the 15-minute load
    average at the end (for a run of about that length, the mean load it ran under; 2 cores idle = ~2)."""
    return {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "load_average_15min_at_end": round(os.getloadavg()[2], 2)}
