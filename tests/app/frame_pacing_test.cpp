// When the UI needs drawing (app/frame_pacing.h): every frame for a while after a wake, a few frames a second
// while work is in flight or a caret blinks, and none at all once nothing happens; and what counts as work in
// flight (a model loading, an analysis queued or running), which ends when the work does.
#include "app/frame_pacing.h"
#include "core/codecs/raster_encoder.h"
#include "core/inference/model_library.h"
#include "core/viewer/workspace.h"
#include "tests/core/fake_model.h"

#include <catch2/catch.hpp>

namespace {

// Draws as the platform's loop would, one tick every `stepMs` from `fromMs` to `toMs`; returns the frames drawn.
int ticks(dx::FramePacer& pacer, double fromMs, double toMs, double stepMs, const dx::FrameDemand& demand) {
    int drawn = 0;
    for (double t = fromMs; t < toMs; t += stepMs)
        if (pacer.shouldDraw(t, demand)) {
            pacer.drew(t);
            drawn++;
        }
    return drawn;
}

class HeldModel : public HeldResultsModel {
public:
    HeldModel() { async = true; }
    std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>&) override {
        return {{"logits", {{1, 2}, {0.0f, 1.0f}}}};
    }
};

} // namespace

TEST_CASE("The loop draws after a wake, then sleeps until the next one") {
    dx::FramePacer pacer;
    const dx::FrameDemand idle;
    // Start-up: the first frames draw without a wake, then the loop may sleep.
    CHECK(ticks(pacer, 0.0, 1000.0, 16.0, idle) >= dx::FramePacer::kSettleFrames);
    CHECK(pacer.canSleep(1000.0, idle));
    CHECK(ticks(pacer, 1000.0, 5000.0, 16.0, idle) == 0);

    // A wake: every tick draws for the settle time (ImGui settles, tooltips appear), then nothing.
    pacer.wake(5000.0);
    CHECK_FALSE(pacer.canSleep(5000.0, idle));
    const int settling = ticks(pacer, 5000.0, 5000.0 + dx::FramePacer::kSettleMs, 16.0, idle);
    CHECK(settling == int(dx::FramePacer::kSettleMs / 16.0) + 1);
    CHECK(pacer.canSleep(5000.0 + dx::FramePacer::kSettleMs, idle));
    CHECK(ticks(pacer, 5000.0 + dx::FramePacer::kSettleMs, 20000.0, 16.0, idle) == 0);
    CHECK(pacer.wakes() == 1);
}

TEST_CASE("A wake draws a few frames even when the ticks come slowly") {
    dx::FramePacer pacer;
    ticks(pacer, 0.0, 1000.0, 16.0, {});
    pacer.wake(2000.0);
    // A background tab's ticks: one a second. The settle time passes at the second, the frames still come.
    CHECK(ticks(pacer, 2000.0, 10000.0, 1000.0, {}) == dx::FramePacer::kSettleFrames);
}

TEST_CASE("Work in flight and a blinking caret draw a few frames a second, and keep the loop awake") {
    dx::FramePacer pacer;
    ticks(pacer, 0.0, 1000.0, 16.0, {});
    const dx::FrameDemand working{true, false};
    CHECK_FALSE(pacer.canSleep(1000.0, working));
    const int busy = ticks(pacer, 1000.0, 2000.0, 16.0, working);
    CHECK(busy >= 9);
    CHECK(busy <= 11);
    const dx::FrameDemand typing{false, true};
    CHECK_FALSE(pacer.canSleep(2000.0, typing));
    const int caret = ticks(pacer, 2000.0, 3000.0, 16.0, typing);
    CHECK(caret >= 4);
    CHECK(caret <= 6);
    CHECK(pacer.canSleep(3000.0, {}));
}

TEST_CASE("A model loading and an analysis running are work in flight until they end") {
    dx::AppState state;
    CHECK_FALSE(dx::workInFlight(state)); // no library, no workspace: nothing can be under way

    dx::ModelLibrary library;
    dx::Workspace workspace;
    state.models = &library;
    state.workspace = &workspace;
    CHECK_FALSE(dx::workInFlight(state));

    const int key = library.beginLoading("models/cxr-pneumonia/");
    CHECK(dx::workInFlight(state)); // downloading
    library.fail(key, "not found");
    CHECK_FALSE(dx::workInFlight(state)); // failed is over

    HeldModel model;
    const dx::ModelSlot slot = readySlot(model);
    const uint8_t pixels[4] = {10, 20, 30, 40};
    dx::Result<std::vector<uint8_t>> png = dx::encodePng(2, 2, 1, pixels);
    REQUIRE(png.ok());
    const int a = workspace.addFile("a.png", *png);
    const int b = workspace.addFile("b.png", *png);
    REQUIRE(workspace.analyze(a, slot, {}));
    REQUIRE(workspace.analyze(b, slot, {}));
    CHECK(dx::workInFlight(state)); // one running, one queued
    REQUIRE(model.deliverOne());
    CHECK(dx::workInFlight(state)); // the queued one runs now
    REQUIRE(model.deliverOne());
    CHECK_FALSE(dx::workInFlight(state));
}
