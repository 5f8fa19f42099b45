#!/usr/bin/python3
"""make_seed_corpus.py — writes the small seed corpus of the fuzzers and of the bad-input test.

How to use:  /usr/bin/python3 tests/fuzz/make_seed_corpus.py tests/fuzz/corpus
Every file is made here by hand (a few hundred bytes each), so the repository holds no third-party data:
tests/fuzz/corpus/dicom/  tiny DICOM files in each transfer syntax DxLens decodes, plus sequences and palettes
tests/fuzz/corpus/raster/ tiny PNG (grey, RGBA, palette, 16-bit), JPEG, BMP, GIF and TGA images (Pillow)
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


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for sub, seeds in (("dicom", dicom_seeds()), ("raster", raster_seeds())):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(out, sub, name), "wb") as f:
                f.write(data)
        print("%s: %d files, %d bytes" % (sub, len(seeds), sum(len(d) for d in seeds.values())))


if __name__ == "__main__":
    main()
