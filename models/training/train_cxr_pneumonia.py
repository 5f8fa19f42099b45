"""Train models/cxr-pneumonia: normal vs pneumonia on paediatric frontal chest X-rays (128x128 grey), an
ensemble of 3 small residual CNNs shipped as one graph.

Usage:  nice -n 19 /usr/bin/python3 models/training/train_cxr_pneumonia.py [--out DIR]
Then:   /usr/bin/python3 models/training/evaluate.py cxr-pneumonia   (metrics + MODEL_CARD.md)

Data: ../shared/data/chest_xray_kermany (official train split), 20% of patients for validation
(grouped by patient_id, stratified by the patient's majority label), never seen by any member. The other 80%
is cut into 3 patient-grouped cross-validation folds; member k trains on the patients outside fold k, so every
training patient is scored once by a member that never saw it. Temperature and threshold are fitted on those
out-of-fold scores (and on perturbed copies of the images: the "shifted" pool), i.e. across folds.
Designed for the known shift to the official test split (validation AUC 0.995 fell to 0.959 there for the
single model this replaces): an ensemble of independently trained members ranks more robustly under dataset
shift than any one of them; per-image intensity standardisation inside the graph; strong but anatomically
sensible augmentation (gamma/contrast/brightness, blur, noise, rotation +-10 deg, scale and shift = random
crops; no flips), dropout, weight decay, label smoothing 0.15, class-weighted loss. The graph outputs the
members' mean logits, temperature-scaled, and a class-conditional Mahalanobis OOD distance of the members'
concatenated pooled features.
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
WIDTHS = [16, 24, 40, 80, 112]
# Three members: the occlusion heatmap runs the whole graph 196 times, and it must stay within 2 s on one WASM
# thread; three members of this width cost ~2.1x the former single [16, 24, 48, 96, 192] network.
MEMBERS = 3
EPOCHS = int(os.environ.get("DXLENS_EPOCHS", "16"))  # override only for smoke tests
SEED = 0
VAL_FRAC = 0.2
TARGET_SENS = 0.96
THRESHOLD_NOTE = (
    "Trials showed the clean patient-grouped validation set is nearly separable (AUC ~0.9997), so a threshold "
    "tuned on it lands wherever the gap happens to be and transferred badly to the later-acquired test split "
    "(sensitivity 0.997, specificity 0.52). Here the temperature and the threshold are fitted on the members' "
    "out-of-fold scores of the training patients pooled with 3 perturbed copies of those images (gamma, contrast, "
    "brightness, blur, noise, small affine), and the threshold keeps 96% sensitivity on that harder pool: a margin "
    "over the 0.93 sensitivity target while not sitting at the low end where every normal image with an unusual "
    "exposure would be called pneumonia. This policy met the accuracy and sensitivity goals on the held-back test "
    "split with the single model; it is kept, now fitted on data the validation split does not share.")
N_SHIFTED = 3  # perturbed copies of the out-of-fold images used for calibration and the threshold
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
              "set, seen by no ensemble member; the other 80% form 3 patient-grouped cross-validation folds (member k "
              "trains outside fold k); bootstrap CIs resample patients.",
    "limitations": ["Paediatric (1-5 years), single centre: in-distribution validation overstates performance on new "
                    "data (the single model this ensemble replaces: validation AUC 0.995, 0.959 on the later-acquired "
                    "test split the product owner holds back).",
                    "The simulated acquisition shifts below barely move either model's AUC, so they do not reproduce "
                    "what made the test split harder; the ensemble is expected to rank better there because "
                    "independently trained members err on different images, not because a shift here showed it.",
                    "Its out-of-distribution gate is weaker than the single model's on upsampled malaria-cell crops "
                    "(see the OOD section): confirm the image is a paediatric frontal chest X-ray.",
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
    """One ensemble member."""
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
    """Held-out images pooled with their perturbed copies: temperature and threshold are fitted on it."""
    shifted = shifted_copies(x_va)
    return np.concatenate([x_va] + shifted), np.concatenate([y_va] * (1 + len(shifted)))


SPEC = ImageClassifier(
    model_id=ID, card=CARD, labels=LABELS, size=SIZE, norm=NORM, seed=SEED, epochs=EPOCHS, target_sens=TARGET_SENS,
    split=split, build_net=build_net, fit=dict(aug=aug, batch=64, lr=2e-3, wd=5e-3, smoothing=0.15),
    counted=("images", "patients"), calibration_set=calibration_set,
    calibration_method="temperature scaling on the ensemble members' out-of-fold logits (3 patient-grouped folds "
                       "of the training patients) plus 3 perturbed copies of those images, baked into the logits",
    modalities=["CR", "DX"], body_parts=["chest"],
    license="Training data CC BY 4.0 (Kermany et al.); model weights: project licence",
    model_text=f"ensemble of {MEMBERS} residual CNNs (widths {WIDTHS}) at {SIZE}x{SIZE}, mean of their logits, "
               "per-image standardisation, dropout 0.3",
    threshold_rule=f"highest threshold keeping sensitivity >= {TARGET_SENS} on the out-of-fold scores of the training "
                   f"patients pooled with {N_SHIFTED} perturbed copies (margin above the 0.93 target for the known shift)",
    members=MEMBERS,
    ood_method="mean over the 3 members of each member's class-conditional Mahalanobis distance (shared Ledoit-Wolf "
               "covariance) of its pooled penultimate features",
    ood_threshold_rule="99.5th percentile of the training images' distances (5-fold cross-fitted). In trials one gate "
                       "over all 336 concatenated features, its threshold taken from augmented copies of the training "
                       "images, rejected only 60% of the malaria crops; the members' own gates with the clean images' "
                       "threshold reject 97.5% of them (the single network this ensemble replaces: 100%)")


def build_export_module():
    return SPEC.export_module()


if __name__ == "__main__":
    train_image_classifier(SPEC, trainer_arguments(ID, __doc__).parse_args().out)
