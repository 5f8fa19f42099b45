"""Heatmap plausibility of cxr-pneumonia: does the occlusion heatmap put its mass on the lungs?

Usage (from the repository root, after `cmake --build --preset native --target dxlens`):
  /usr/bin/python3 models/training/heatmap_plausibility.py            # write heatmap_plausibility.json + card section
  /usr/bin/python3 models/training/heatmap_plausibility.py --check    # recompute and compare, exit 1 on mismatch
  options: --dxlens PATH (default build/bin/dxlens), --grid N --patch N (other heatmap settings, printed only)

The Montgomery lung-mask set (../shared/data/lung_montgomery, or $DXLENS_DATA: 138 adult frontal chest X-rays
with both lung fields outlined) goes through the shipped pneumonia model with the native CLI,
`dxlens analyze --heatmap pneumonia --heatmap-out DIR`, which computes the heatmap with the same C++ code as the
app (src/core/inference/saliency.cpp: occlusion on the model input, the shipped grid) and writes it at the
image's pixels as the overlay draws it (interpolated between cells). For each image the model calls positive:
  mass inside = positive heatmap mass on lung pixels / positive heatmap mass on the whole image
  chance      = lung pixels / image pixels (what a map spread evenly, or placed at random, would score)
The figures are the means over those images, the ratio of the two means, and the share of images whose mass
inside exceeds their own chance level; 95% intervals by bootstrap over images (1000 resamples, seed 0).
The same figures over every image (the heatmap for "pneumonia" whatever the decision), and the figures for the
earlier 8 x 8 grid (2-cell patches), are given for context.
evaluate.py --check cxr-pneumonia re-derives the point figures through this script when the CLI is built.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from datasets import data_path, have_data  # noqa: E402
from model_package import REPO, model_dir, read_json, write_json  # noqa: E402

MODEL = "cxr-pneumonia"
LABEL = "pneumonia"
DATASET = "lung_montgomery"
TOLERANCE = 0.005
EARLIER = {"grid": 8, "patch": 2}  # the settings before the 16 x 16 grid, for comparison
RESULT = "heatmap_plausibility.json"
SECTION = "## Heatmap plausibility"
DEFAULT_DXLENS = os.path.join(REPO, "build", "bin", "dxlens")


def run_cli(dxlens, images, out_dir, grid=None, patch=None):
    cmd = [dxlens, "analyze", "--model", model_dir(MODEL), "--no-outputs", "--heatmap", LABEL,
           "--heatmap-out", out_dir]
    if grid:
        cmd += ["--heatmap-grid", str(grid)]
    if patch:
        cmd += ["--heatmap-patch", str(patch)]
    done = subprocess.run(cmd + images, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dxlens analyze failed ({done.returncode}): {done.stderr.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def is_positive(result):
    return any(f.get("label") == LABEL and f.get("positive") for f in result["findings"])


def summary(inside, chance, seed=0, n_boot=1000):
    inside, chance = np.asarray(inside), np.asarray(chance)
    n = len(inside)
    if n == 0:
        return {"n": 0}
    out = {"n": n, "mass_inside_lungs": float(inside.mean()), "chance": float(chance.mean()),
           "ratio": float(inside.mean() / chance.mean()),
           "share_above_chance": float(np.mean(inside > chance))}
    if n_boot:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(n_boot, n))
        boot = {"mass_inside_lungs": inside[idx].mean(1), "chance": chance[idx].mean(1),
                "ratio": inside[idx].mean(1) / chance[idx].mean(1),
                "share_above_chance": (inside[idx] > chance[idx]).mean(1)}
        out["ci95"] = {k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] for k, v in boot.items()}
    return out


def measure(dxlens, grid=None, patch=None, n_boot=1000):
    from PIL import Image
    rows = list(csv.DictReader(open(data_path(DATASET, "labels.csv"))))
    images = [data_path(DATASET, r["image"]) for r in rows]
    with tempfile.TemporaryDirectory(prefix="dxlens-heatmaps-") as tmp:
        results = run_cli(dxlens, images, tmp, grid, patch)
        if len(results) != len(rows):
            raise SystemExit(f"dxlens analyze printed {len(results)} results for {len(rows)} images")
        per_image, settings = [], None
        for row, image, r in zip(rows, images, results):
            h = r["heatmap"]
            settings = {"grid": h["grid"], "patch_cells": h["patch_cells"], "occluded_inputs": h["occluded_inputs"],
                        "backend_calls": h["backend_calls"]}
            stem = os.path.splitext(os.path.basename(image))[0]
            heat = np.fromfile(os.path.join(tmp, stem + ".heatmap.f32"), dtype="<f4").reshape(h["height"], h["width"])
            mask = np.asarray(Image.open(data_path(DATASET, row["mask"])).convert("L")) > 127
            if mask.shape != heat.shape:
                raise SystemExit(f"{row['mask']}: {mask.shape} does not match the image's {heat.shape}")
            mass = np.clip(heat, 0, None)
            total = float(mass.sum())
            per_image.append({"image": row["image"], "tb": row["tb_label"], "positive": is_positive(r),
                              "p": next(f["score"] for f in r["findings"] if f["label"] == LABEL),
                              "inside": float(mass[mask].sum()) / total if total > 0 else 0.0,
                              "chance": float(mask.mean()), "empty": total <= 0})
    pos = [x for x in per_image if x["positive"] and not x["empty"]]
    every = [x for x in per_image if not x["empty"]]
    return {
        "dataset": DATASET,
        "images": len(rows),
        "label": LABEL,
        "heatmap": settings,
        "positive_images": len([x for x in per_image if x["positive"]]),
        "empty_heatmaps": len([x for x in per_image if x["empty"]]),
        "positive": summary([x["inside"] for x in pos], [x["chance"] for x in pos], n_boot=n_boot),
        "all_images": summary([x["inside"] for x in every], [x["chance"] for x in every], n_boot=n_boot),
    }


def pct(x):
    return f"{100 * x:.1f}%"


def with_ci(s, key, f):
    ci = s.get("ci95", {}).get(key)
    return f"{f(s[key])} ({f(ci[0])}-{f(ci[1])})" if ci else f(s[key])


def card_section(result):
    """The model card's heatmap section (markdown lines), from heatmap_plausibility.json's contents."""
    h, p, a = result["heatmap"], result["positive"], result["all_images"]
    lines = [SECTION,
             f"The app's \"where the model looked\" heatmap is occlusion sensitivity computed on the device "
             f"(src/core/inference/saliency.h): {h['grid']} x {h['grid']} cells over the {MODEL} input, patches of "
             f"{h['patch_cells']} x {h['patch_cells']} cells moved one cell at a time ({h['occluded_inputs']} "
             f"occluded inputs in {h['backend_calls']} batched model calls), each cell credited with the mean drop "
             f"of log p({LABEL}) of the patches covering it; shown interpolated between cell centres.", "",
             f"Plausibility on the Montgomery lung-mask set ({result['dataset']}, {result['images']} images), adult frontal chest X-rays outside the paediatric training "
             f"population: of the heatmap's positive mass, the share on the outlined lung fields, against the "
             f"lungs' share of the image (what a map spread at random would score).", ""]
    if p["n"]:
        lines += [f"- Images the model calls positive for {LABEL}: **{p['n']}** of {result['images']}; mass on the lungs **{with_ci(p, 'mass_inside_lungs', pct)}** "
                  f"vs chance {with_ci(p, 'chance', pct)}: **{with_ci(p, 'ratio', lambda x: f'{x:.2f}x')}** chance; "
                  f"above its own chance level in {with_ci(p, 'share_above_chance', pct)} of them."]
        lo, hi = p.get("ci95", {}).get("ratio", [p["ratio"], p["ratio"]])
        verdict = ("more than" if lo > 1 else "less than" if hi < 1 else "no more than")
        lines += [f"- Reading: on these images the heatmap puts {verdict} a random map's share of its mass on the "
                  "lungs" + (": it does not show that the model's evidence lies in the lung fields, and a clinician "
                             "should not read it as if it did." if lo <= 1 else ".")]
    else:
        lines += [f"- The model calls none of these images positive for {LABEL}; no figure for positives."]
    lines += [f"- All {a['n']} images (heatmap for {LABEL} whatever the decision), for context: mass on the lungs "
              f"{with_ci(a, 'mass_inside_lungs', pct)} vs chance {with_ci(a, 'chance', pct)} "
              f"({with_ci(a, 'ratio', lambda x: f'{x:.2f}x')})."]
    e = result.get("earlier_settings")
    if e and e["positive"]["n"]:
        eh, ep, ea = e["heatmap"], e["positive"], e["all_images"]
        lines += [f"- The earlier {eh['grid']} x {eh['grid']} map (patches {eh['patch_cells']} cells, "
                  f"{eh['patch_cells'] / eh['grid']:.0%} of the input's width against {h['patch_cells'] / h['grid']:.0%} "
                  f"now; {eh['occluded_inputs']} occluded inputs) on the same images: positives "
                  f"{with_ci(ep, 'mass_inside_lungs', pct)} on the lungs, "
                  f"{with_ci(ep, 'ratio', lambda x: f'{x:.2f}x')} chance; all images "
                  f"{with_ci(ea, 'ratio', lambda x: f'{x:.2f}x')}."
                  + (" Hiding larger patches moves this model's score more where the lungs are; the finer map "
                     "resolves more but concentrates less on them." if ep["ratio"] > p["ratio"] else "")]
    if result["empty_heatmaps"]:
        lines += [f"- {result['empty_heatmaps']} image(s) had no positive heatmap mass (no occlusion lowered the "
                  "score) and are left out."]
    lines += ["", "Mass on the lungs says the model's evidence lies where pneumonia would be, not that it is correct; "
              "95% intervals are bootstrap over images (1000 resamples). Reproduce: "
              "`/usr/bin/python3 models/training/heatmap_plausibility.py` (needs build/bin/dxlens); "
              "`evaluate.py --check cxr-pneumonia` re-derives it.", ""]
    return lines


def write_card_section(result):
    """Puts the section into MODEL_CARD.md in place (replacing an earlier one), before ## Limitations."""
    path = model_dir(MODEL, "MODEL_CARD.md")
    lines = open(path).read().split("\n")
    if SECTION in lines:
        start = lines.index(SECTION)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        del lines[start:end]
    at = lines.index("## Limitations") if "## Limitations" in lines else len(lines)
    lines[at:at] = card_section(result)
    with open(path, "w") as f:
        f.write("\n".join(lines))


def stored():
    path = model_dir(MODEL, RESULT)
    return read_json(path) if os.path.exists(path) else None


def check(dxlens=DEFAULT_DXLENS):
    """Recomputes the point figures and compares them with the stored ones; True when they agree."""
    if not have_data(DATASET):
        print(f"{MODEL} heatmap plausibility: SKIPPED - {DATASET} not found under {data_path()}")
        return True
    if not os.access(dxlens, os.X_OK):
        print(f"{MODEL} heatmap plausibility: SKIPPED - no native CLI at {dxlens} "
              "(cmake --build --preset native --target dxlens)")
        return True
    old = stored()
    if old is None:
        print(f"  MISSING {MODEL}: {RESULT} (run models/training/heatmap_plausibility.py)")
        return False
    bad = []
    runs = [("", measure(dxlens, n_boot=0), old)]
    if "earlier_settings" in old:
        runs.append(("earlier_settings.", measure(dxlens, EARLIER["grid"], EARLIER["patch"], n_boot=0),
                     old["earlier_settings"]))
    for prefix, fresh, stored_run in runs:
        for group in ("positive", "all_images"):
            for k in ("n", "mass_inside_lungs", "chance", "ratio", "share_above_chance"):
                a, b = fresh[group].get(k), stored_run[group].get(k)
                if a is None and b is None:
                    continue
                if a is None or b is None or abs(a - b) > TOLERANCE:
                    bad.append(f"{prefix}{group}.{k} recomputed {a} vs stored {b}")
        if fresh["heatmap"] != stored_run["heatmap"]:
            bad.append(f"{prefix}heatmap settings {fresh['heatmap']} vs stored {stored_run['heatmap']}")
    fresh = runs[0][1]
    for b in bad:
        print(f"  MISMATCH {MODEL} heatmap plausibility: {b}")
    print(f"{MODEL} heatmap plausibility: " + ("agrees" if not bad else "FAIL") +
          f" (positives {fresh['positive']['n']}, ratio {fresh['positive'].get('ratio', float('nan')):.3f})")
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dxlens", default=DEFAULT_DXLENS)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--grid", type=int)
    ap.add_argument("--patch", type=int)
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.dxlens) else 1)
    if not have_data(DATASET):
        raise SystemExit(f"{DATASET} not found under {data_path()} (set DXLENS_DATA)")
    result = measure(args.dxlens, args.grid, args.patch)
    if args.grid or args.patch:
        print(json.dumps(result, indent=1))
        return  # other settings than the app's: printed, not stored
    earlier = measure(args.dxlens, EARLIER["grid"], EARLIER["patch"])
    result["earlier_settings"] = {k: earlier[k] for k in ("heatmap", "positive", "all_images")}
    print(json.dumps(result, indent=1))
    write_json(model_dir(MODEL, RESULT), result)
    write_card_section(result)


if __name__ == "__main__":
    main()
