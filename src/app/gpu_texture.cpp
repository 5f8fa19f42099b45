#include "app/gpu_texture.h"

#include <GLES3/gl3.h>

namespace dx {

GpuTexture::~GpuTexture() {
    reset();
}

void GpuTexture::reset() {
    if (texture_) glDeleteTextures(1, &texture_);
    texture_ = 0;
    width_ = height_ = 0;
}

void GpuTexture::upload(int width, int height, const uint8_t* rgba) {
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (texture_ && width == width_ && height == height_) {
        glBindTexture(GL_TEXTURE_2D, texture_);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    } else {
        reset();
        glGenTextures(1, &texture_);
        glBindTexture(GL_TEXTURE_2D, texture_);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        // Magnified pixels stay square: a radiologist zooming in wants to see the acquired pixels.
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        width_ = width;
        height_ = height;
    }
    glBindTexture(GL_TEXTURE_2D, GLuint(previous));
}

} // namespace dx
