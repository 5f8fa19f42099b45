// modality_lut.cpp — see modality_lut.h.
#include "core/dicom/modality_lut.h"

#include <cstring>
#include <string>

namespace dx {

Result<Image> applyModalityLut(const Image& img, const DecodeLimits& limits) {
    if (img.samplesPerPixel != 1 || img.sampleType == SampleType::F32) return img;
    const uint64_t samples = uint64_t(img.samplesPerFrame()) * uint64_t(img.frames);
    if (samples > limits.maxDecodedBytes / sizeof(float))
        return Error("Converting the image to modality values needs " +
                     std::to_string(samples * sizeof(float)) + " bytes, more than the limit of " +
                     std::to_string(limits.maxDecodedBytes) + " bytes.");
    if (img.pixels.size() < samples * bytesPerSample(img.sampleType))
        return Error("The image has no pixels to convert (only its header was read).");
    Image out = img;
    out.sampleType = SampleType::F32;
    out.bitsStored = 32;
    out.rescaleSlope = 1.0;
    out.rescaleIntercept = 0.0;
    out.pixels.assign(size_t(samples) * sizeof(float), 0);
    const size_t pixelsPerFrame = size_t(img.width) * size_t(img.height);
    for (size_t i = 0; i < size_t(samples); i++) {
        const int frame = int(i / pixelsPerFrame);
        const size_t inFrame = i % pixelsPerFrame;
        const float v = float(img.modalityValue(
            img.sample(frame, int(inFrame % size_t(img.width)), int(inFrame / size_t(img.width)), 0)));
        std::memcpy(&out.pixels[i * sizeof(float)], &v, sizeof v);
    }
    return out;
}

} // namespace dx
