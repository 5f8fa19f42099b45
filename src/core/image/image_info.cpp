// image_info.cpp — see image_info.h.
#include "core/image/image_info.h"

#include <bit>
#include <cstdlib>
#include <cstring>

namespace dx {

static const std::string* findMetadata(const Image& img, const char* key) {
    auto it = img.metadata.find(key);
    return it == img.metadata.end() ? nullptr : &it->second;
}

static int metadataInt(const Image& img, const char* key, int fallback) {
    const std::string* v = findMetadata(img, key);
    return v && !v->empty() ? std::atoi(v->c_str()) : fallback;
}

static bool isSignedType(SampleType t) {
    return t == SampleType::I8 || t == SampleType::I16 || t == SampleType::I32;
}

nlohmann::json imageInfoJson(const Image& img) {
    nlohmann::json j;
    const std::string* format = findMetadata(img, "format");
    j["format"] = format ? *format : "unknown";
    j["width"] = img.width;
    j["height"] = img.height;
    j["frames"] = img.frames;
    j["samples_per_pixel"] = metadataInt(img, "SamplesPerPixel", img.samplesPerPixel);
    j["bits_allocated"] = metadataInt(img, "BitsAllocated", int(bytesPerSample(img.sampleType) * 8));
    j["bits_stored"] = metadataInt(img, "BitsStored", img.bitsStored);
    j["pixel_representation"] = metadataInt(img, "PixelRepresentation", isSignedType(img.sampleType) ? 1 : 0);
    const std::string* photometric = findMetadata(img, "PhotometricInterpretation");
    j["photometric"] = photometric ? *photometric : photometricName(img.photometric);
    const std::string* ts = findMetadata(img, "TransferSyntaxUID");
    j["transfer_syntax"] = ts ? nlohmann::json(*ts) : nlohmann::json(nullptr);
    j["rescale_slope"] = img.rescaleSlope;
    j["rescale_intercept"] = img.rescaleIntercept;
    j["window_center"] =
        img.windows.empty() ? nlohmann::json(nullptr) : nlohmann::json(img.windows[0].center);
    j["window_width"] = img.windows.empty() ? nlohmann::json(nullptr) : nlohmann::json(img.windows[0].width);
    const std::string* modality = findMetadata(img, "Modality");
    j["modality"] = modality && !modality->empty() ? nlohmann::json(*modality) : nlohmann::json(nullptr);
    return j;
}

std::vector<uint8_t> frameSamplesLittleEndian(const Image& img, int frame) {
    static_assert(std::endian::native == std::endian::little,
                  "samples are kept in host order: x86-64 and wasm32");
    const uint8_t* src = img.frameData(frame);
    return std::vector<uint8_t>(src, src + img.frameBytes());
}

} // namespace dx
