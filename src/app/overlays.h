// overlays.h — model outputs drawn on top of the image: segmentation masks (one colour per class) and
// saliency heatmaps (where the model looked), interpolated between the map's cells so that they read as a field
// rather than blocks. Presentation only; the data come from core.
//
// How to use:
//   OverlayImage o = maskOverlay(result.mask);               // at the image's resolution
//   OverlayImage h = heatmapOverlay(saliencyMap, w, h);      // capped to 1024 px on the long side
//   renderer.setOverlay(&o);                                 // image_renderer.h blends it on the GPU
#pragma once

#include <imgui.h>

#include <cstdint>
#include <vector>

namespace dx {

struct SegmentationMask;
struct SaliencyMap;

struct OverlayImage {
    const void* source = nullptr; // what it was made from, so it is rebuilt only when that changes
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;
};

// Class colours shared by the overlay and its legend (index 0, background, is transparent).
ImU32 classColour(int classIndex);

OverlayImage maskOverlay(const SegmentationMask& mask);
// Positive probability drops, normalised to the largest, in a hot colour map; alpha grows with the value so
// regions that did not matter stay clear.
OverlayImage heatmapOverlay(const SaliencyMap& map, int imageWidth, int imageHeight);

} // namespace dx
