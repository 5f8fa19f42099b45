// view_geometry.h — where an image lands on the screen in the viewer (zoom, pan, quarter-turn rotation,
// horizontal/vertical flip) and back, and lengths measured on it (in mm when the pixel spacing is known).
// Pure arithmetic, so the viewer's mouse mapping, ruler and readout are tested without a browser.
//
// How to use:
//   dx::ViewGeometry g{img.width, img.height, /*quarterTurns=*/1, /*flipH=*/false, /*flipV=*/false,
//                      /*scale=*/2.0f, /*centre=*/{640, 400}};
//   dx::Point2 s = g.toScreen({10, 20});           // image pixel coordinates -> screen
//   dx::Point2 p = g.toImage(mouse);               // screen -> image pixel coordinates (fractional)
//   std::array<dx::Point2, 4> uv = g.cornerUVs();  // texture coordinates for the screen rectangle's corners
//   dx::Length d = dx::measureLength(img, a, b);   // d.pixels, d.millimetres (when d.hasMillimetres)
//
// Rotation is clockwise on the screen and applied before the flips, which act on the screen axes (a flip
// after a turn mirrors what the reader sees, as in PACS viewers).
#pragma once

#include "core/image/image.h"

#include <array>

namespace dx {

struct Point2 {
    double x = 0.0, y = 0.0;
};

struct ViewGeometry {
    int imageWidth = 0, imageHeight = 0;
    int quarterTurns = 0; // clockwise, any integer (taken modulo 4)
    bool flipH = false, flipV = false;
    double scale = 1.0; // screen pixels per image pixel
    Point2 centre;      // screen position of the image's centre

    int turns() const { return ((quarterTurns % 4) + 4) % 4; }
    // Size of the image on the screen, in image pixels (width and height swap on odd turns).
    double shownWidth() const { return turns() % 2 ? imageHeight : imageWidth; }
    double shownHeight() const { return turns() % 2 ? imageWidth : imageHeight; }
    Point2 toScreen(Point2 image) const;
    Point2 toImage(Point2 screen) const;
    // The shown rectangle's corners on the screen: top-left, top-right, bottom-right, bottom-left.
    std::array<Point2, 4> screenCorners() const;
    // Normalised texture coordinates (0..1) of the image at those corners.
    std::array<Point2, 4> cornerUVs() const;
};

struct Length {
    double pixels = 0.0;
    double millimetres = 0.0;
    bool hasMillimetres = false; // the image has a pixel spacing
};

// Distance between two points in image pixel coordinates; millimetres use the row spacing for vertical and
// the column spacing for horizontal steps (DICOM Pixel Spacing is row\column).
Length measureLength(const Image& img, Point2 a, Point2 b);

} // namespace dx
