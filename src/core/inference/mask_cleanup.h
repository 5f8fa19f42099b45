// mask_cleanup.h — removes stray islands and fills holes in a segmentation label mask, as the manifest asks.
//
// How to use:
//   dx::MaskCleanup cleanup;                 // from the manifest: outputs[0].mask_cleanup
//   cleanup.keepLargestComponents = 2;       // 0: keep every component
//   cleanup.fillHoles = true;
//   dx::Status s = dx::cleanUpMask(labels, width, height, classCount, cleanup);   // labels changed in place
//
// segmentationMask (postprocess.h) calls it after the argmax when the manifest has "mask_cleanup", so the class
// areas and fractions it reports are those of the cleaned mask. The Python evaluation does the same with
// scipy.ndimage in models/training/mask_cleanup.py (clean_mask); tests/model/mask_cleanup_reference.py checks
// that both give the same mask, pixel for pixel. Change one, change the other.
//
// What it does, for each class except background (class 0), one class after another in index order, on the
// mask as the previous classes left it:
//   1. components first: of the class's connected components, only the keepLargestComponents largest stay;
//      the pixels of the others become background (0). Ties in size go to the component whose first pixel in
//      raster order (row by row, left to right) comes first, which is the order scipy.ndimage.label numbers
//      them in.
//   2. then holes: every region of pixels that are not this class and that does not touch the image border
//      becomes this class (scipy.ndimage.binary_fill_holes on the class's binary mask). Such a region may hold
//      another class's pixels; they become this class too, as in scipy.
// Components first, so a small island removed from inside a hole is filled with the hole, never left as a gap.
// Connectivity is 4 (edge neighbours only) in both steps, the default structure of scipy.ndimage.label and
// binary_fill_holes: two pixels touching only at a corner belong to different components.
//
// Cost: O(classes x pixels), without recursion (a 4096 x 4096 mask cannot overflow the stack). Regions are found
// as horizontal runs joined by union-find rather than by a per-pixel flood fill: no label per pixel, and each
// run is read and written as a block (see the .cpp); the run buffers are reused for every step of every class.
#pragma once

#include "core/base/result.h"

#include <cstdint>
#include <vector>

namespace dx {

struct MaskCleanup {
    int keepLargestComponents = 0; // per class; 0 keeps them all
    bool fillHoles = false;
    bool any() const { return keepLargestComponents > 0 || fillHoles; }
};

// `labels` holds width x height class indices, row-major, each below classCount. Fails, leaving the mask as
// it was, when the sizes do not match or the mask has 2^32 pixels or more.
Status cleanUpMask(std::vector<uint8_t>& labels, int width, int height, int classCount,
                   const MaskCleanup& cleanup);

} // namespace dx
