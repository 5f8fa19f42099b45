#!/usr/bin/env bash
# dicom_results_test.sh DXLENS WORKDIR — `dxlens analyze --dicom-out` checked by other people's DICOM tools,
# registered with CTest next to analyze_test.sh (tests/CMakeLists.txt).
#
# The shipped cxr-pneumonia (classification) and cxr-lung-seg (segmentation) models analyze real DICOM files
# (pydicom's CT_small.dcm and MR_small.dcm: a CT with a Frame of Reference and plane geometry, an MR) and the NIH
# chest X-ray PNG sample, writing <stem>.sr.dcm and, for the segmentation, <stem>.seg.dcm. Then:
#   dciodvfy (dicom3tools)  prints no "Error" line for any SR or SEG (its warnings are kept in the log: see below)
#   dsrdump (dcmtk)         reads every SR's content tree, TID 1500's root concept included
#   pydicom                 reads both; the SR's probabilities and OOD score equal the JSON line's, the decision
#                           follows the threshold, the image reference is the source's SOP instance, the SEG's
#                           frame equals --mask-out's PNG pixel for pixel, masked files carry no patient name/ID
#                           and --identifiers copies them
# Exit 77 marks a skip (onnxruntime-node, dciodvfy, dsrdump or pydicom missing); anything else non-zero fails.
set -uo pipefail
dxlens=$1 work=$2/dicom-results
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
export LSAN_OPTIONS="suppressions=$here/lsan_onnxruntime.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
rm -rf "$work" && mkdir -p "$work"

[[ -f "$repo/node_modules/onnxruntime-node/package.json" ]] || { echo "skip: onnxruntime-node not installed"; exit 77; }
for tool in dciodvfy dsrdump; do
    command -v $tool >/dev/null || { echo "skip: $tool not installed (tests/apt-packages.txt)"; exit 77; }
done
pydicom_files=$($py -c 'import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files"))' 2>/dev/null) ||
    { echo "skip: python3-pydicom not installed"; exit 77; }
inputs=("$pydicom_files/CT_small.dcm" "$pydicom_files/MR_small.dcm")
sample="$repo/../shared/data/samples/nih_cxr14_00000001_000.png"
[[ -f $sample ]] || sample="$repo/models/cxr-pneumonia/reference/input.png"
inputs+=("$sample")
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

for id in cxr-pneumonia cxr-lung-seg; do
    out="$work/$id"
    if ! "$dxlens" analyze --model "$repo/models/$id" --no-outputs --dicom-out "$out" --mask-out "$out/masks" \
        "${inputs[@]}" >"$out.jsonl" 2>"$out.err"; then
        fail "$id: dxlens analyze --dicom-out: $(cat "$out.err")"
        continue
    fi
    # Identifiers copied on request, into a folder of their own.
    "$dxlens" analyze --model "$repo/models/$id" --no-outputs --dicom-out "$out-identified" --identifiers \
        "${inputs[0]}" >/dev/null 2>"$out.err" || fail "$id: --identifiers: $(cat "$out.err")"
    for f in "$out"/*.dcm "$out-identified"/*.dcm; do
        # dciodvfy: errors fail the test. Two warnings are expected and filtered: "needed to build DICOMDIR"
        # for the Type 2 patient/study attributes a masked export leaves empty (Patient ID, Study Date/Time/ID),
        # and "Unrecognized defined term <99DXLENS>" for DxLens's private coding scheme (declared in the Coding
        # Scheme Identification Sequence; PS3.16 has no codes for a model's probability, threshold or OOD
        # check). Any other warning is printed, once per file, so that a new one is seen.
        dciodvfy "$f" >"$f.dciodvfy" 2>&1
        if grep -q '^Error' "$f.dciodvfy"; then
            fail "dciodvfy $(basename "$f"):"
            grep '^Error' "$f.dciodvfy" | sort | uniq -c | head -20
        fi
        grep '^Warning' "$f.dciodvfy" | grep -v 'needed to build DICOMDIR\|Unrecognized defined term <99DXLENS>' |
            sort -u | sed "s|^|  dciodvfy $(basename "$f"): |"
    done
    for f in "$out"/*.sr.dcm "$out-identified"/*.sr.dcm; do
        if ! dsrdump "$f" >"$f.dsrdump" 2>&1 || ! grep -q 'Imaging Measurement Report' "$f.dsrdump"; then
            fail "dsrdump $(basename "$f"): $(head -5 "$f.dsrdump")"
        fi
    done
    $py - "$id" "$out.jsonl" "$out" "$out-identified" "${inputs[@]}" <<'PYEOF' || failures=$((failures + 1))
import json, os, sys
import numpy as np
import pydicom
from PIL import Image

model, results, out, identified, inputs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL", model, what)
        ok = False

def meaning(item):
    return item.ConceptNameCodeSequence[0].CodeMeaning if "ConceptNameCodeSequence" in item else ""

def walk(items):
    for item in items:
        yield item
        if "ContentSequence" in item:
            yield from walk(item.ContentSequence)

lines = [json.loads(line) for line in open(results)]
check(len(lines) == len(inputs), "one JSON line per input")
for path, r in zip(inputs, lines):
    stem = os.path.splitext(os.path.basename(path))[0]
    sr = pydicom.dcmread(os.path.join(out, stem + ".sr.dcm"))
    check(sr.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33", stem + ": Comprehensive SR")
    check(sr.ContentTemplateSequence[0].TemplateIdentifier == "1500", stem + ": TID 1500")
    source = pydicom.dcmread(path) if path.endswith(".dcm") else None
    if source is not None:
        check(sr.StudyInstanceUID == source.StudyInstanceUID, stem + ": filed in the source's study")
        check(sr.SeriesInstanceUID != source.SeriesInstanceUID, stem + ": a new series")
        refs = [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for i in walk(sr.ContentSequence)
                if i.ValueType == "IMAGE"]
        check(refs == [source.SOPInstanceUID], stem + ": image library references the source instance")
        check(str(sr.PatientName) == "" and sr.PatientID == "", stem + ": masked by default")
    # Findings: the probability per finding, the decision, the OOD score.
    probabilities, decisions, ood = {}, {}, None
    for group in walk(sr.ContentSequence):
        if meaning(group) != "Measurement Group":
            continue
        finding = None
        for child in group.ContentSequence:
            m = meaning(child)
            if m == "Finding":
                finding = child.ConceptCodeSequence[0].CodeMeaning.lower()
            elif m == "Probability":
                probabilities[finding] = child.MeasuredValueSequence[0]
            elif m == "Decision at the model's threshold":
                decisions[finding] = child.ConceptCodeSequence[0].CodeMeaning
            elif m == "Out-of-distribution score":
                ood = child.MeasuredValueSequence[0]
    check(len(probabilities) == len(r["findings"]), stem + ": one probability per finding")
    for f in r["findings"]:
        v = probabilities.get(f["label"].lower())
        check(v is not None and float(v.NumericValue) == f["score"],
              "%s: %s probability %s in the SR, %s in the JSON" % (stem, f["label"], v and v.NumericValue, f["score"]))
        check(v is not None and np.float32(v.FloatingPointValue) == np.float32(f["score"]), stem + ": exact value")
        if f.get("threshold") is not None:
            check(decisions.get(f["label"].lower()) == ("Present" if f["score"] >= f["threshold"] else "Absent"),
                  stem + ": decision at the threshold")
    check(ood is not None and float(ood.NumericValue) == r["ood"]["score"], stem + ": OOD score")
    texts = [i.TextValue for i in walk(sr.ContentSequence) if i.ValueType == "TEXT"]
    check("Research use only \u2014 not a medical device." in texts, stem + ": research-use notice")
    check(any(t.startswith("model file sha256 ") and len(t) == 18 + 64 for t in texts), stem + ": model sha256")
    seg_path = os.path.join(out, stem + ".seg.dcm")
    if model != "cxr-lung-seg":
        check(not os.path.exists(seg_path), stem + ": no SEG for a classifier")
        continue
    seg = pydicom.dcmread(seg_path)
    check(seg.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4", stem + ": Segmentation")
    check(seg.SegmentSequence[0].SegmentAlgorithmType == "AUTOMATIC", stem + ": AUTOMATIC")
    check(seg.SegmentSequence[0].SegmentLabel == "lung", stem + ": one segment, lung")
    frame = seg.pixel_array
    mask = np.asarray(Image.open(os.path.join(out, "masks", stem + ".png")))
    check(frame.shape == mask.shape, stem + ": SEG frame %s, mask %s" % (frame.shape, mask.shape))
    check(frame.shape == mask.shape and np.array_equal(frame.astype(bool), mask > 0), stem + ": SEG equals the mask")
    if source is not None:
        check((seg.Rows, seg.Columns) == (source.Rows, source.Columns), stem + ": at the source's size")
        ref = seg.SharedFunctionalGroupsSequence[0].DerivationImageSequence[0].SourceImageSequence[0]
        check(ref.ReferencedSOPInstanceUID == source.SOPInstanceUID, stem + ": derived from the source")
        check(seg.ReferencedSeriesSequence[0].SeriesInstanceUID == source.SeriesInstanceUID, stem + ": source series")
# --identifiers: the CT's patient name and ID are copied.
source = pydicom.dcmread(inputs[0])
stem = os.path.splitext(os.path.basename(inputs[0]))[0]
for kind in ["sr"] + (["seg"] if model == "cxr-lung-seg" else []):
    d = pydicom.dcmread(os.path.join(identified, stem + "." + kind + ".dcm"))
    check(d.PatientName == source.PatientName and d.PatientID == source.PatientID, kind + ": --identifiers copies")
sys.exit(0 if ok else 1)
PYEOF
done
if ((failures)); then
    echo "$failures failure(s); files in $work"
    exit 1
fi
echo "dicom results: SR and SEG pass dciodvfy, dsrdump and pydicom"
