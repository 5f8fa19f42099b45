// risk_form.cpp — the tabular risk form's commands (see risk_form.h).
#include "app/risk_form.h"

#include "app/i18n.h"
#include "core/base/csv.h"
#include "core/base/notice.h"
#include "core/inference/model_library.h"

#include <cstdio>
#include <cstring>
#include <memory>

namespace dx {

const ModelSlot* activeTabularModel(const AppState& state) {
    if (!state.models || state.activeModel.empty()) return nullptr;
    for (const auto& slot : state.models->slots())
        if (slot->ready() && slot->id() == state.activeModel &&
            slot->package->manifest.task == ModelTask::Tabular)
            return slot.get();
    return nullptr;
}

RiskForm& riskForm(AppState& state) {
    if (!state.tabularForm) state.tabularForm = std::make_shared<RiskForm>();
    return *state.tabularForm;
}

static const ModelManifest* formManifest(const AppState& state) {
    const ModelSlot* slot = activeTabularModel(state);
    return slot ? &slot->package->manifest : nullptr;
}

void openRiskForm(AppState& state, const std::string& modelId) {
    state.activeModel = modelId;
    const ModelManifest* m = formManifest(state);
    RiskForm& form = riskForm(state);
    form.studyAtOpen = state.selectedStudy;
    if (!m || form.modelId == modelId) return;
    form = RiskForm{};
    form.modelId = modelId;
    form.studyAtOpen = state.selectedStudy;
    form.fields.resize(m->input.features.size());
    form.focusField = 0; // typing can start at once
}

void closeRiskForm(AppState& state) {
    state.activeModel.clear(); // the first ready image model again
}

void closeRiskFormIfImageSelected(AppState& state) {
    if (activeTabularModel(state) && state.tabularForm &&
        state.selectedStudy != state.tabularForm->studyAtOpen)
        closeRiskForm(state);
}

static FieldMessages translatedMessages() {
    FieldMessages m;
    m.empty = tr(m.empty);
    m.notANumber = tr(m.notANumber);
    m.outOfRange = tr(m.outOfRange);
    m.inCell = tr(m.inCell);
    m.wrongFieldCount = tr(m.wrongFieldCount);
    m.missingColumn = tr(m.missingColumn);
    return m;
}

std::string riskFieldProblem(const AppState& state, size_t featureIndex) {
    const ModelManifest* m = formManifest(state);
    const RiskForm* form = state.tabularForm.get();
    if (!m || !form || featureIndex >= form->fields.size()) return {};
    const TabularFeature& f = m->input.features[featureIndex];
    const char* text = form->fields[featureIndex].text;
    const FieldCheck check = checkFeatureText(f, text);
    if (check.issue == FieldIssue::Empty && !form->attempted) return {};
    return describeFieldIssue(f, check.issue, text, translatedMessages());
}

bool setRiskField(AppState& state, const std::string& feature, const std::string& text) {
    const ModelManifest* m = formManifest(state);
    if (!m) return false;
    RiskForm& form = riskForm(state);
    for (size_t i = 0; i < m->input.features.size() && i < form.fields.size(); i++)
        if (m->input.features[i].name == feature) {
            std::snprintf(form.fields[i].text, sizeof form.fields[i].text, "%s", text.c_str());
            form.edited = true;
            form.textReplaced = true;
            return true;
        }
    return false;
}

bool fillRiskFormExample(AppState& state) {
    const ModelSlot* slot = activeTabularModel(state);
    if (!slot || !slot->package->hasReference || slot->package->referenceInputs.empty()) return false;
    const Tensor& example = slot->package->referenceInputs[0].tensor;
    RiskForm& form = riskForm(state);
    for (size_t i = 0; i < form.fields.size() && i < example.data.size(); i++)
        std::snprintf(form.fields[i].text, sizeof form.fields[i].text, "%g", double(example.data[i]));
    form.edited = true;
    form.textReplaced = true;
    return true;
}

void clearRiskForm(AppState& state) {
    RiskForm& form = riskForm(state);
    for (RiskFieldBuffer& f : form.fields)
        f.text[0] = '\0';
    form.attempted = false;
    form.edited = false;
    form.outcome = RiskOutcome{};
    form.generation++;
    form.focusField = 0;
    form.textReplaced = true;
}

// Analyzes `values` and then measures the contributions; `outcomeOf` finds where the answers go, or null when
// the form was cleared or reloaded meanwhile (the answers are then dropped).
using OutcomeLookup = std::function<RiskOutcome*()>;
using OutcomeDone = std::function<void(RiskOutcome&)>;

static void runOutcome(const ModelSession& session, const std::string& name, const FeatureValues& values,
                       OutcomeLookup outcomeOf, OutcomeDone done) {
    outcomeOf()->running = true;
    analyzeFeatures(session, name, values, [session, outcomeOf, done](Result<AnalysisResult> r) {
        RiskOutcome* o = outcomeOf();
        if (!o) return;
        o->running = false;
        if (!r) {
            o->error = r.error().message;
            return done(*o);
        }
        o->hasResult = true;
        o->result = std::move(*r);
        const std::string label = attributionLabel(o->result.findings);
        if (!canAttributeFeatures(session.package->manifest) || label.empty()) return done(*o);
        o->attributionRunning = true;
        attributeFeatures(session, o->result.input.tensor, label,
                          [outcomeOf, done](Result<FeatureAttribution> a) {
                              RiskOutcome* o = outcomeOf();
                              if (!o) return;
                              o->attributionRunning = false;
                              if (a) {
                                  o->hasAttribution = true;
                                  o->attribution = std::move(*a);
                              } else {
                                  o->attributionError = a.error().message;
                              }
                              done(*o);
                          });
    });
}

bool analyzeRiskForm(AppState& state) {
    const ModelSlot* slot = activeTabularModel(state);
    if (!slot) return false;
    const ModelManifest& m = slot->package->manifest;
    RiskForm& form = riskForm(state);
    form.attempted = true;
    FeatureValues values;
    int problems = 0;
    for (size_t i = 0; i < m.input.features.size(); i++) {
        const FieldCheck check = checkFeatureText(m.input.features[i], form.fields[i].text);
        if (check.issue == FieldIssue::None)
            values.emplace_back(m.input.features[i].name, check.value);
        else if (problems++ == 0)
            form.focusField = int(i); // the keyboard goes where the first fix is needed
    }
    if (problems > 0) {
        form.outcome = RiskOutcome{};
        char text[160];
        std::snprintf(text, sizeof text,
                      tr("The form was not analyzed: %d fields need a valid value (see the messages next to "
                         "them)."),
                      problems);
        announce(state, text);
        return false;
    }
    form.outcome = RiskOutcome{};
    form.edited = false;
    const int generation = ++form.generation;
    std::shared_ptr<RiskForm> owner = state.tabularForm;
    AppState* app = &state; // the platform's AppState lives as long as the program
    runOutcome(
        slot->session, "form", values,
        [owner, generation]() -> RiskOutcome* {
            return owner->generation == generation ? &owner->outcome : nullptr;
        },
        [app](RiskOutcome& o) { announce(*app, describeRiskOutcome(o, tr("Risk form"))); });
    return true;
}

bool loadRiskBatch(AppState& state, const std::string& fileName, const std::string& csvText) {
    const ModelSlot* slot = activeTabularModel(state);
    if (!slot) return false;
    RiskForm& form = riskForm(state);
    form.batch.clear();
    form.ignoredColumns.clear();
    form.batchFile = fileName;
    const int generation = ++form.batchGeneration;
    Result<FeatureBatch> batch =
        readFeatureBatch(slot->package->manifest.input, csvText, translatedMessages());
    if (!batch) {
        form.batchError = batch.error().message;
        announce(state, fileName + ": " + form.batchError);
        return false;
    }
    form.batchError.clear();
    form.ignoredColumns = batch->ignoredColumns;
    for (FeatureBatchRow& r : batch->rows)
        form.batch.push_back({r.row, r.name, std::move(r.problems), {}});
    std::shared_ptr<RiskForm> owner = state.tabularForm;
    auto pending = std::make_shared<int>(0);
    for (const FeatureBatchRow& r : batch->rows)
        *pending += r.problems.empty() ? 1 : 0;
    AppState* app = &state;
    auto finished = [app, owner, pending, fileName](RiskOutcome&) {
        if (--*pending > 0) return;
        int analyzed = 0, rejected = 0;
        for (const RiskBatchRow& r : owner->batch)
            (r.problems.empty() && r.outcome.hasResult ? analyzed : rejected)++;
        char text[256];
        std::snprintf(text, sizeof text, tr("%s: %d rows analyzed, %d rows not analyzed (see the table)."),
                      fileName.c_str(), analyzed, rejected);
        announce(*app, text);
    };
    if (*pending == 0) {
        *pending = 1;
        RiskOutcome none;
        finished(none);
        return true;
    }
    for (size_t i = 0; i < batch->rows.size(); i++) {
        if (!batch->rows[i].problems.empty()) continue;
        runOutcome(
            slot->session, batch->rows[i].name, batch->rows[i].values,
            [owner, generation, i]() -> RiskOutcome* {
                return owner->batchGeneration == generation ? &owner->batch[i].outcome : nullptr;
            },
            finished);
    }
    return true;
}

static std::string number(const char* format, double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// The finding the form's decision is about (the one attributed), or null.
static const Finding* decisionFinding(const RiskOutcome& o) {
    const std::string label = attributionLabel(o.result.findings);
    for (const Finding& f : o.result.findings)
        if (f.label == label) return &f;
    return nullptr;
}

static std::string topContributions(const RiskOutcome& o, size_t count) {
    std::string text;
    for (size_t i = 0; i < o.attribution.contributions.size() && i < count; i++) {
        const FeatureContribution& c = o.attribution.contributions[i];
        text += (i ? "; " : "") + c.feature + " " + number("%+.4f", c.deltaProbability);
    }
    return text;
}

Result<ExportedFile> exportRiskBatchCsv(const AppState& state) {
    const RiskForm* form = state.tabularForm.get();
    if (!form || form->batch.empty())
        return Error(tr("Load a CSV of cases first: there are no results to export."));
    std::string csv;
    appendCsvRecord(csv, {"row", "name", "status", "label", "probability", "threshold", "decision",
                          "ood_score", "in_distribution", "top_contributions", "problems"});
    for (const RiskBatchRow& r : form->batch) {
        const RiskOutcome& o = r.outcome;
        const Finding* f = o.hasResult ? decisionFinding(o) : nullptr;
        const std::string status = !r.problems.empty()                 ? "rejected"
                                   : o.running || o.attributionRunning ? "running"
                                   : o.hasResult                       ? "analyzed"
                                                                       : "failed";
        std::string problems;
        for (const std::string& p : r.problems)
            problems += (problems.empty() ? "" : "; ") + p;
        if (!o.error.empty()) problems += o.error;
        std::vector<std::string> record = {std::to_string(r.row), r.name, status};
        if (f) {
            record.insert(record.end(),
                          {f->label, csvNumber(f->score), f->hasThreshold ? csvNumber(f->threshold) : "",
                           f->hasThreshold ? (f->positive ? "positive" : "negative") : ""});
            const OodVerdict& ood = o.result.ood;
            record.insert(record.end(), {ood.present ? csvNumber(ood.score) : "",
                                         ood.present ? (ood.inDistribution ? "yes" : "no") : ""});
        } else {
            record.insert(record.end(), 6, "");
        }
        record.insert(record.end(), {topContributions(o, 3), problems});
        appendCsvRecord(csv, record);
    }
    std::string stem = form->batchFile.substr(form->batchFile.find_last_of("/\\") + 1);
    if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".csv") == 0) stem.resize(stem.size() - 4);
    return ExportedFile{stem + "-" + form->modelId + "-results.csv", "text/csv", std::move(csv)};
}

bool downloadRiskBatchCsv(AppState& state) {
    return downloadExport(state, exportRiskBatchCsv(state));
}

std::string describeRiskOutcome(const RiskOutcome& o, const std::string& subject) {
    char buf[512];
    if (!o.error.empty()) {
        std::snprintf(buf, sizeof buf, tr("%s: the analysis failed: %s"), subject.c_str(), o.error.c_str());
        return buf;
    }
    const Finding* f = o.hasResult ? decisionFinding(o) : nullptr;
    if (!f) return subject + ": " + tr("no result.");
    std::string text = subject + ": ";
    if (f->hasThreshold)
        std::snprintf(buf, sizeof buf,
                      f->positive
                          ? tr("%s probability %.3f, at or above the threshold %.3f: the model flags %s.")
                          : tr("%s probability %.3f, below the threshold %.3f: the model does not flag %s."),
                      trTerm(f->label).c_str(), f->score, f->threshold, trTerm(f->label).c_str());
    else
        std::snprintf(buf, sizeof buf, tr("%s probability %.3f."), trTerm(f->label).c_str(), f->score);
    text += buf;
    if (o.result.ood.present && !o.result.ood.inDistribution)
        text += std::string(" ") +
                tr("Warning: these values are unlike the cases the model was trained on; do not rely on this "
                   "result.");
    if (o.hasAttribution)
        text += std::string(" ") + tr("Pushed most by") + " " + topContributions(o, 3) + ".";
    std::snprintf(buf, sizeof buf, tr(" Model %s on %s. %s."), o.result.model.c_str(),
                  o.result.backend.c_str(), tr(kResearchUseNotice));
    return text + buf;
}

} // namespace dx
