// window_presets.cpp — see window_presets.h.
#include "core/viewer/window_presets.h"

#include "core/image/render.h"

#include <cctype>

namespace dx {

bool isComputedTomography(const Image& img) {
    auto modality = img.metadata.find("Modality");
    return (modality != img.metadata.end() && modality->second == "CT") || img.rescaleUnit == "HU";
}

std::vector<WindowPreset> windowPresets(const Image& img, int frame, double frameMin, double frameMax) {
    std::vector<WindowPreset> presets;
    for (const WindowPreset& w : img.windows)
        presets.push_back({w.center, w.width, "From the file: " + w.explanation});
    // The automatic window over the frame's range; the same mapping as defaultWindow (min -> 0, max -> 255).
    const WindowPreset fullRange{(frameMin + frameMax + 1.0) / 2.0, frameMax - frameMin + 1.0, "Full range"};
    if (presets.empty()) {
        WindowPreset automatic =
            frame < img.frames && !img.pixels.empty() ? defaultWindow(img, frame) : fullRange;
        if (!automatic.explanation.empty())
            automatic.explanation[0] =
                char(std::toupper(static_cast<unsigned char>(automatic.explanation[0])));
        presets.push_back(automatic);
    }
    if (isComputedTomography(img)) {
        presets.push_back({-600.0, 1500.0, "Lung"});
        presets.push_back({50.0, 350.0, "Mediastinum"});
        presets.push_back({400.0, 1800.0, "Bone"});
        presets.push_back({40.0, 80.0, "Brain"});
    } else if (!img.windows.empty() && frameMin <= frameMax) {
        presets.push_back(fullRange);
    }
    return presets;
}

} // namespace dx
