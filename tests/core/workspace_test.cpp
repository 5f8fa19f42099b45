// The workstation's study queue (workspace.h) with a fake model that holds its results until the test
// delivers them: images opened together are Queued, analyzed one at a time in the order asked for, each
// starting when the one before it has finished; a study removed while queued is skipped; asking again while
// queued or running changes nothing; studies opened before any model is ready wait for one.
#include "core/codecs/raster_encoder.h"
#include "core/viewer/workspace.h"
#include "tests/core/fake_model.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace {

// Two-class "model" whose run() results wait in a queue until deliverOne().
class HeldModel : public HeldResultsModel {
public:
    HeldModel() { async = true; }
    std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>&) override {
        return {{"logits", {{1, 2}, {0.0f, 1.0f}}}};
    }
};

dx::Bytes greyPng(uint8_t level) {
    const uint8_t pixels[4] = {level, level, level, level};
    dx::Result<std::vector<uint8_t>> png = dx::encodePng(2, 2, 1, pixels);
    REQUIRE(png.ok());
    return *png;
}

dx::AnalysisState stateOf(dx::Workspace& ws, int id) {
    const dx::StudyAnalysis* a = ws.find(id)->analysis("held-test");
    REQUIRE(a != nullptr);
    return a->state;
}

} // namespace

TEST_CASE("Images opened together are queued and analyzed one at a time, in the order asked for") {
    HeldModel model;
    const dx::ModelSlot slot = readySlot(model);
    dx::Workspace ws;
    std::vector<int> ids;
    for (int i = 0; i < 3; i++)
        ids.push_back(ws.addFile("img" + std::to_string(i) + ".png", greyPng(uint8_t(40 * i))));
    std::vector<std::string> events;
    for (int id : ids)
        REQUIRE(ws.analyze(
            id, slot, [&](const dx::Study& s) { events.push_back("done " + s.name); },
            [&](const dx::Study& s) { events.push_back("started " + s.name); }));

    // The first runs, the others wait their turn: the model is asked for one image only.
    CHECK(stateOf(ws, ids[0]) == dx::AnalysisState::Running);
    CHECK(stateOf(ws, ids[1]) == dx::AnalysisState::Queued);
    CHECK(stateOf(ws, ids[2]) == dx::AnalysisState::Queued);
    CHECK(model.runs == 1);
    CHECK(ws.queuedAnalyses() == 2);
    CHECK(ws.analysesAhead(ids[0], "held-test") == -1); // running, not queued
    CHECK(ws.analysesAhead(ids[1], "held-test") == 1);
    CHECK(ws.analysesAhead(ids[2], "held-test") == 2);
    CHECK(std::string(dx::analysisStateName(stateOf(ws, ids[1]))) == "queued");
    CHECK(events == std::vector<std::string>{"started img0.png"});

    // Asking again while queued or running changes nothing (no second run, no lost place in the queue).
    CHECK_FALSE(ws.analyze(ids[0], slot, {}));
    CHECK_FALSE(ws.analyze(ids[2], slot, {}));
    CHECK(ws.queuedAnalyses() == 2);

    REQUIRE(model.deliverOne());
    CHECK(stateOf(ws, ids[0]) == dx::AnalysisState::Done);
    CHECK(stateOf(ws, ids[1]) == dx::AnalysisState::Running);
    CHECK(stateOf(ws, ids[2]) == dx::AnalysisState::Queued);
    CHECK(ws.analysesAhead(ids[2], "held-test") == 1);
    while (model.deliverOne()) {
    }
    CHECK(model.peakInFlight == 1);
    CHECK(model.runs == 3);
    for (int id : ids)
        CHECK(stateOf(ws, id) == dx::AnalysisState::Done);
    CHECK(events == std::vector<std::string>{"started img0.png", "done img0.png", "started img1.png",
                                             "done img1.png", "started img2.png", "done img2.png"});
    // Done: it may be analyzed again, and as nothing else runs it starts at once.
    CHECK(ws.analyze(ids[1], slot, {}));
    CHECK(stateOf(ws, ids[1]) == dx::AnalysisState::Running);
    CHECK(model.deliverOne());
    CHECK(stateOf(ws, ids[1]) == dx::AnalysisState::Done);
}

TEST_CASE("A study removed while queued is skipped, and one removed while running lets the next start") {
    HeldModel model;
    const dx::ModelSlot slot = readySlot(model);
    dx::Workspace ws;
    const int a = ws.addFile("a.png", greyPng(10));
    const int b = ws.addFile("b.png", greyPng(20));
    const int c = ws.addFile("c.png", greyPng(30));
    int done = 0;
    for (int id : {a, b, c})
        ws.analyze(id, slot, [&](const dx::Study&) { done++; });
    ws.remove(b);
    CHECK(ws.queuedAnalyses() == 1);
    CHECK(ws.analysesAhead(c, "held-test") == 1);
    ws.remove(a); // its result arrives for nobody; c must still start
    REQUIRE(model.deliverOne());
    CHECK(done == 0);
    CHECK(stateOf(ws, c) == dx::AnalysisState::Running);
    REQUIRE(model.deliverOne());
    CHECK(done == 1);
    CHECK(stateOf(ws, c) == dx::AnalysisState::Done);
    CHECK_FALSE(model.deliverOne());
    CHECK(model.runs == 2);
}

TEST_CASE("With a model that answers at once the queue drains in order without piling up calls") {
    HeldModel model;
    model.async = false;
    const dx::ModelSlot slot = readySlot(model);
    dx::Workspace ws;
    std::vector<int> order;
    for (int i = 0; i < 200; i++) {
        const int id = ws.addFile("s" + std::to_string(i) + ".png", greyPng(uint8_t(i)));
        CHECK(ws.analyze(id, slot, [&](const dx::Study& s) { order.push_back(s.id); }));
        CHECK(stateOf(ws, id) == dx::AnalysisState::Done);
    }
    CHECK(order.size() == 200);
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(ws.queuedAnalyses() == 0);
}

// The held first result lets the queue fill; then each analysis finishes inside the call that starts it, so
// were each queued study started from its predecessor's completion callback, 10,000 of them would overflow
// the stack (8 MB natively, 1 MB in the WASM tests).
TEST_CASE("Ten thousand studies queued behind a slow analysis drain in order once answers come at once") {
    HeldModel model;
    const dx::ModelSlot slot = readySlot(model);
    dx::Workspace ws;
    const dx::Bytes png = greyPng(90);
    const int count = 10000;
    std::vector<int> ids, order;
    for (int i = 0; i < count; i++) {
        ids.push_back(ws.addFile("s" + std::to_string(i) + ".png", png));
        ws.analyze(ids.back(), slot, [&](const dx::Study& s) { order.push_back(s.id); });
    }
    CHECK(ws.queuedAnalyses() == count - 1);
    model.async = false;
    REQUIRE(model.deliverOne());
    CHECK(order == ids);
    CHECK(ws.queuedAnalyses() == 0);
    CHECK(ws.runningAnalyses() == 0);
    CHECK(model.runs == count);
    const auto done = std::count_if(ids.begin(), ids.end(),
                                    [&](int id) { return stateOf(ws, id) == dx::AnalysisState::Done; });
    CHECK(done == count);
}

TEST_CASE("Studies opened before a model is ready wait for one, but undecodable or removed ones do not") {
    HeldModel model;
    dx::Workspace ws;
    const int first = ws.addFile("first.png", greyPng(1));
    const int broken = ws.addFile("broken.dcm", dx::Bytes{1, 2, 3});
    const int second = ws.addFile("second.png", greyPng(2));
    const int gone = ws.addFile("gone.png", greyPng(3));
    for (int id : {first, broken, second, gone, first})
        ws.awaitModel(id);
    CHECK(ws.awaitingModel(first));
    CHECK_FALSE(ws.awaitingModel(broken));
    ws.remove(gone);
    CHECK_FALSE(ws.awaitingModel(gone));
    const std::vector<int> waiting = ws.takeAwaitingModel();
    CHECK(waiting == std::vector<int>{first, second});
    CHECK_FALSE(ws.awaitingModel(first));
    CHECK(ws.takeAwaitingModel().empty());

    // A slot that is not ready yet cannot take them.
    dx::ModelSlot loading = readySlot(model);
    loading.state = dx::ModelSlotState::Opening;
    CHECK_FALSE(ws.analyze(first, loading, {}));
    CHECK(ws.find(first)->analysis("held-test") == nullptr);
}
