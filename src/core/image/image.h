// image.h — the one decoded-image type every stage after decoding works on.
//
// How to use:
//   dx::Image img = ...;                          // produced by the decoders (raster, DICOM)
//   float v = img.sample(frame, x, y, channel);   // stored value, before the modality LUT
//   float hu = img.modalityValue(v);              // after Rescale Slope/Intercept (HU for CT)
//
// Layout: frames one after another, rows top to bottom, samples interleaved (RGBRGB...), host byte order.
// Stored values are kept as decoded (after bit masking and sign extension), so exports of raw pixels and the
// modality LUT stay exact; float images exist for sources that are float already.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dx {

enum class SampleType : uint8_t { U8, I8, U16, I16, U32, I32, F32 };

size_t bytesPerSample(SampleType t);
const char* sampleTypeName(SampleType t);

enum class Photometric : uint8_t {
    Monochrome1, // minimum value is white (displayed inverted)
    Monochrome2, // minimum value is black
    RGB,
    RGBA,      // raster images with alpha (PNG/TGA)
    GreyAlpha, // PNG grey + alpha
};

const char* photometricName(Photometric p);

struct WindowPreset {
    double center = 0.0;
    double width = 0.0;
    std::string explanation; // e.g. "WINDOW1" from (0028,1055), or "file", "auto"
};

struct Image {
    int width = 0;
    int height = 0;
    int frames = 1;
    int samplesPerPixel = 1;
    SampleType sampleType = SampleType::U8;
    int bitsStored = 8; // significant bits in each stored sample (e.g. 12 of 16)
    Photometric photometric = Photometric::Monochrome2;

    // Physical size of a pixel in millimetres (row spacing, column spacing); 0 when unknown.
    double pixelSpacingRow = 0.0;
    double pixelSpacingCol = 0.0;

    // Modality LUT (DICOM Rescale Slope/Intercept): value = stored * slope + intercept.
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    std::string rescaleUnit; // "HU" for CT when known

    // VOI windows offered by the source, first one is the default. Empty: compute from the data.
    std::vector<WindowPreset> windows;
    bool voiSigmoid = false; // DICOM VOI LUT Function SIGMOID

    // Free-form attributes for the UI and reports (e.g. "Modality", "BodyPartExamined", "format").
    std::map<std::string, std::string> metadata;

    std::vector<uint8_t> pixels;

    size_t samplesPerFrame() const { return size_t(width) * size_t(height) * size_t(samplesPerPixel); }
    size_t frameBytes() const { return samplesPerFrame() * bytesPerSample(sampleType); }
    const uint8_t* frameData(int frame) const { return pixels.data() + frameBytes() * size_t(frame); }
    uint8_t* frameData(int frame) { return pixels.data() + frameBytes() * size_t(frame); }

    // Stored value of one sample, converted to float (exact for every integer type up to 24 bits).
    float sample(int frame, int x, int y, int channel) const;
    double modalityValue(double stored) const { return stored * rescaleSlope + rescaleIntercept; }
    bool isColour() const { return samplesPerPixel >= 3; }
};

} // namespace dx
