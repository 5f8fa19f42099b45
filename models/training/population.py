"""Each shipped model's intended population and its Simplified Chinese texts: the manifest's "population" and
"zh-Hans" blocks (schema in models/README.md) and the card's "Intended population" section.

The trainers put manifest_blocks(ID) into the manifest they write (with_blocks), so a retrain reproduces them;
evaluate.py renders card_section(manifest) into MODEL_CARD.md. Standard library only, so the shipped packages
can be refreshed without torch and without touching model.onnx or anything else in them:
    /usr/bin/python3 models/training/population.py        # rewrites those blocks and card sections in place
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_package import model_dir, read_json, write_json  # noqa: E402

POPULATION = {
    "cxr-pneumonia": {
        "description": "children aged 1-5 years; frontal (PA/AP) chest X-ray, CR/DX",
        "age_years": {"min": 1, "max": 5},
        "views": ["PA", "AP"],
    },
    "cxr-lung-seg": {
        "description": "adults aged 18 years and over; frontal (PA/AP) chest X-ray, CR/DX",
        "age_years": {"min": 18},
        "views": ["PA", "AP"],
    },
    "malaria-cell": {
        "description": "single red-blood-cell crops from Giemsa-stained thin blood smears (light microscopy), "
                       "patients of any age",
    },
    "breast-fna": {
        "description": "breast masses sampled by fine-needle aspiration whose 30 nuclear features were measured "
                       "with the Wisconsin Diagnostic Breast Cancer protocol",
    },
}

# Where each population comes from: the training data as its publishers describe it.
BASIS = {
    "cxr-pneumonia": "Kermany et al. (Cell 2018) describe the set as anterior-posterior chest X-rays of paediatric "
                     "patients aged one to five years from Guangzhou Women and Children's Medical Center; the staged "
                     "copy carries no per-image ages. Adults, lateral views, CT and other modalities are outside it.",
    "cxr-lung-seg": "The Montgomery County set is released as adult frontal (PA) chest radiographs of a tuberculosis "
                    "screening programme; the staged copy (256x256 PNG) carries no per-image ages, so the lower bound "
                    "is the data's own description as adult radiographs, 18 years. Children's chests (smaller, "
                    "differently shaped lung fields) are outside it.",
    "malaria-cell": "NLM's release holds 50x50 crops of single red blood cells segmented from Giemsa-stained thin "
                    "blood smear photographs (Chittagong Medical College Hospital); it records no patient ages and a "
                    "thin-smear cell crop is the same object at any age, so no age range is declared. Whole slides, "
                    "thick smears, other stains and any radiograph are outside it.",
    "breast-fna": "WDBC's 569 cases are breast masses from the University of Wisconsin Hospitals; the data set records "
                  "no ages or other patient attributes, only the 30 features measured on the aspirate's image.",
}

ZH_HANS = {
    "cxr-pneumonia": {
        "name": "儿童肺炎，正位胸部X线片",
        "intended_use": "研究用途：估计1-5岁儿童正位胸部X线片上影像学肺炎（细菌性或病毒性）的概率，研究对象同Kermany等人的研究。",
        "population": "1-5岁儿童；正位（后前位/前后位）胸部X线片，CR/DX",
        "labels": {"normal": "正常", "pneumonia": "肺炎"},
    },
    "cxr-lung-seg": {
        "name": "肺野分割，正位胸部X线片",
        "intended_use": "研究用途：在正位（后前位/前后位）胸部X线片上勾画双侧肺野，例如用于测量肺面积或将其他分析限制在肺内。",
        "population": "18岁及以上成人；正位（后前位/前后位）胸部X线片，CR/DX",
        "labels": {"background": "背景", "lung": "肺"},
    },
    "malaria-cell": {
        "name": "疟疾：红细胞寄生与未感染（薄血涂片细胞图）",
        "intended_use": "研究用途：对从吉姆萨染色薄血涂片照片（光学显微镜）中分割出的单个红细胞图像进行疟原虫感染评分，作为研究中的第二阅片者。",
        "population": "吉姆萨染色薄血涂片中的单个红细胞图像（光学显微镜），任何年龄的患者",
        "labels": {"uninfected": "未感染", "parasitized": "寄生"},
    },
    "breast-fna": {
        "name": "乳腺细针穿刺细胞学（WDBC特征）：良性与恶性",
        "intended_use": "研究与教学用途：根据威斯康星诊断性乳腺癌方案的30项细胞核特征，估计乳腺细针穿刺标本为恶性的概率；特征须由使用同一方案测量的用户输入。",
        "population": "经细针穿刺取样、并按威斯康星诊断性乳腺癌方案测量30项细胞核特征的乳腺肿块",
        "labels": {"benign": "良性", "malignant": "恶性"},
    },
}

SECTION = "## Intended population"


def manifest_blocks(model_id):
    """manifest.json's "population" and "zh-Hans" blocks for a shipped model."""
    return {"population": POPULATION[model_id], "zh-Hans": ZH_HANS[model_id]}


def with_blocks(manifest, model_id):
    """The manifest with its population and zh-Hans blocks right after "body_parts" (replacing older ones)."""
    out = {}
    for key, value in manifest.items():
        if key in ("population", "zh-Hans"):
            continue
        out[key] = value
        if key == "body_parts":
            out.update(manifest_blocks(model_id))
    if "population" not in out:
        out.update(manifest_blocks(model_id))
    return out


def _listed(values):
    return ", ".join(values) if values else "any"


def card_section(manifest):
    """The card's "Intended population" section (lines), from the manifest's blocks."""
    p = manifest["population"]
    age = p.get("age_years")
    if age is None:
        age_text = "not restricted (no age range declared)"
    elif "max" not in age:
        age_text = f"{age['min']} years and over"
    elif "min" not in age:
        age_text = f"up to {age['max']} years (whole years, inclusive)"
    else:
        age_text = f"{age['min']} to {age['max']} years (whole years, inclusive: {age['max']} years and 11 months is in)"
    tabular = manifest["task"] == "tabular"
    lines = [SECTION, p["description"][0].upper() + p["description"][1:] + ".", "",
             f"- Age: {age_text}",
             f"- View Position: {_listed(p.get('views', []))}; modality: {_listed(manifest.get('modalities', []))}; "
             f"body part: {_listed(manifest.get('body_parts', []))}",
             f"- Basis: {BASIS[manifest['id']]}", ""]
    if tabular:
        how = ("every result carries `population` (`in` | `out` | `unverified` with a reason). The 30 features say "
               "nothing about the patient, so a result is `unverified` until the user confirms the case is in this "
               "population (`dxlens analyze --population in`); the result then reads \"population confirmed by the "
               "user\".")
    else:
        decided = ["Modality (0008,0060)"]
        if age:
            decided.insert(0, "age (Patient's Age (0010,1010), or Patient's Birth Date with the Study Date)")
        how = ("every result carries `population` (`in` | `out` | `unverified` with a reason in clinician words). "
               "From a DICOM header: any stated attribute outside the population above — age, View Position "
               "(0018,5101), Body Part Examined (0018,0015), Modality (0008,0060) — makes the result `out` (the "
               "findings panel lists it apart, without a finding); it is `in` when the header states "
               + " and ".join(decided) + " inside it. A PNG or JPEG, or a DICOM that does not state "
               + ("the age" if age else "the modality") + ", is `unverified`: the app shows the finding only after "
               "the user confirms the population for that study (one click, remembered for the study, written into "
               "reports as \"population confirmed by the user\"); `dxlens analyze --population in` and the page's "
               "and embed API's `{ population: 'in' }` do the same. No image-based population check is shipped: "
               "the out-of-distribution gate below is not one (for cxr-pneumonia it flagged 75% of Montgomery's "
               "adult X-rays but only 13% of another hospital's, product owner's measurement).")
    return lines + ["How it is checked: " + how, ""]


def replace_card_section(text, lines):
    """MODEL_CARD.md text with its population section replaced, or inserted before "## Out of scope"."""
    rows = text.split("\n")
    if SECTION in rows:
        start = rows.index(SECTION)
        end = next((i for i in range(start + 1, len(rows)) if rows[i].startswith("## ")), len(rows))
        rows[start:end] = lines
    else:
        at = rows.index("## Out of scope")
        rows[at:at] = lines
    return "\n".join(rows)


def main():
    for model_id in POPULATION:
        path = model_dir(model_id, "manifest.json")
        manifest = with_blocks(read_json(path), model_id)
        write_json(path, manifest)
        card = model_dir(model_id, "MODEL_CARD.md")
        with open(card) as f:
            text = f.read()
        with open(card, "w") as f:
            f.write(replace_card_section(text, card_section(manifest)))
        print(f"{model_id}: population and zh-Hans blocks, card section written")


if __name__ == "__main__":
    main()
