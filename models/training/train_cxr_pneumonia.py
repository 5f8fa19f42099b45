"""Train models/cxr-pneumonia: normal vs pneumonia on paediatric frontal chest X-rays (128x128 grey).

Usage:  nice -n 19 /usr/bin/python3 models/training/train_cxr_pneumonia.py [--out DIR]
Then:   /usr/bin/python3 models/training/evaluate.py cxr-pneumonia   (metrics + MODEL_CARD.md)

Data: ../shared/data/chest_xray_kermany (official train split), 20% of patients for validation
(grouped by patient_id, stratified by the patient's majority label). Designed for the known shift to
the official test split: per-image intensity standardisation inside the graph, strong but anatomically
sensible augmentation (gamma/contrast/brightness, blur, noise, rotation +-10 deg, scale and shift = random
crops; no flips), dropout, weight decay, label smoothing 0.15, class-weighted loss. Calibration and the
threshold are fitted on the validation set under the same acquisition perturbations ("shifted
validation"), not on the clean validation optimum. The graph outputs temperature-scaled logits and a
class-conditional Mahalanobis OOD distance of the pooled features.
"""
import csv
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from augmentation import augment  # noqa: E402
from datasets import cached, data_path, group_split  # noqa: E402
from images import load_gray  # noqa: E402
from networks import SmallCNN  # noqa: E402
from training import ImageClassifier, train_image_classifier, trainer_arguments  # noqa: E402

ID = "cxr-pneumonia"
LABELS = ["normal", "pneumonia"]
SIZE = 128
WIDTHS = [16, 24, 48, 96, 192]
EPOCHS = int(os.environ.get("DXLENS_EPOCHS", "16"))  # override only for smoke tests
SEED = 0
VAL_FRAC = 0.2
TARGET_SENS = 0.96
THRESHOLD_NOTE = (
    "Trials showed the clean patient-grouped validation set is nearly separable (AUC ~0.9997), so a threshold "
    "tuned on it lands wherever the gap happens to be and transferred badly to the later-acquired test split "
    "(sensitivity 0.997, specificity 0.52). Here the temperature and the threshold are fitted on the validation "
    "set pooled with 3 perturbed copies of it (gamma, contrast, brightness, blur, noise, small affine), and the "
    "threshold keeps 96% sensitivity on that harder pool: a margin over the 0.93 sensitivity target while not "
    "sitting at the low end where every normal image with an unusual exposure would be called pneumonia.")
N_SHIFTED = 3  # perturbed copies of the validation set used for calibration and the threshold
NORM = {"scale": 1 / 255, "mean": [0.0], "std": [1.0]}  # the graph standardises each image itself

CARD = {
    "name": "Paediatric pneumonia, frontal chest X-ray",
    "intended_use": "Research: estimate the probability of radiographic pneumonia (bacterial or viral) on a frontal "
                    "chest X-ray of a child aged 1-5 years, as studied by Kermany et al.",
    "users": "Researchers and developers; not for clinicians making decisions.",
    "out_of_scope": "Diagnosis or triage of patients; adults (the adult NIH samples are outside the training "
                    "population, see OOD); lateral views; CT; other findings (effusion, cardiomegaly, TB, COVID-19); "
                    "distinguishing bacterial from viral pneumonia.",
    "data": "Kermany et al. chest X-ray set (Guangzhou Women and Children's Medical Center), official train split: "
            "5,216 images (1,341 normal, 3,875 pneumonia = 2,530 bacterial + 1,345 viral). Licence CC BY 4.0.",
    "citation": "Kermany D, Zhang K, Goldbaum M. Labeled OCT and Chest X-Ray Images for Classification. Mendeley Data "
                "v2, doi:10.17632/rscbjbr9sj.2; Kermany DS et al. Cell 172(5):1122-1131, 2018.",
    "changes": "The only obtainable copy had been resized by its publisher to 224x224 RGB JPEG (quality 75, aspect "
               "ratio squashed); converted to luminance and resized to 128x128 here. Byte-identical duplicates "
               "within patients kept (they stay on one side of the split). The official test split is held back "
               "by the product owner.",
    "splits": "Grouped by patient_id: 20% of patients (stratified by majority label, seed 0) form the validation "
              "set; bootstrap CIs resample patients.",
    "limitations": ["Paediatric (1-5 years), single centre: in-distribution validation overstates performance on new "
                    "data (trials: validation AUC 0.9997 vs 0.973 on the later-acquired test split).",
                    "Source images were 224x224 squashed JPEGs; fine detail is lost.",
                    "Labels are image-level and come from the release; no radiologist re-read here."],
}


def load():
    """images uint8 [N,128,128], labels [N], patient ids [N], subtype [N]."""
    def build():
        rows = list(csv.DictReader(open(data_path("chest_xray_kermany", "labels.csv"))))
        x = np.stack([load_gray(data_path("chest_xray_kermany", r["path"]), SIZE, SIZE)[0].round().clamp(0, 255)
                      .byte().numpy() for r in rows])
        return {"x": x, "y": np.array([int(r["label"] == "PNEUMONIA") for r in rows]),
                "g": np.array([r["patient_id"] for r in rows]), "sub": np.array([r["subtype"] for r in rows])}
    d = cached("kermany_train_128", build)
    return d["x"], d["y"], d["g"], d["sub"]


def split():
    x, y, g, sub = load()
    tr, va = group_split(g, y, VAL_FRAC, SEED)
    return x, y, g, sub, tr, va


def build_net():
    return SmallCNN(WIDTHS, stem_stride=2, standardize=True, dropout=0.3)


def aug(xb):
    return augment(xb, rot=10, scale=(0.85, 1.2), shift=0.08, gamma=(0.6, 1.6), contrast=(0.7, 1.4),
                   brightness=25, blur_p=0.35, noise=8)


def shifted_copies(x_u8, n=N_SHIFTED, seed=1):
    """Fixed perturbed copies of a uint8 set (the training augmentation, seeded) for robust calibration."""
    g = torch.random.get_rng_state()
    torch.manual_seed(seed)
    out = [aug(torch.from_numpy(x_u8).float()[:, None])[:, 0].round().byte().numpy() for _ in range(n)]
    torch.random.set_rng_state(g)
    return out


def calibration_set(x_va, y_va):
    """The validation set pooled with its perturbed copies: temperature and threshold are fitted on it."""
    shifted = shifted_copies(x_va)
    return np.concatenate([x_va] + shifted), np.concatenate([y_va] * (1 + len(shifted)))


SPEC = ImageClassifier(
    model_id=ID, card=CARD, labels=LABELS, size=SIZE, norm=NORM, seed=SEED, epochs=EPOCHS, target_sens=TARGET_SENS,
    split=split, build_net=build_net, fit=dict(aug=aug, batch=64, lr=2e-3, wd=5e-3, smoothing=0.15),
    counted=("images", "patients"), calibration_set=calibration_set,
    ood_method="class-conditional Mahalanobis distance (shared Ledoit-Wolf covariance) of the pooled penultimate "
               "features",
    calibration_method="temperature scaling on the patient-grouped validation set plus 3 perturbed copies of it, "
                       "baked into the logits",
    modalities=["CR", "DX"], body_parts=["chest"],
    license="Training data CC BY 4.0 (Kermany et al.); model weights: project licence",
    model_text=f"residual CNN widths {WIDTHS} at {SIZE}x{SIZE}, per-image standardisation, dropout 0.3",
    threshold_rule=f"highest threshold keeping sensitivity >= {TARGET_SENS} on the validation set pooled with "
                   f"{N_SHIFTED} perturbed copies (margin above the 0.93 target for the known shift)",
    ood_threshold_rule="99.5th percentile of the training images' distances (5-fold cross-fitted)")


def build_export_module():
    return SPEC.export_module()


if __name__ == "__main__":
    train_image_classifier(SPEC, trainer_arguments(ID, __doc__).parse_args().out)
