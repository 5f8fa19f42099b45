// gpu_texture.h — an RGBA8 texture the views draw with ImGui::Image / AddImage (OpenGL ES 3 / WebGL2).
//
// How to use:
//   GpuTexture tex;
//   tex.upload(w, h, rgba.data());            // (re)creates when the size changed, else updates in place
//   draw->AddImage(tex.id(), p0, p1);
// Owned by whoever shows it; the GL texture is deleted with the object. Not copyable.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace dx {

class GpuTexture {
public:
    GpuTexture() = default;
    GpuTexture(const GpuTexture&) = delete;
    GpuTexture& operator=(const GpuTexture&) = delete;
    ~GpuTexture();

    void upload(int width, int height, const uint8_t* rgba);
    void reset();

    bool valid() const { return texture_ != 0; }
    ImTextureID id() const { return (ImTextureID)(intptr_t)texture_; }
    int width() const { return width_; }
    int height() const { return height_; }

private:
    unsigned texture_ = 0;
    int width_ = 0, height_ = 0;
};

} // namespace dx
