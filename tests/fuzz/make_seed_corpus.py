#!/usr/bin/python3
"""make_seed_corpus.py — writes the small seed corpus of the fuzzers and of the bad-input test.

How to use:  /usr/bin/python3 tests/fuzz/make_seed_corpus.py tests/fuzz/corpus
Every file is made here by hand (a few hundred bytes each), so the repository holds no third-party data:
tests/fuzz/corpus/dicom/  tiny DICOM files in each transfer syntax DxLens decodes, plus sequences and palettes
tests/fuzz/corpus/raster/ tiny PNG (grey, RGBA, palette, 16-bit), JPEG, BMP, GIF and TGA images (Pillow)
tests/fuzz/corpus/jpeg/   tiny JPEG extended (12-bit, 4:2:0 with restart markers) and lossless codestreams made
                          from synthetic pixels by dcmcjpeg (Debian dcmtk) and cjpeg (libjpeg-turbo-progs)
tests/fuzz/corpus/codestream/ bare JPEG-LS and JPEG 2000 codestreams behind the 6-byte header that
                          codestream_fuzzer.cpp reads (codec, samples, bytes per sample, columns, rows)
tests/fuzz/corpus/multipart/ DICOMweb answers as multipart_fuzzer.cpp reads them (Content-Type line, then the
                          body): Orthanc's frames answer, quoted boundaries, a preamble, bare LF, a series of
                          DICOM files, a single-part answer
JPEG-LS streams come from DCMTK's dcmcjpls (Debian dcmtk), JPEG 2000 ones from Pillow (Debian libopenjp2).
"""
import io
import os
import struct
import sys
import zlib


def element(tag, vr, value, explicit=True, big=False):
    end = ">" if big else "<"
    group, elem = tag >> 16, tag & 0xffff
    if len(value) % 2:
        value += b"\0" if vr in (b"UI", b"OB") else b" "
    head = struct.pack(end + "HH", group, elem)
    if not explicit:
        return head + struct.pack(end + "I", len(value)) + value
    if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT"):
        return head + vr + b"\0\0" + struct.pack(end + "I", len(value)) + value
    return head + vr + struct.pack(end + "H", len(value)) + value


def us(v, big=False):
    return struct.pack(">H" if big else "<H", v)


def pixel_module(rows, cols, bits, spp=1, photometric=b"MONOCHROME2", explicit=True, big=False, extra=()):
    e = lambda t, vr, v: element(t, vr, v, explicit, big)
    out = e(0x00080060, b"CS", b"OT")
    out += e(0x00280002, b"US", us(spp, big)) + e(0x00280004, b"CS", photometric)
    for t, vr, v in extra:
        out += e(t, vr, v)
    out += e(0x00280010, b"US", us(rows, big)) + e(0x00280011, b"US", us(cols, big))
    out += e(0x00280100, b"US", us(bits, big)) + e(0x00280101, b"US", us(bits, big))
    out += e(0x00280102, b"US", us(bits - 1, big)) + e(0x00280103, b"US", us(0, big))
    return out


def part10(ts, dataset):
    ts = ts.encode()
    return b"\0" * 128 + b"DICM" + element(0x00020010, b"UI", ts) + dataset


def encapsulated(frames):
    items = struct.pack("<HHI", 0xfffe, 0xe000, 0)
    for f in frames:
        if len(f) % 2:
            f += b"\0"
        items += struct.pack("<HHI", 0xfffe, 0xe000, len(f)) + f
    items += struct.pack("<HHI", 0xfffe, 0xe0dd, 0)
    return struct.pack("<HH", 0x7fe0, 0x0010) + b"OB\0\0" + struct.pack("<I", 0xffffffff) + items


def rle_frame(planes):
    segments = []
    for plane in planes:
        seg = b""
        for i in range(0, len(plane), 128):
            chunk = plane[i:i + 128]
            seg += bytes([len(chunk) - 1]) + chunk
        segments.append(seg)
    header = struct.pack("<I", len(segments))
    offset = 64
    offsets = []
    for s in segments:
        offsets.append(offset)
        offset += len(s)
    header += b"".join(struct.pack("<I", o) for o in offsets) + b"\0" * (60 - 4 * len(offsets))
    return header + b"".join(segments)


def jpeg_ls_codestream(rows, cols, bits, spp, samples, extra_args=()):
    """A JPEG-LS codestream made by dcmcjpls from a native DICOM file written here; None without dcmtk."""
    import shutil
    import subprocess
    import tempfile
    if not shutil.which("dcmcjpls"):
        return None
    photometric = b"RGB" if spp == 3 else b"MONOCHROME2"
    native = part10("1.2.840.10008.1.2.1", pixel_module(rows, cols, bits, spp, photometric, extra=[
        (0x00280006, b"US", us(0))] if spp == 3 else ()) + element(0x7fe00010, b"OW" if bits > 8 else b"OB", samples))
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.dcm"), os.path.join(tmp, "out.dcm")
        with open(src, "wb") as f:
            f.write(native)
        subprocess.run(["dcmcjpls", *extra_args, src, dst], check=True, capture_output=True)
        with open(dst, "rb") as f:
            encoded = f.read()
    # The codestream is the one fragment after the empty offset table: from SOI to EOI.
    start, end = encoded.index(b"\xff\xd8\xff\xf7"), encoded.rindex(b"\xff\xd9") + 2
    return encoded[start:end]


def j2k_codestream(mode, size, raw, **options):
    """A raw JPEG 2000 codestream (no JP2 box) made by Pillow/OpenJPEG; None without JPEG 2000 support."""
    from PIL import Image, features
    if not features.check("jpg_2000"):
        return None
    buf = io.BytesIO()
    Image.frombytes(mode, size, raw).save(buf, "JPEG2000", no_jp2=True, **options)
    return buf.getvalue()


def codec_samples(rows, cols, spp, bits):
    count = rows * cols * spp
    if bits > 8:
        return b"".join(struct.pack("<H", (v * 997) % (1 << bits)) for v in range(count))
    return bytes((v * 37) % 256 for v in range(count))


# Syntax, photometric and the codestream of each compressed seed: (name, ts, rows, cols, bits, spp, photometric,
# signed, codestream).
def compressed_seed_streams():
    seeds = []
    for name, rows, cols, bits, spp, args in (("jpeg_ls_lossless_16bit", 8, 8, 12, 1, ()),
                                              ("jpeg_ls_near_lossless_rgb", 8, 8, 8, 3, ("+en", "+is")),
                                              ("jpeg_ls_lossless_rgb_line", 4, 8, 8, 3, ("+il",))):
        stream = jpeg_ls_codestream(rows, cols, 16 if bits > 8 else 8, spp, codec_samples(rows, cols, spp, bits), args)
        ts = "1.2.840.10008.1.2.4.81" if "+en" in args else "1.2.840.10008.1.2.4.80"
        if stream:
            seeds.append((name, ts, rows, cols, 16 if bits > 8 else 8, spp, b"RGB" if spp == 3 else b"MONOCHROME2",
                          False, stream))
    rgb = codec_samples(8, 8, 3, 8)
    grey16 = codec_samples(8, 8, 1, 12)
    for name, ts, mode, spp, bits, photometric, raw, options in (
            ("j2k_lossless_16bit", "1.2.840.10008.1.2.4.90", "I;16", 1, 16, b"MONOCHROME2", grey16, {}),
            ("j2k_lossless_rct", "1.2.840.10008.1.2.4.90", "RGB", 3, 8, b"YBR_RCT", rgb, {"mct": 1}),
            ("j2k_lossy_ict", "1.2.840.10008.1.2.4.91", "RGB", 3, 8, b"YBR_ICT", rgb,
             {"mct": 1, "irreversible": True, "quality_mode": "rates", "quality_layers": [4]})):
        stream = j2k_codestream(mode, (8, 8), raw, **options)
        if stream:
            seeds.append((name, ts, 8, 8, bits, spp, photometric, False, stream))
    return seeds


def compressed_dicom_seeds():
    seeds = {}
    for name, ts, rows, cols, bits, spp, photometric, _, stream in compressed_seed_streams():
        extra = [(0x00280006, b"US", us(0))] if spp == 3 else []
        seeds[name + ".dcm"] = part10(ts, pixel_module(rows, cols, bits, spp, photometric, extra=extra) +
                                      encapsulated([stream]))
    return seeds


def codestream_seeds():
    """codestream_fuzzer.cpp input: codec (0 JPEG-LS, 1 JPEG 2000), samples, bytes per sample, u16 cols, u8 rows."""
    seeds = {}
    for name, ts, rows, cols, bits, spp, _, _, stream in compressed_seed_streams():
        codec = 0 if ts.startswith("1.2.840.10008.1.2.4.8") else 1
        seeds[name + ".bin"] = struct.pack("<BBBHB", codec, spp, bits // 8, cols, rows) + stream
    return seeds


def dicom_seeds():
    grey8 = bytes(range(16))
    grey16 = b"".join(struct.pack("<H", v * 300) for v in range(16))
    seeds = {}
    seeds["explicit_le_8bit.dcm"] = part10("1.2.840.10008.1.2.1",
                                           pixel_module(4, 4, 8) + element(0x7fe00010, b"OB", grey8))
    seeds["implicit_le_16bit.dcm"] = part10("1.2.840.10008.1.2", pixel_module(4, 4, 16, explicit=False) +
                                            element(0x7fe00010, b"OW", grey16, explicit=False))
    seeds["bare_implicit_no_meta.dcm"] = (pixel_module(4, 4, 16, explicit=False) +
                                          element(0x7fe00010, b"OW", grey16, explicit=False))
    big16 = b"".join(struct.pack(">H", v * 300) for v in range(16))
    seeds["explicit_be_16bit.dcm"] = part10("1.2.840.10008.1.2.2", pixel_module(4, 4, 16, big=True) +
                                            element(0x7fe00010, b"OW", big16, big=True))
    body = pixel_module(4, 4, 8) + element(0x7fe00010, b"OB", grey8)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    seeds["deflated.dcm"] = part10("1.2.840.10008.1.2.1.99", c.compress(body) + c.flush())
    planes = [bytes(p) for p in ([v * 40 % 256 for v in range(16)], [v * 3 for v in range(16)], [255 - v for v in range(16)])]
    seeds["rle_rgb.dcm"] = part10("1.2.840.10008.1.2.5", pixel_module(4, 4, 8, 3, b"RGB", extra=[
        (0x00280006, b"US", us(0))]) + encapsulated([rle_frame(planes)]))
    seeds["rle_16bit_2frames.dcm"] = part10("1.2.840.10008.1.2.5", pixel_module(4, 4, 16, extra=[
        (0x00280008, b"IS", b"2")]) + encapsulated([rle_frame([grey16[1::2], grey16[0::2]])] * 2))
    seeds["ybr_full_422.dcm"] = part10("1.2.840.10008.1.2.1", pixel_module(2, 4, 8, 3, b"YBR_FULL_422") +
                                       element(0x7fe00010, b"OB", bytes([76, 150, 85, 255] * 4)))
    lut = b"".join(struct.pack("<H", v * 4000) for v in range(16))
    desc = struct.pack("<HHH", 16, 0, 16)
    seeds["palette.dcm"] = part10("1.2.840.10008.1.2.1", pixel_module(4, 4, 8, 1, b"PALETTE COLOR", extra=[
        (0x00281101, b"US", desc), (0x00281102, b"US", desc), (0x00281103, b"US", desc),
        (0x00281201, b"OW", lut), (0x00281202, b"OW", lut[::-1]), (0x00281203, b"OW", lut)]) +
        element(0x7fe00010, b"OB", grey8))
    item = element(0x00081150, b"UI", b"1.2.3")
    seq = (struct.pack("<HH", 0x0008, 0x1140) + b"SQ\0\0" + struct.pack("<I", 0xffffffff) +
           struct.pack("<HHI", 0xfffe, 0xe000, 0xffffffff) + item + struct.pack("<HHI", 0xfffe, 0xe00d, 0) +
           struct.pack("<HHI", 0xfffe, 0xe000, len(item)) + item + struct.pack("<HHI", 0xfffe, 0xe0dd, 0))
    seeds["sequences_and_window.dcm"] = part10("1.2.840.10008.1.2.1", seq + pixel_module(4, 4, 16, extra=[
        (0x00281050, b"DS", b"40\\400"), (0x00281051, b"DS", b"400\\2000"), (0x00281052, b"DS", b"-1024"),
        (0x00281053, b"DS", b"1"), (0x00281056, b"CS", b"SIGMOID")]) + element(0x7fe00010, b"OW", grey16))
    seeds["one_bit.dcm"] = part10("1.2.840.10008.1.2.1", pixel_module(4, 4, 1) + element(0x7fe00010, b"OB", b"\xa5\x5a"))
    try:
        from PIL import Image
        buf = io.BytesIO()
        Image.frombytes("L", (8, 8), bytes(range(0, 256, 4))).save(buf, "JPEG", quality=50)
        seeds["jpeg_baseline.dcm"] = part10("1.2.840.10008.1.2.4.50", pixel_module(8, 8, 8) +
                                            encapsulated([buf.getvalue()]))
    except ImportError:
        pass
    seeds.update(compressed_dicom_seeds())
    return seeds


def run_tool(args, stdin=None):
    import subprocess
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout


def dcmcjpeg_codestream(options, rows, cols, spp, bits, values):
    """Compresses a tiny uncompressed DICOM (made here) with DCMTK's dcmcjpeg; returns the JPEG codestream."""
    import tempfile
    import pydicom
    raw = (b"".join(struct.pack("<H", v) for v in values) if bits > 8 else bytes(values))
    extra = [(0x00280006, b"US", us(0))] if spp == 3 else []
    body = pixel_module(rows, cols, bits, spp, b"RGB" if spp == 3 else b"MONOCHROME2", extra=extra)
    if bits > 8:  # 12-bit samples are allocated 16 bits
        body = body.replace(element(0x00280100, b"US", us(bits)), element(0x00280100, b"US", us(16)))
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, "in.dcm"), os.path.join(tmp, "out.dcm")
        with open(source, "wb") as f:
            f.write(part10("1.2.840.10008.1.2.1", body + element(0x7fe00010, b"OW" if bits > 8 else b"OB", raw)))
        run_tool(["dcmcjpeg"] + options + [source, target])
        ds = pydicom.dcmread(target)
        return next(pydicom.encaps.generate_pixel_data_frame(ds.PixelData))


def jpeg_codestreams():
    """Small JPEG extended/lossless codestreams for the jpeg fuzzer and the DICOM seeds. Needs Debian's dcmtk
    (dcmcjpeg) and libjpeg-turbo-progs (cjpeg, for restart markers); without them, none."""
    import shutil
    if not shutil.which("dcmcjpeg") or not shutil.which("cjpeg"):
        print("dcmcjpeg/cjpeg missing (Debian dcmtk, libjpeg-turbo-progs): no JPEG extended/lossless seeds")
        return {}
    ramp12 = [(x * 260 + y * 37) % 4096 for y in range(16) for x in range(16)]
    ramp16 = [(x * 4000 + y * 999) % 65536 for y in range(8) for x in range(8)]
    rgb = [(i * 29) % 256 for i in range(8 * 8 * 3)]
    streams = {
        "extended_12bit.jpg": dcmcjpeg_codestream(["+ee"], 16, 16, 1, 12, ramp12),
        "lossless_sv1_16bit.jpg": dcmcjpeg_codestream(["+e1"], 8, 8, 1, 16, ramp16),
        "lossless_sv7_pt1_12bit.jpg": dcmcjpeg_codestream(["+el", "+sv", "7", "+pt", "1"], 16, 16, 1, 12, ramp12),
        "lossless_rgb.jpg": dcmcjpeg_codestream(["+e1"], 8, 8, 3, 8, rgb),
    }
    ppm = b"P6\n16 16\n255\n" + bytes((i * 13) % 256 for i in range(16 * 16 * 3))
    streams["extended_420_restart.jpg"] = run_tool(["cjpeg", "-quality", "50", "-restart", "1B", "-sample",
                                                    "2x2,1x1,1x1"], ppm)
    return streams


def jpeg_dicom_seeds(streams):
    """DICOM files around the codestreams: each syntax, and two frames split over fragments without offsets."""
    if not streams:
        return {}
    seeds = {}
    twelve = pixel_module(16, 16, 12).replace(element(0x00280100, b"US", us(12)), element(0x00280100, b"US", us(16)))
    seeds["jpeg_extended_12bit.dcm"] = part10("1.2.840.10008.1.2.4.51",
                                              twelve + encapsulated([streams["extended_12bit.jpg"]]))
    seeds["jpeg_lossless_sv1.dcm"] = part10("1.2.840.10008.1.2.4.70", pixel_module(8, 8, 16) +
                                            encapsulated([streams["lossless_sv1_16bit.jpg"]]))
    frame = streams["lossless_rgb.jpg"]
    cut = len(frame) // 2 & ~1  # even, so only the last item (after the end-of-image marker) gets padded
    halves = [frame[:cut], frame[cut:]] * 2  # frame 1 = items 1-2, frame 2 = items 3-4
    seeds["jpeg_lossless_2frames_split.dcm"] = part10("1.2.840.10008.1.2.4.57", pixel_module(8, 8, 8, 3, b"RGB", extra=[
        (0x00280006, b"US", us(0)), (0x00280008, b"IS", b"2")]) + encapsulated(halves))
    return seeds


def raster_seeds():
    from PIL import Image
    seeds = {}
    rgb = Image.frombytes("RGB", (4, 4), bytes((i * 37) % 256 for i in range(48)))
    for name, image, fmt, kw in (
            ("grey.png", rgb.convert("L"), "PNG", {}),
            ("rgba.png", rgb.convert("RGBA"), "PNG", {}),
            ("palette.png", rgb.quantize(8), "PNG", {}),
            ("grey16.png", Image.frombytes("I;16", (4, 4), bytes(range(32))), "PNG", {}),
            ("baseline.jpg", Image.frombytes("RGB", (8, 8), bytes((i * 7) % 256 for i in range(192))), "JPEG", {"quality": 40}),
            ("progressive.jpg", Image.frombytes("RGB", (8, 8), bytes((i * 5) % 256 for i in range(192))), "JPEG",
             {"quality": 40, "progressive": True}),
            ("rgb.bmp", rgb, "BMP", {}),
            ("image.gif", rgb.quantize(8), "GIF", {}),
            ("rgb.tga", rgb, "TGA", {}),
            ("rle.tga", rgb, "TGA", {"compression": "tga_rle"})):
        buf = io.BytesIO()
        image.save(buf, fmt, **kw)
        seeds[name] = buf.getvalue()
    return seeds


def multipart_seeds(dicom):
    """multipart_fuzzer.cpp input: the Content-Type header value, '\n', then the body. All well-formed answers."""
    def body(boundary, parts, eol=b"\r\n", preamble=b""):
        out = preamble
        for headers, data in parts:
            out += b"--" + boundary + eol + b"".join(h + eol for h in headers) + eol + data + eol
        return out + b"--" + boundary + b"--" + eol
    jls = b"image/jls; transfer-syntax=1.2.840.10008.1.2.4.80"
    frame = bytes(range(256)) + b"\r\n--orthanc-bnd-x\r\n--"  # boundary-like bytes inside a frame
    seeds = {
        "orthanc_frames.bin": b'multipart/related; type="' + jls + b'"; boundary=orthanc-bnd\n' +
            body(b"orthanc-bnd", [([b"Content-Type: " + jls,
                                    b"Content-Location: /dicom-web/studies/1.2/series/1.3/instances/1.4/frames/1"],
                                   frame),
                                  ([b"Content-Type: " + jls], b"\xff\x4f\xff\x51")]),
        "octet_quoted_boundary.bin": b'multipart/related; boundary="==_Part 7;x"; type=application/octet-stream\n' +
            body(b"==_Part 7;x", [([b"Content-Type: application/octet-stream"], b"\0\1\2\3" * 16)],
                 preamble=b"preamble line\r\n"),
        "bare_lf.bin": b"multipart/related; boundary=q\n" +
            body(b"q", [([b"content-type: application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"], b"ab")],
                 eol=b"\n"),
        "dicom_series.bin": b'multipart/related; type="application/dicom"; transfer-syntax=*; boundary=srv\n' +
            body(b"srv", [([b"Content-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1"],
                           dicom["explicit_le_8bit.dcm"]),
                          ([b"Content-Type: application/dicom"], dicom["rle_rgb.dcm"])]),
        "single_part.bin": b"application/dicom; transfer-syntax=1.2.840.10008.1.2.1\n" + dicom["explicit_le_8bit.dcm"],
    }
    return seeds


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    streams = jpeg_codestreams()
    dicom = dicom_seeds()
    dicom.update(jpeg_dicom_seeds(streams))
    for sub, seeds in (("dicom", dicom), ("raster", raster_seeds()), ("jpeg", streams),
                       ("codestream", codestream_seeds()), ("multipart", multipart_seeds(dicom))):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(out, sub, name), "wb") as f:
                f.write(data)
        print("%s: %d files, %d bytes" % (sub, len(seeds), sum(len(d) for d in seeds.values())))


if __name__ == "__main__":
    main()
