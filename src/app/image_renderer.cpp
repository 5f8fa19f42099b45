#include "app/image_renderer.h"

#include "app/embedded_shaders.h" // generated from shaders/ at build time
#include "app/i18n.h"
#include "app/overlays.h"
#include "core/image/render.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace dx {
namespace {

unsigned compileShader(unsigned type, const char* source, const char** error) {
    unsigned shader = glCreateShader(type);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    GLint ok = 0;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        static char log[1024];
        glGetShaderInfoLog(shader, sizeof log, nullptr, log);
        std::fprintf(stderr, "DxLens: viewer shader does not compile: %s\n", log);
        *error = "The viewer's GPU program did not compile (see the browser console).";
        glDeleteShader(shader);
        return 0;
    }
    return shader;
}

float clamp01(float v) {
    return std::min(1.0f, std::max(0.0f, v));
}

// Our own colour maps: t in [0, 1] -> RGB in [0, 1].
void colourAt(ColourMap map, float t, float rgb[3]) {
    switch (map) {
    case ColourMap::Grey:
        rgb[0] = rgb[1] = rgb[2] = t;
        return;
    case ColourMap::Hot:
        rgb[0] = clamp01(3.0f * t);
        rgb[1] = clamp01(3.0f * t - 1.0f);
        rgb[2] = clamp01(3.0f * t - 2.0f);
        return;
    case ColourMap::Rainbow: {             // hue from blue (low) to red (high) at full saturation
        const float h = (1.0f - t) * 4.0f; // 0..4 over red, yellow, green, cyan, blue
        const float f = h - std::floor(h);
        const int i = int(std::floor(h));
        const float table[5][3] = {{1, f, 0}, {1 - f, 1, 0}, {0, 1, f}, {0, 1 - f, 1}, {0, 0, 1}};
        std::memcpy(rgb, table[std::min(i, 4)], sizeof(float) * 3);
        return;
    }
    }
}

std::vector<float> modalityValues(const Image& img, int frame) {
    std::vector<float> values(size_t(img.width) * size_t(img.height));
    for (int y = 0; y < img.height; y++)
        for (int x = 0; x < img.width; x++)
            values[size_t(y) * img.width + x] = float(img.modalityValue(img.sample(frame, x, y, 0)));
    return values;
}

} // namespace

const char* colourMapName(ColourMap m) {
    switch (m) {
    case ColourMap::Grey:
        return trLater("Grey");
    case ColourMap::Hot:
        return trLater("Hot");
    case ColourMap::Rainbow:
        return trLater("Rainbow");
    }
    return "?";
}

ImageRenderer::~ImageRenderer() {
    if (imageTexture_) glDeleteTextures(1, &imageTexture_);
    if (lutTexture_) glDeleteTextures(1, &lutTexture_);
    if (program_) glDeleteProgram(program_);
}

bool ImageRenderer::ensureProgram() {
    if (program_ || error_) return program_ != 0;
    unsigned vs = compileShader(GL_VERTEX_SHADER, kShader_viewer_vert, &error_);
    unsigned fs = vs ? compileShader(GL_FRAGMENT_SHADER, kShader_viewer_frag, &error_) : 0;
    if (!vs || !fs) return false;
    program_ = glCreateProgram();
    glAttachShader(program_, vs);
    glAttachShader(program_, fs);
    glLinkProgram(program_);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(program_, GL_LINK_STATUS, &ok);
    if (!ok) {
        glDeleteProgram(program_);
        program_ = 0;
        error_ = "The viewer's GPU program did not link.";
        return false;
    }
    const char* ext = reinterpret_cast<const char*>(glGetString(GL_EXTENSIONS));
    floatLinear_ = ext && std::strstr(ext, "OES_texture_float_linear");
    return true;
}

bool ImageRenderer::setImage(int studyId, const Image& img, int frame) {
    if (!ensureProgram()) return false;
    if (studyId == studyId_ && frame == frame_) return true;
    studyId_ = studyId;
    frame_ = frame;
    imageUploads_++;
    overlaySource_ = nullptr;
    overlay_.reset();
    grey_ = img.samplesPerPixel <= 2; // grey, or grey + alpha
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    if (!imageTexture_) glGenTextures(1, &imageTexture_);
    glBindTexture(GL_TEXTURE_2D, imageTexture_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (grey_) {
        std::vector<float> values = modalityValues(img, frame);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, img.width, img.height, 0, GL_RED, GL_FLOAT, values.data());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, floatLinear_ ? GL_LINEAR : GL_NEAREST);
    } else {
        RenderOptions opt;
        opt.frame = frame;
        Result<DisplayImage> shown = renderImage(img, opt);
        if (shown)
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, shown->width, shown->height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                         shown->rgba.data());
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    }
    // Magnified pixels stay square: zoomed in, a reader wants to see the acquired pixels.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, GLuint(previous));
    return true;
}

void ImageRenderer::setOverlay(const OverlayImage* overlay) {
    const void* source = overlay ? overlay->source : nullptr;
    if (source == overlaySource_) return;
    overlaySource_ = source;
    if (!overlay || overlay->rgba.empty())
        overlay_.reset();
    else
        overlay_.upload(overlay->width, overlay->height, overlay->rgba.data());
}

void ImageRenderer::uploadLut(ColourMap map) {
    if (lutValid_ && map == lutMap_) return;
    uint8_t rgba[256 * 4];
    for (int i = 0; i < 256; i++) {
        float rgb[3];
        colourAt(map, i / 255.0f, rgb);
        for (int c = 0; c < 3; c++)
            rgba[i * 4 + c] = uint8_t(std::lround(rgb[c] * 255.0f));
        rgba[i * 4 + 3] = 255;
    }
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    if (!lutTexture_) glGenTextures(1, &lutTexture_);
    glBindTexture(GL_TEXTURE_2D, lutTexture_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, 256, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, GLuint(previous));
    lutMap_ = map;
    lutValid_ = true;
}

void ImageRenderer::draw(ImDrawList* draw, const ImVec2 corners[4], const ImVec2 uvs[4],
                         const ViewParams& view) {
    if (!program_ || !imageTexture_) return;
    view_ = view;
    uploadLut(view.colourMap);
    draw->AddCallback(&ImageRenderer::setupCallback, this);
    draw->AddImageQuad((ImTextureID)(intptr_t)imageTexture_, corners[0], corners[1], corners[2], corners[3],
                       uvs[0], uvs[1], uvs[2], uvs[3]);
    draw->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

// Runs inside ImGui's OpenGL3 backend between draw commands: our program stays bound for the next command
// (the image quad, whose texture the backend binds to unit 0) until ResetRenderState.
void ImageRenderer::setupCallback(const ImDrawList*, const ImDrawCmd* cmd) {
    const ImageRenderer* r = static_cast<const ImageRenderer*>(cmd->UserCallbackData);
    const ImDrawData* dd = ImGui::GetDrawData();
    const float L = dd->DisplayPos.x, R = dd->DisplayPos.x + dd->DisplaySize.x;
    const float T = dd->DisplayPos.y, B = dd->DisplayPos.y + dd->DisplaySize.y;
    const float projection[16] = {
        2.0f / (R - L),    0, 0,   0, 0, 2.0f / (T - B), 0, 0, 0, 0, -1.0f, 0, (R + L) / (L - R),
        (T + B) / (B - T), 0, 1.0f};
    const unsigned p = r->program_;
    glUseProgram(p);
    glUniformMatrix4fv(glGetUniformLocation(p, "u_projection"), 1, GL_FALSE, projection);
    glUniform1i(glGetUniformLocation(p, "u_image"), 0);
    glUniform1i(glGetUniformLocation(p, "u_lut"), 1);
    glUniform1i(glGetUniformLocation(p, "u_overlay"), 2);
    glUniform1i(glGetUniformLocation(p, "u_grey"), r->grey_ ? 1 : 0);
    glUniform1i(glGetUniformLocation(p, "u_sigmoid"), r->view_.sigmoid ? 1 : 0);
    glUniform1i(glGetUniformLocation(p, "u_invert"), r->view_.invert ? 1 : 0);
    glUniform1f(glGetUniformLocation(p, "u_center"), float(r->view_.windowCenter));
    glUniform1f(glGetUniformLocation(p, "u_width"), float(r->view_.windowWidth));
    const bool overlay = r->overlay_.valid() && r->view_.overlayOpacity > 0.0f;
    glUniform1i(glGetUniformLocation(p, "u_has_overlay"), overlay ? 1 : 0);
    glUniform1f(glGetUniformLocation(p, "u_overlay_opacity"), r->view_.overlayOpacity);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, r->lutTexture_);
    glActiveTexture(GL_TEXTURE2);
    glBindTexture(GL_TEXTURE_2D, overlay ? GLuint((intptr_t)r->overlay_.id()) : 0);
    glActiveTexture(GL_TEXTURE0);
}

} // namespace dx
