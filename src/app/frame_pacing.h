// frame_pacing.h — when the UI needs drawing. An idle workstation draws nothing, so an open tab costs no CPU
// (and no battery, and no time of the portal page it is embedded in): the platform's main loop draws while
// something happens and sleeps otherwise.
//   - After a wake (input, a call from the page, an answer from a model): every frame for a short while, since
//     ImGui needs a few frames to settle (a click is spread over frames, windows size themselves a frame late,
//     hover tooltips appear after a delay).
//   - While work is in flight (models downloading or opening, analyses queued or running, a heatmap, a batch or
//     validation run): a few frames a second, for progress bars and time-left figures.
//   - While a text field has the keyboard: a few frames a second, for the blinking caret.
//   - Otherwise: nothing, until the next wake.
//
// How to use (the platform's main loop, once per tick; times in milliseconds from any monotonic clock):
//   FramePacer pacer;
//   pacer.wake(now);                                      // from every input event and every call from the page
//   const FrameDemand demand{workInFlight(state), io.WantTextInput};
//   if (pacer.shouldDraw(now, demand)) { drawFrame(); pacer.drew(now); }
//   else if (pacer.canSleep(now, demand)) { /* stop ticking until the next wake */ }
#pragma once

#include "app/app_state.h"

namespace dx {

// What may change on screen without a wake.
struct FrameDemand {
    bool workInFlight = false; // workInFlight(state)
    bool textInput = false;    // a text field has the keyboard (its caret blinks)
};

class FramePacer {
public:
    // Every frame for this long after a wake, and at least this many frames (a tab in the background may get
    // fewer frames a second than the time suggests).
    static constexpr double kSettleMs = 600.0; // longer than ImGui's slowest tooltip delay (0.40 s)
    static constexpr int kSettleFrames = 4;
    // One frame per interval while only work in flight or a caret changes the picture.
    static constexpr double kBusyIntervalMs = 100.0;
    static constexpr double kCaretIntervalMs = 200.0; // ImGui's caret is on 0.8 s, off 0.4 s

    FramePacer() = default;

    void wake(double nowMs);
    bool shouldDraw(double nowMs, const FrameDemand& demand) const;
    void drew(double nowMs);
    // Nothing will need drawing until the next wake.
    bool canSleep(double nowMs, const FrameDemand& demand) const;

    long long wakes() const { return wakes_; }

private:
    bool settling(double nowMs) const;

    double lastWakeMs_ = 0.0;
    double lastDrawMs_ = 0.0;
    int settleFramesLeft_ = kSettleFrames; // the first frames draw without a wake
    long long wakes_ = 0;
};

// Whether something is under way that changes the picture by itself: a model downloading or opening, an
// analysis queued or running, a heatmap being computed, a batch screening or validation run going.
bool workInFlight(const AppState& state);

} // namespace dx
