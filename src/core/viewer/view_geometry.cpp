// view_geometry.cpp — see view_geometry.h.
#include "core/viewer/view_geometry.h"

#include <cmath>

namespace dx {

Point2 ViewGeometry::toScreen(Point2 image) const {
    double x = image.x - imageWidth * 0.5, y = image.y - imageHeight * 0.5;
    for (int i = 0; i < turns(); i++) { // one clockwise quarter turn with y pointing down: (x, y) -> (-y, x)
        const double t = x;
        x = -y;
        y = t;
    }
    if (flipH) x = -x;
    if (flipV) y = -y;
    return {centre.x + x * scale, centre.y + y * scale};
}

Point2 ViewGeometry::toImage(Point2 screen) const {
    double x = (screen.x - centre.x) / scale, y = (screen.y - centre.y) / scale;
    if (flipH) x = -x;
    if (flipV) y = -y;
    for (int i = 0; i < turns(); i++) { // undo a clockwise quarter turn: (x, y) -> (y, -x)
        const double t = x;
        x = y;
        y = -t;
    }
    return {x + imageWidth * 0.5, y + imageHeight * 0.5};
}

std::array<Point2, 4> ViewGeometry::screenCorners() const {
    const double hw = shownWidth() * scale * 0.5, hh = shownHeight() * scale * 0.5;
    return {{{centre.x - hw, centre.y - hh},
             {centre.x + hw, centre.y - hh},
             {centre.x + hw, centre.y + hh},
             {centre.x - hw, centre.y + hh}}};
}

std::array<Point2, 4> ViewGeometry::cornerUVs() const {
    std::array<Point2, 4> uv = screenCorners();
    for (Point2& p : uv) {
        const Point2 image = toImage(p);
        p = {image.x / imageWidth, image.y / imageHeight};
    }
    return uv;
}

Length measureLength(const Image& img, Point2 a, Point2 b) {
    const double dx = b.x - a.x, dy = b.y - a.y;
    Length length;
    length.pixels = std::hypot(dx, dy);
    if (img.pixelSpacingRow > 0.0 && img.pixelSpacingCol > 0.0) {
        length.millimetres = std::hypot(dx * img.pixelSpacingCol, dy * img.pixelSpacingRow);
        length.hasMillimetres = true;
    }
    return length;
}

} // namespace dx
