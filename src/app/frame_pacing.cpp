// frame_pacing.cpp — see frame_pacing.h.
#include "app/frame_pacing.h"

#include "app/batch_state.h"
#include "core/inference/model_library.h"
#include "core/validation/batch_run.h"
#include "core/viewer/workspace.h"

namespace dx {

void FramePacer::wake(double nowMs) {
    lastWakeMs_ = nowMs;
    settleFramesLeft_ = kSettleFrames;
    wakes_++;
}

bool FramePacer::settling(double nowMs) const {
    return settleFramesLeft_ > 0 || nowMs - lastWakeMs_ < kSettleMs;
}

bool FramePacer::shouldDraw(double nowMs, const FrameDemand& demand) const {
    if (settling(nowMs)) return true;
    const double sinceDraw = nowMs - lastDrawMs_;
    return (demand.workInFlight && sinceDraw >= kBusyIntervalMs) ||
           (demand.textInput && sinceDraw >= kCaretIntervalMs);
}

void FramePacer::drew(double nowMs) {
    lastDrawMs_ = nowMs;
    if (settleFramesLeft_ > 0) settleFramesLeft_--;
}

bool FramePacer::canSleep(double nowMs, const FrameDemand& demand) const {
    return !settling(nowMs) && !demand.workInFlight && !demand.textInput;
}

static bool batchRunning(const std::shared_ptr<BatchRun>& run) {
    // progress() is "started and not yet finished"; a run made but not started changes nothing on its own.
    return run && !run->finished() && run->progress(0.0).running;
}

bool workInFlight(const AppState& state) {
    if (state.models)
        for (const auto& slot : state.models->slots())
            if (slot->state == ModelSlotState::Downloading || slot->state == ModelSlotState::Opening)
                return true;
    if (state.workspace) {
        const Workspace& w = *state.workspace;
        if (w.queuedAnalyses() > 0 || w.runningAnalyses() > 0) return true;
        for (const auto& study : w.studies())
            for (const auto& entry : study->analyses)
                if (entry.second.saliency.running) return true;
    }
    if (state.batch && batchRunning(state.batch->run)) return true;
    if (state.validation && batchRunning(state.validation->run)) return true;
    return false;
}

} // namespace dx
