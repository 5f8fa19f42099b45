#!/bin/sh
# Retrain every default DxLens model, then evaluate them and regenerate manifests' metrics and model cards.
#
#   sh models/training/train_all.sh            # from the repository root; ~40 min on 2 idle CPU cores
#                                               (malaria-cell 18, cxr-lung-seg 9, cxr-pneumonia 9, breast-fna < 1)
#
# Needs Debian packages: python3-torch python3-torchvision python3-onnx python3-sklearn python3-skimage
# python3-pil python3-numpy (use /usr/bin/python3), and the datasets in ../shared/data (or $DXLENS_DATA).
# Decoded datasets are cached in $DXLENS_CACHE (default /tmp/dxlens-cache). Each trainer runs at the lowest
# CPU priority; DXLENS_THREADS (default 2) sets torch's thread count.
set -e
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
for t in breast_fna malaria_cell cxr_lung_seg cxr_pneumonia; do
  echo "== train_$t"
  nice -n 19 $PY models/training/train_$t.py
done
nice -n 19 $PY models/training/evaluate.py
nice -n 19 $PY models/training/evaluate.py --check
# Optional, needs onnxruntime-node: node models/training/verify_onnx.mjs
