#include "core/image/image.h"

#include <cstring>

namespace dx {

size_t bytesPerSample(SampleType t) {
    switch (t) {
    case SampleType::U8:
    case SampleType::I8:
        return 1;
    case SampleType::U16:
    case SampleType::I16:
        return 2;
    case SampleType::U32:
    case SampleType::I32:
    case SampleType::F32:
        return 4;
    }
    return 1;
}

const char* sampleTypeName(SampleType t) {
    switch (t) {
    case SampleType::U8:
        return "uint8";
    case SampleType::I8:
        return "int8";
    case SampleType::U16:
        return "uint16";
    case SampleType::I16:
        return "int16";
    case SampleType::U32:
        return "uint32";
    case SampleType::I32:
        return "int32";
    case SampleType::F32:
        return "float32";
    }
    return "unknown";
}

const char* photometricName(Photometric p) {
    switch (p) {
    case Photometric::Monochrome1:
        return "MONOCHROME1";
    case Photometric::Monochrome2:
        return "MONOCHROME2";
    case Photometric::RGB:
        return "RGB";
    case Photometric::RGBA:
        return "RGBA";
    case Photometric::GreyAlpha:
        return "GREY_ALPHA";
    }
    return "UNKNOWN";
}

template <class T> static float load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return float(v);
}

float Image::sample(int frame, int x, int y, int channel) const {
    size_t index = (size_t(y) * size_t(width) + size_t(x)) * size_t(samplesPerPixel) + size_t(channel);
    const uint8_t* p = frameData(frame) + index * bytesPerSample(sampleType);
    switch (sampleType) {
    case SampleType::U8:
        return load<uint8_t>(p);
    case SampleType::I8:
        return load<int8_t>(p);
    case SampleType::U16:
        return load<uint16_t>(p);
    case SampleType::I16:
        return load<int16_t>(p);
    case SampleType::U32:
        return load<uint32_t>(p);
    case SampleType::I32:
        return load<int32_t>(p);
    case SampleType::F32:
        return load<float>(p);
    }
    return 0.0f;
}

} // namespace dx
