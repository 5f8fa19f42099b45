// mask_cleanup_check — the C++ mask clean-up against scipy's, on the masks mask_cleanup_reference.py wrote.
//
// How to use (CTest runs it after the `mask_cleanup_reference` fixture, natively, under ASan and as WASM in Node):
//   dx_mask_cleanup_check BUILD/mask-cleanup/masks.bin
//
// For every mask of the file, dx::cleanUpMask must give exactly the mask models/training/mask_cleanup.py
// (scipy.ndimage.label / binary_fill_holes) gave. Prints the first differing pixel of each mismatch (up to 10)
// and a summary. Exit codes: 0 all equal, 1 a mismatch or an unreadable file.
#include "core/inference/mask_cleanup.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

struct Reader {
    std::vector<uint8_t> bytes;
    size_t at = 0;
    bool ok = true;

    uint32_t u32() {
        if (at + 4 > bytes.size()) {
            ok = false;
            return 0;
        }
        uint32_t v = uint32_t(bytes[at]) | uint32_t(bytes[at + 1]) << 8 | uint32_t(bytes[at + 2]) << 16 |
                     uint32_t(bytes[at + 3]) << 24;
        at += 4;
        return v;
    }
    std::vector<uint8_t> take(size_t n) {
        if (!ok || at + n > bytes.size()) {
            ok = false;
            return {};
        }
        std::vector<uint8_t> v(bytes.begin() + long(at), bytes.begin() + long(at + n));
        at += n;
        return v;
    }
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: dx_mask_cleanup_check MASKS.bin\n");
        return 1;
    }
    std::ifstream f(argv[1], std::ios::binary);
    Reader r;
    r.bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (r.bytes.size() < 12 || std::memcmp(r.bytes.data(), "DXMASKC1", 8) != 0) {
        std::fprintf(stderr, "%s is not a file written by mask_cleanup_reference.py\n", argv[1]);
        return 1;
    }
    r.at = 8;
    const uint32_t count = r.u32();
    int mismatches = 0;
    uint32_t checked = 0;
    for (uint32_t k = 0; k < count && r.ok; k++) {
        const uint32_t w = r.u32(), h = r.u32(), classes = r.u32(), keep = r.u32(), fill = r.u32();
        std::vector<uint8_t> mask = r.take(size_t(w) * h);
        const std::vector<uint8_t> expected = r.take(size_t(w) * h);
        if (!r.ok) break;
        dx::MaskCleanup cleanup;
        cleanup.keepLargestComponents = int(keep);
        cleanup.fillHoles = fill != 0;
        dx::Status s = dx::cleanUpMask(mask, int(w), int(h), int(classes), cleanup);
        checked++;
        if (!s) {
            std::printf("mask %u (%u x %u): %s\n", k, w, h, s.error().message.c_str());
            mismatches++;
            continue;
        }
        if (mask == expected) continue;
        size_t i = 0;
        while (mask[i] == expected[i])
            i++;
        if (++mismatches <= 10)
            std::printf("mask %u (%u x %u, %u classes, keep %u, fill %u): pixel (x %zu, y %zu) is %d, scipy "
                        "gives %d\n",
                        k, w, h, classes, keep, fill, i % w, i / w, mask[i], expected[i]);
    }
    if (!r.ok || checked != count) {
        std::printf("%s ends after %u of its %u masks\n", argv[1], checked, count);
        return 1;
    }
    std::printf("%u masks: %u equal to scipy's clean-up, %d differ\n", count, count - uint32_t(mismatches),
                mismatches);
    return mismatches == 0 && count > 0 ? 0 : 1;
}
