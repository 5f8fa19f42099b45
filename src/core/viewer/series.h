// series.h — groups the studies a user opened into series: DICOM files that share a Series Instance UID
// become one series whose slices are in anatomical order; every other file (PNG, JPEG, a DICOM without a
// series UID, a file that failed to open) is a series of its own. A multi-frame DICOM contributes each frame.
//
// How to use:
//   std::vector<dx::Series> all = dx::groupSeries(workspace.studies());   // cheap: metadata only
//   const dx::Series* s = dx::findSeries(all, selectedStudyId);
//   int at = dx::findSlice(*s, selectedStudyId, frame);                   // position in s->slices
//   dx::SeriesSlice next = s->slices[std::min(at + 1, int(s->slices.size()) - 1)];
//
// Order inside a series: along the slice normal (Image Position (Patient) projected on the cross product of
// Image Orientation (Patient)'s row and column vectors) when every file has both; else by Instance Number
// when every file has one; else in the order the files were opened. Ties fall back to Instance Number, then
// opening order, so the order is always total and stable.
#pragma once

#include "core/viewer/workspace.h"

#include <memory>
#include <string>
#include <vector>

namespace dx {

// One displayable 2D image: a frame of a study.
struct SeriesSlice {
    int studyId = 0;
    int frame = 0;
};

struct Series {
    std::string uid;                 // Series Instance UID; empty for a file that is a series of its own
    std::vector<int> studyIds;       // the member studies in slice order
    std::vector<SeriesSlice> slices; // every frame of every member, in order
};

std::vector<Series> groupSeries(const std::vector<std::unique_ptr<Study>>& studies);
// The series that holds `studyId`, or nullptr.
const Series* findSeries(const std::vector<Series>& series, int studyId);
// Where (studyId, frame) is in series.slices; -1 when it is not there.
int findSlice(const Series& series, int studyId, int frame);

} // namespace dx
