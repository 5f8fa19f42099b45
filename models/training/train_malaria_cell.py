"""Train models/malaria-cell: uninfected vs parasitized thin-smear red blood cell crops (50x50 grey).

Usage:  nice -n 19 /usr/bin/python3 models/training/train_malaria_cell.py [--out DIR]
Then:   /usr/bin/python3 models/training/evaluate.py malaria-cell   (metrics + MODEL_CARD.md)

Data: ../shared/data/malaria_nlm (cells.tar.gz + labels.csv), split by slide_id (20% of slides for
validation, stratified by the slide's majority label). Model: 0.49M-parameter residual CNN at 50x50
with a stride-1 stem (the first stage sees every pixel of the small crops: parasites are a few pixels wide),
rotation/flip/intensity augmentation, label smoothing, class-weighted loss; the exported graph averages
the four flips (cells have no orientation), divides the logits by the fitted temperature and outputs the
Mahalanobis OOD distance of the pooled features.
"""
import io
import os
import sys
import tarfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from augmentation import augment  # noqa: E402
from datasets import cached, data_path, group_split  # noqa: E402
from images import load_gray  # noqa: E402
from networks import SmallCNN  # noqa: E402
from training import ImageClassifier, train_image_classifier, trainer_arguments  # noqa: E402

ID = "malaria-cell"
LABELS = ["uninfected", "parasitized"]
SIZE = 50
WIDTHS = [16, 32, 64, 128]
EPOCHS = int(os.environ.get("DXLENS_EPOCHS", "20"))  # override only for smoke tests
SEED = 0
VAL_FRAC = 0.2
TARGET_SENS = 0.97
THRESHOLD_NOTE = ("A missed parasitized cell matters more than a false alarm a microscopist re-checks, so the "
                  "operating point favours sensitivity; it is set on slides the network never saw.")
FLIPS = ((3,), (2,), (2, 3))
ERROR_REVIEW = ("In a visual review of the 16 most contradicted cells of each class (this greyscale copy, "
                "2026-12-06), most of those labelled parasitized showed no visible inclusion and most of those "
                "labelled uninfected showed dark dots like the parasitized cells': they look mislabelled. Networks "
                "trained on the same split with more epochs and weight averaging, with 1.8x the parameters, or "
                "without the noise and blur augmentation, and the ensemble of them, misranked mostly the same cells "
                "and did not reach a higher validation AUC: on this split the measured AUC appears bounded by the "
                "labels rather than by the network.")
NORM = {"scale": 1 / 255, "mean": [0.5], "std": [0.25]}

CARD = {
    "name": "Malaria: parasitized vs uninfected red blood cell (thin smear crop)",
    "intended_use": "Research: score single red-blood-cell crops segmented from Giemsa-stained thin blood smear "
                    "photographs (light microscopy) for Plasmodium infection, as a second reader in studies.",
    "users": "Researchers and developers; laboratory scientists evaluating automated malaria microscopy.",
    "out_of_scope": "Diagnosis of patients; whole-field or thick-smear images; species identification or "
                    "parasitaemia counting; stains or magnifications unlike the NLM release.",
    "data": "NLM Malaria Cell Images (Rajaraman et al. 2018): 24,869 cell crops from thin smears "
            "(Chittagong Medical College Hospital, Bangladesh). U.S. National Library of Medicine public release.",
    "citation": "Rajaraman S et al. Pre-trained convolutional neural networks as feature extractors toward improved "
                "malaria parasite detection in thin blood smear images. PeerJ 6:e4568, 2018.",
    "changes": "The available copy was reduced by its publisher to 50x50 8-bit greyscale (original: RGB, ~100-200 px); "
               "used as obtained. Part of the slides are held back by the product owner.",
    "splits": "Grouped by slide_id: 20% of slides (stratified by each slide's majority label, seed 0) form the "
              "validation set; no slide is on both sides. Bootstrap CIs resample slides.",
    "limitations": ["Greyscale 50x50 only: colour information that microscopists use is absent.",
                    "Single site and staining protocol; other labs' smears may shift the scores.",
                    "Label noise of the public release (some mislabelled crops) is not corrected."],
}


def load():
    """(images uint8 [N,50,50], labels [N], slide ids [N]) from the tarball, cached."""
    def build():
        import csv
        from PIL import Image
        rows = list(csv.DictReader(open(data_path("malaria_nlm", "labels.csv"))))
        index = {r["path"]: r for r in rows}
        imgs, labels, slides = [], [], []
        with tarfile.open(data_path("malaria_nlm", "cells.tar.gz")) as tar:
            for m in tar:
                name = m.name[2:] if m.name.startswith("./") else m.name
                if not m.isfile() or name not in index:
                    continue
                a = np.asarray(Image.open(io.BytesIO(tar.extractfile(m).read())).convert("L"))
                imgs.append(a)
                labels.append(int(index[name]["label"] == "Parasitized"))
                slides.append(index[name]["slide_id"])
        order = np.argsort(np.array([f"{s}" for s in slides]), kind="stable")
        return {"x": np.stack(imgs)[order], "y": np.array(labels)[order], "g": np.array(slides)[order]}
    d = cached("malaria_cells", build)
    return d["x"], d["y"], d["g"]


def split():
    x, y, g = load()
    tr, va = group_split(g, y, VAL_FRAC, SEED)
    return x, y, g, tr, va


def build_net():
    return SmallCNN(WIDTHS, stem_stride=1, dropout=0.2)


def aug(xb):
    return augment(xb, rot=180, scale=(0.9, 1.1), shift=0.05, hflip=True, vflip=True, gamma=(0.8, 1.25),
                   contrast=(0.8, 1.25), brightness=12, blur_p=0.1, noise=3, padding="zeros")


def chest_xrays(n=200):
    """Foreign inputs for the OOD check: chest X-rays resized to the cell input size (uint8)."""
    import glob
    files = sorted(glob.glob(data_path("chest_xray_kermany", "NORMAL", "*")))[:n // 2] + \
        sorted(glob.glob(data_path("lung_montgomery", "images", "*.png")))[:n // 2]
    return np.stack([load_gray(f, SIZE, SIZE)[0].round().clamp(0, 255).byte().numpy() for f in files])


def first_parasitized(x_va, y_va):
    """The reference image: the first parasitized cell of the validation set."""
    return x_va[np.where(y_va == 1)[0][0]]


SPEC = ImageClassifier(
    model_id=ID, card=CARD, labels=LABELS, size=SIZE, norm=NORM, seed=SEED, epochs=EPOCHS, target_sens=TARGET_SENS,
    split=split, build_net=build_net, fit=dict(aug=aug, batch=128, lr=3e-3), flips=FLIPS,
    counted=("cells", "slides"), reference_image=first_parasitized,
    ood_method="class-conditional Mahalanobis distance (shared Ledoit-Wolf covariance) of the flip-averaged pooled "
               "penultimate features",
    calibration_method="temperature scaling on the slide-grouped validation set, baked into the logits",
    modalities=["microscopy"], body_parts=["blood"],
    license="Training data: U.S. National Library of Medicine public release (cite); model weights: project licence",
    model_text=f"residual CNN widths {WIDTHS} at {SIZE}x{SIZE} (stride-1 stem), 4-flip averaging in the graph",
    threshold_rule=f"highest threshold keeping slide-grouped validation sensitivity >= {TARGET_SENS}",
    ood_threshold_rule="99.5th percentile of the 5-fold cross-fitted distances of 2 augmented copies of the training "
                       "cells (the training augmentation), so new slides' staining and focus alone do not trip the gate",
    ood_from_augmented=True)


def build_export_module():
    return SPEC.export_module()


if __name__ == "__main__":
    train_image_classifier(SPEC, trainer_arguments(ID, __doc__).parse_args().out)
