// validation_run.cpp — labelled set + batch results -> binary scores and labels (see validation_run.h).
#include "validation_run.h"

#include "report_internal.h"

#include <algorithm>
#include <cctype>

namespace dx {

static bool sameNameIgnoringCase(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::vector<std::string> classificationLabels(const ModelManifest& manifest) {
    std::vector<std::string> labels;
    for (const ModelOutputSpec& out : manifest.outputs)
        if (out.name != manifest.ood.output)
            labels.insert(labels.end(), out.labels.begin(), out.labels.end());
    return labels;
}

std::string defaultPositiveLabel(const ModelManifest& manifest) {
    for (const ModelOutputSpec& out : manifest.outputs)
        if (out.name != manifest.ood.output && !out.thresholds.empty()) return out.thresholds.front().first;
    const std::vector<std::string> labels = classificationLabels(manifest);
    return labels.empty() ? std::string() : labels.back();
}

double defaultThreshold(const ModelManifest& manifest, const std::string& label) {
    double threshold = 0.5;
    for (const ModelOutputSpec& out : manifest.outputs)
        if (out.name != manifest.ood.output && findThreshold(out, label, &threshold)) return threshold;
    return 0.5;
}

static std::string quotedList(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names)
        text += (text.empty() ? "'" : ", '") + n + "'";
    return text;
}

Result<BinaryTruth> binaryTruth(const LabelledSet& set, const std::string& positiveLabel) {
    BinaryTruth truth;
    int positiveIndex = -1;
    for (size_t c = 0; c < set.classes.size(); c++) {
        if (positiveIndex < 0 && sameNameIgnoringCase(set.classes[c], positiveLabel)) {
            positiveIndex = int(c);
            truth.positiveClass = set.classes[c];
        } else {
            truth.negativeClasses.push_back(set.classes[c]);
        }
    }
    if (positiveIndex < 0)
        return Error("none of the labelled set's classes (" + quotedList(set.classes) + ") is the model's '" +
                     positiveLabel + "': name the folder or CSV label of the positive cases '" +
                     positiveLabel + "'");
    if (truth.negativeClasses.empty())
        return Error("the labelled set has only '" + truth.positiveClass +
                     "' cases: sensitivity and specificity need negative cases too (a second class folder)");
    for (const LabelledItem& item : set.items) {
        const int y = item.classIndex == positiveIndex ? 1 : 0;
        truth.labels.push_back(y);
        (y ? truth.positives : truth.negatives)++;
    }
    return truth;
}

Result<ValidationScores> collectValidationScores(const BatchRun& run, const BinaryTruth& truth,
                                                 const std::string& positiveLabel) {
    const std::vector<BatchItem>& items = run.items();
    if (items.size() != truth.labels.size())
        return Error("the batch has " + std::to_string(items.size()) + " files but the labelled set " +
                     std::to_string(truth.labels.size()));
    ValidationScores out;
    for (size_t i = 0; i < items.size(); i++) {
        const BatchScore* s =
            items[i].state == BatchItemState::Done ? items[i].scoreFor(positiveLabel) : nullptr;
        if (!s) {
            out.excluded++;
            continue;
        }
        out.scores.push_back(s->score);
        out.labels.push_back(truth.labels[i]);
        out.itemIndex.push_back(i);
    }
    const auto positives = size_t(std::count(out.labels.begin(), out.labels.end(), 1));
    if (positives == 0 || positives == out.labels.size())
        return Error("after leaving out " + std::to_string(out.excluded) +
                     " files that could not be analysed, the set has " + std::to_string(positives) +
                     " positive and " + std::to_string(out.labels.size() - positives) +
                     " negative cases: both are needed");
    return out;
}

std::string validationScoresCsv(const BatchRun& run, const LabelledSet& set, const BinaryTruth& truth,
                                const std::string& positiveLabel) {
    std::string out;
    appendCsvRecord(out, {"file", "class", "truth", "score_" + positiveLabel, "state", "error"});
    const std::vector<BatchItem>& items = run.items();
    for (size_t i = 0; i < items.size() && i < set.items.size(); i++) {
        const BatchScore* s = items[i].scoreFor(positiveLabel);
        appendCsvRecord(out,
                        {items[i].name, set.items[i].label, std::to_string(truth.labels[i]),
                         s ? floatText(s->score) : "", batchItemStateName(items[i].state), items[i].error});
    }
    return out;
}

} // namespace dx
