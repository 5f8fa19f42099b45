// validation_run.cpp — labelled set + batch results -> binary scores and labels, or multi-class score rows
// and class indices (see validation_run.h).
#include "core/validation/validation_run.h"

#include "core/base/csv.h"

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
    return collectValidationScores(run.items(), truth, positiveLabel);
}

Result<ValidationScores> collectValidationScores(std::span<const BatchItem> items, const BinaryTruth& truth,
                                                 const std::string& positiveLabel) {
    if (items.size() != truth.labels.size())
        return Error("the batch has " + std::to_string(items.size()) + " files but the labelled set " +
                     std::to_string(truth.labels.size()));
    ValidationScores out;
    for (size_t i = 0; i < items.size(); i++) {
        const Finding* s =
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
                     " files that could not be analyzed, the set has " + std::to_string(positives) +
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
        const Finding* s = items[i].scoreFor(positiveLabel);
        appendCsvRecord(out,
                        {items[i].name, set.items[i].label, std::to_string(truth.labels[i]),
                         s ? csvNumber(s->score) : "", batchItemStateName(items[i].state), items[i].error});
    }
    return out;
}

// ---------------------------------------------------------------------------------------------- multi-class

bool isMulticlassModel(const ModelManifest& manifest) {
    int softmaxOutputs = 0, otherOutputs = 0;
    for (const ModelOutputSpec& out : manifest.outputs)
        if (out.name != manifest.ood.output)
            (out.activation == Activation::Softmax ? softmaxOutputs : otherOutputs)++;
    return softmaxOutputs == 1 && otherOutputs == 0 && classificationLabels(manifest).size() > 2;
}

Result<MulticlassTruth> multiclassTruth(const LabelledSet& set, const std::vector<std::string>& modelLabels) {
    MulticlassTruth truth;
    truth.classNames = modelLabels;
    truth.counts.assign(modelLabels.size(), 0);
    std::vector<int> modelIndexOfSetClass;
    for (const std::string& c : set.classes) {
        const auto it = std::find_if(modelLabels.begin(), modelLabels.end(), [&](const std::string& label) {
            return sameNameIgnoringCase(c, label);
        });
        if (it == modelLabels.end())
            return Error("the labelled set's class '" + c + "' is none of the model's classes (" +
                         quotedList(modelLabels) +
                         "): name each class folder or CSV label after one of them");
        modelIndexOfSetClass.push_back(int(it - modelLabels.begin()));
    }
    for (const LabelledItem& item : set.items) {
        const int k = modelIndexOfSetClass.at(size_t(item.classIndex));
        truth.labels.push_back(k);
        truth.counts[size_t(k)]++;
    }
    const auto present =
        std::count_if(truth.counts.begin(), truth.counts.end(), [](size_t n) { return n > 0; });
    if (present < 2)
        return Error("the labelled set has cases of " + std::to_string(present) + " of the model's " +
                     std::to_string(modelLabels.size()) + " classes (" + quotedList(modelLabels) +
                     "): at least two are needed");
    return truth;
}

Result<MulticlassScores> collectMulticlassScores(const BatchRun& run, const MulticlassTruth& truth) {
    const std::vector<BatchItem>& items = run.items();
    if (items.size() != truth.labels.size())
        return Error("the batch has " + std::to_string(items.size()) + " files but the labelled set " +
                     std::to_string(truth.labels.size()));
    MulticlassScores out;
    out.classCount = int(truth.classNames.size());
    std::vector<double> row(truth.classNames.size());
    for (size_t i = 0; i < items.size(); i++) {
        bool complete = items[i].state == BatchItemState::Done;
        for (size_t k = 0; complete && k < row.size(); k++) {
            const Finding* s = items[i].scoreFor(truth.classNames[k]);
            if (s)
                row[k] = s->score;
            else
                complete = false;
        }
        if (!complete) {
            out.excluded++;
            continue;
        }
        out.scores.insert(out.scores.end(), row.begin(), row.end());
        out.labels.push_back(truth.labels[i]);
        out.itemIndex.push_back(i);
    }
    if (out.labels.empty())
        return Error("none of the " + std::to_string(items.size()) +
                     " files could be analyzed, so there is nothing to measure");
    return out;
}

std::string multiclassScoresCsv(const BatchRun& run, const LabelledSet& set, const MulticlassTruth& truth) {
    std::vector<std::string> header = {"file", "class", "truth"};
    for (const std::string& label : truth.classNames)
        header.push_back("score_" + label);
    header.insert(header.end(), {"predicted", "state", "error"});
    std::string out;
    appendCsvRecord(out, header);
    const std::vector<BatchItem>& items = run.items();
    for (size_t i = 0; i < items.size() && i < set.items.size(); i++) {
        std::vector<std::string> record = {items[i].name, set.items[i].label,
                                           truth.classNames[size_t(truth.labels[i])]};
        int predicted = -1;
        float best = 0.0f;
        for (size_t k = 0; k < truth.classNames.size(); k++) {
            const Finding* s = items[i].scoreFor(truth.classNames[k]);
            record.push_back(s ? csvNumber(s->score) : "");
            if (s && (predicted < 0 || s->score > best)) { // the first maximum, as the confusion matrix
                predicted = int(k);
                best = s->score;
            }
        }
        record.push_back(items[i].state == BatchItemState::Done && predicted >= 0
                             ? truth.classNames[size_t(predicted)]
                             : "");
        record.push_back(batchItemStateName(items[i].state));
        record.push_back(items[i].error);
        appendCsvRecord(out, record);
    }
    return out;
}

} // namespace dx
