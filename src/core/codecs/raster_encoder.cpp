// raster_encoder.cpp — see raster_encoder.h. stb_image_write is compiled here, once, writing to memory.
#include "core/codecs/raster_encoder.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb_image_write.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <string>

namespace dx {

static void appendToVector(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

Result<std::vector<uint8_t>> encodePng(int width, int height, int channels, const uint8_t* pixels) {
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4)
        return Error("Cannot write a PNG of " + std::to_string(width) + "x" + std::to_string(height) +
                     " with " + std::to_string(channels) + " channels.");
    std::vector<uint8_t> out;
    if (!stbi_write_png_to_func(appendToVector, &out, width, height, channels, pixels, width * channels))
        return Error("Writing the PNG failed (out of memory?).");
    return out;
}

} // namespace dx
