// image_renderer.h — draws a study in the viewport with the GLSL ES 3.0 program in shaders/viewer.*:
// window/level, inversion, colour map and overlay blending happen on the GPU, so dragging the window on a
// 4096x4096 16-bit image costs one uniform update, not a CPU re-render.
//
// How to use (inside an ImGui window, once per frame):
//   static ImageRenderer r;
//   r.setImage(studyId, image);                       // uploads only when the study changed
//   r.setOverlay(&overlay);                           // overlays.h; or nullptr; uploads only when it changed
//   r.draw(ImGui::GetWindowDrawList(), corners, uvs, view); // a draw callback + the image quad; corners
//                                     // TL, TR, BR, BL on the screen, uvs what shows there (rotation/flip)
// Grey images go to the GPU as 32-bit float modality values (exact for 16-bit data and HU); colour images
// as RGBA8. Without WebGL's float-linear extension, float textures are sampled nearest-neighbour.
#pragma once

#include "app/gpu_texture.h"
#include "core/image/image.h"

#include <imgui.h>

#include <array>
#include <cstdint>
#include <vector>

namespace dx {

struct OverlayImage;

enum class ColourMap { Grey, Hot, Rainbow };
const char* colourMapName(ColourMap m);

struct ViewParams {
    double windowCenter = 0.0;
    double windowWidth = 1.0;
    bool sigmoid = false;
    bool invert = false;
    ColourMap colourMap = ColourMap::Grey;
    float overlayOpacity = 0.0f; // 0 hides the overlay
};

class ImageRenderer {
public:
    ImageRenderer() = default;
    ImageRenderer(const ImageRenderer&) = delete;
    ImageRenderer& operator=(const ImageRenderer&) = delete;
    ~ImageRenderer();

    bool setImage(int studyId, const Image& image,
                  int frame = 0);                 // false: the GPU program failed (see error())
    void setOverlay(const OverlayImage* overlay); // nullptr hides it; uploads only when its source changed
    void draw(ImDrawList* draw, const ImVec2 corners[4], const ImVec2 uvs[4], const ViewParams& view);

    const char* error() const { return error_; }
    int imageUploads() const { return imageUploads_; } // textures made from an image so far (not per frame)

private:
    bool ensureProgram();
    void uploadLut(ColourMap map);
    static void setupCallback(const ImDrawList* list, const ImDrawCmd* cmd);

    unsigned program_ = 0;
    unsigned imageTexture_ = 0;
    unsigned lutTexture_ = 0;
    GpuTexture overlay_;
    int studyId_ = -1;
    int frame_ = -1;
    int imageUploads_ = 0;
    bool grey_ = true;
    bool floatLinear_ = false;
    ColourMap lutMap_ = ColourMap::Grey;
    bool lutValid_ = false;
    const void* overlaySource_ = nullptr;
    ViewParams view_;
    const char* error_ = nullptr;
};

} // namespace dx
