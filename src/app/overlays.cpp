#include "app/overlays.h"

#include "core/inference/postprocess.h"
#include "core/inference/saliency.h"

#include <algorithm>
#include <cmath>

namespace dx {

ImU32 classColour(int classIndex) {
    static const ImU32 colours[] = {IM_COL32(0, 0, 0, 0), IM_COL32(0, 200, 255, 255),
                                    IM_COL32(255, 120, 0, 255), IM_COL32(120, 255, 80, 255),
                                    IM_COL32(255, 60, 200, 255)};
    const int n = int(std::size(colours));
    return colours[classIndex <= 0 ? 0 : 1 + (classIndex - 1) % (n - 1)];
}

OverlayImage maskOverlay(const SegmentationMask& mask) {
    OverlayImage o;
    o.source = &mask;
    o.width = mask.width;
    o.height = mask.height;
    o.rgba.resize(mask.labels.size() * 4);
    for (size_t i = 0; i < mask.labels.size(); i++) {
        const ImU32 c = classColour(mask.labels[i]);
        o.rgba[i * 4 + 0] = uint8_t(c >> IM_COL32_R_SHIFT);
        o.rgba[i * 4 + 1] = uint8_t(c >> IM_COL32_G_SHIFT);
        o.rgba[i * 4 + 2] = uint8_t(c >> IM_COL32_B_SHIFT);
        o.rgba[i * 4 + 3] = mask.labels[i] ? 255 : 0;
    }
    return o;
}

OverlayImage heatmapOverlay(const SaliencyMap& map, int imageWidth, int imageHeight) {
    OverlayImage o;
    o.source = &map;
    const float shrink = std::max(1.0f, float(std::max(imageWidth, imageHeight)) / 1024.0f);
    o.width = std::max(1, int(imageWidth / shrink));
    o.height = std::max(1, int(imageHeight / shrink));
    float peak = 0.0f;
    for (float v : map.drop)
        peak = std::max(peak, v);
    o.rgba.assign(size_t(o.width) * o.height * 4, 0);
    if (peak <= 0.0f) return o; // occluding nothing lowered the score: nothing to show
    for (int y = 0; y < o.height; y++)
        for (int x = 0; x < o.width; x++) {
            const float t =
                std::clamp(map.smoothAtImagePixel(int((x + 0.5f) * shrink), int((y + 0.5f) * shrink)) / peak,
                           0.0f, 1.0f);
            uint8_t* p = &o.rgba[(size_t(y) * o.width + x) * 4];
            p[0] = uint8_t(255.0f * std::min(1.0f, 3.0f * t));
            p[1] = uint8_t(255.0f * std::clamp(3.0f * t - 1.0f, 0.0f, 1.0f));
            p[2] = uint8_t(255.0f * std::clamp(3.0f * t - 2.0f, 0.0f, 1.0f));
            p[3] = uint8_t(255.0f * std::sqrt(t));
        }
    return o;
}

} // namespace dx
