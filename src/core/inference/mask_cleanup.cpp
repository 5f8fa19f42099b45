// mask_cleanup.cpp — largest components and hole filling on a label mask (see mask_cleanup.h).
#include "core/inference/mask_cleanup.h"

#include <algorithm>
#include <limits>
#include <string>

namespace dx {

namespace {

// Runs: the maximal horizontal stretches of pixels that pass a test, row by row ([start, end) columns), joined
// into connected regions by union-find. Two runs in neighbouring rows are 4-connected when they share a column,
// so connectivity needs no per-pixel label: a region is its runs. Faster than a per-pixel flood fill (a run is
// read and written as one block) and smaller on masks with smooth shapes; the buffers are reused for every step.
struct RunRegions {
    struct Run {
        uint32_t start, end;
    };
    int width = 0;
    int height = 0;
    std::vector<Run> runs;          // in raster order of their first pixel
    std::vector<uint32_t> rowBegin; // runs of row y: [rowBegin[y], rowBegin[y + 1])
    std::vector<uint32_t> parent;   // union-find; a root is the lowest run index of its region

    template <class InRegion> void collect(const std::vector<uint8_t>& labels, InRegion inRegion) {
        runs.clear();
        rowBegin.assign(size_t(height) + 1, 0);
        const uint32_t w = uint32_t(width);
        for (int y = 0; y < height; y++) {
            rowBegin[size_t(y)] = uint32_t(runs.size());
            const uint8_t* row = labels.data() + size_t(y) * w;
            uint32_t x = 0;
            while (x < w) {
                if (!inRegion(row[x])) {
                    x++;
                    continue;
                }
                const uint32_t start = x;
                while (x < w && inRegion(row[x]))
                    x++;
                runs.push_back({start, x});
            }
        }
        rowBegin[size_t(height)] = uint32_t(runs.size());
        connect();
    }

    uint32_t root(uint32_t i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]]; // path halving keeps the trees flat
            i = parent[i];
        }
        return i;
    }

    // Region number = its lowest run index, so regions are numbered in the raster order of their first pixel
    // (scipy.ndimage.label's order), and every run's root() names its region once connect() has run.
    void unite(uint32_t a, uint32_t b) {
        a = root(a);
        b = root(b);
        if (a < b)
            parent[b] = a;
        else if (b < a)
            parent[a] = b;
    }

    void connect() {
        parent.resize(runs.size());
        for (uint32_t i = 0; i < parent.size(); i++)
            parent[i] = i;
        for (int y = 1; y < height; y++) {
            uint32_t i = rowBegin[size_t(y) - 1], j = rowBegin[size_t(y)];
            const uint32_t iEnd = rowBegin[size_t(y)], jEnd = rowBegin[size_t(y) + 1];
            // Both rows' runs are sorted and disjoint: walk them together, stepping past whichever ends first.
            while (i < iEnd && j < jEnd) {
                if (runs[i].start < runs[j].end && runs[j].start < runs[i].end) unite(i, j);
                if (runs[i].end < runs[j].end)
                    i++;
                else
                    j++;
            }
        }
    }

    void paint(std::vector<uint8_t>& labels, int y, const Run& run, uint8_t value) const {
        uint8_t* row = labels.data() + size_t(y) * uint32_t(width);
        std::fill(row + run.start, row + run.end, value);
    }
};

// Step 1 for class c: only the `keep` largest components of c stay, the rest become background.
void keepLargestComponents(std::vector<uint8_t>& labels, uint8_t c, int keep, RunRegions& rr) {
    rr.collect(labels, [c](uint8_t v) { return v == c; });
    std::vector<uint64_t> sizes(rr.runs.size(), 0); // by root
    std::vector<uint32_t> components;               // roots, in numbering order
    for (uint32_t k = 0; k < rr.runs.size(); k++) {
        const uint32_t r = rr.root(k);
        if (r == k) components.push_back(k);
        sizes[r] += rr.runs[k].end - rr.runs[k].start;
    }
    if (components.size() <= size_t(keep)) return;
    // Largest first; equal sizes in numbering order, i.e. the component whose first pixel comes first wins.
    std::partial_sort(
        components.begin(), components.begin() + keep, components.end(),
        [&](uint32_t a, uint32_t b) { return sizes[a] != sizes[b] ? sizes[a] > sizes[b] : a < b; });
    std::vector<uint8_t> kept(rr.runs.size(), 0); // by root
    for (int k = 0; k < keep; k++)
        kept[components[size_t(k)]] = 1;
    for (int y = 0; y < rr.height; y++)
        for (uint32_t k = rr.rowBegin[size_t(y)]; k < rr.rowBegin[size_t(y) + 1]; k++)
            if (!kept[rr.root(k)]) rr.paint(labels, y, rr.runs[k], 0);
}

// Step 2 for class c: regions of pixels that are not c and do not touch the border become c.
void fillHoles(std::vector<uint8_t>& labels, uint8_t c, RunRegions& rr) {
    rr.collect(labels, [c](uint8_t v) { return v != c; });
    std::vector<uint8_t> touchesBorder(rr.runs.size(), 0); // by root
    const uint32_t w = uint32_t(rr.width);
    for (int y = 0; y < rr.height; y++) {
        const bool edgeRow = y == 0 || y == rr.height - 1;
        for (uint32_t k = rr.rowBegin[size_t(y)]; k < rr.rowBegin[size_t(y) + 1]; k++)
            if (edgeRow || rr.runs[k].start == 0 || rr.runs[k].end == w) touchesBorder[rr.root(k)] = 1;
    }
    for (int y = 0; y < rr.height; y++)
        for (uint32_t k = rr.rowBegin[size_t(y)]; k < rr.rowBegin[size_t(y) + 1]; k++)
            if (!touchesBorder[rr.root(k)]) rr.paint(labels, y, rr.runs[k], c);
}

} // namespace

Status cleanUpMask(std::vector<uint8_t>& labels, int width, int height, int classCount,
                   const MaskCleanup& cleanup) {
    if (!cleanup.any() || width <= 0 || height <= 0) return {};
    const uint64_t pixels = uint64_t(width) * uint64_t(height);
    if (labels.size() != pixels)
        return Error("The segmentation mask has " + std::to_string(labels.size()) +
                     " pixels but its size is " + std::to_string(width) + " x " + std::to_string(height) +
                     ".");
    if (pixels >= std::numeric_limits<uint32_t>::max())
        return Error("The segmentation mask is too large to clean up (" + std::to_string(width) + " x " +
                     std::to_string(height) + " pixels).");
    RunRegions rr;
    rr.width = width;
    rr.height = height;
    const int classes = std::min(classCount, 256);
    for (int c = 1; c < classes; c++) {
        if (std::find(labels.begin(), labels.end(), uint8_t(c)) == labels.end()) continue; // nothing to do
        if (cleanup.keepLargestComponents > 0)
            keepLargestComponents(labels, uint8_t(c), cleanup.keepLargestComponents, rr);
        if (cleanup.fillHoles) fillHoles(labels, uint8_t(c), rr);
    }
    return {};
}

} // namespace dx
