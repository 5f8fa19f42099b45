// The archive run's read-ahead (src/cli/ordered_read_ahead.h): several workers, results strictly in input order
// whatever order the workers finish in, failures delivered as values at their place, never more than `depth`
// items ahead of the consumer, and a stop mid-run that returns promptly. Native only (threads).
#include "cli/ordered_read_ahead.h"
#include "core/base/result.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;

// Counts the items alive at once (produced and not yet destroyed by the consumer).
struct Tracked {
    size_t position = 0;
    std::shared_ptr<std::atomic<int>> alive;
    Tracked(size_t p, std::shared_ptr<std::atomic<int>> a) : position(p), alive(std::move(a)) { ++*alive; }
    Tracked(Tracked&& o) noexcept : position(o.position), alive(std::move(o.alive)) {}
    Tracked& operator=(Tracked&&) = delete;
    ~Tracked() {
        if (alive) --*alive;
    }
};

} // namespace

TEST_CASE("items arrive in input order although workers finish out of order", "[read-ahead]") {
    // Position 0 is held back until position 1 has been produced: it can only arrive first if the read-ahead
    // reorders, and position 1 can only be produced meanwhile if two workers run at once.
    std::atomic<bool> secondDone{false};
    std::atomic<bool> sawSecondFirst{false};
    std::atomic<int> running{0}, mostRunning{0};
    const size_t count = 3000;
    dx::OrderedReadAhead<size_t> ahead(count, 4, 6, [&](size_t k) {
        const int now = ++running;
        int seen = mostRunning.load();
        while (now > seen && !mostRunning.compare_exchange_weak(seen, now)) {
        }
        if (k == 0) {
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            while (!secondDone && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(1ms);
            sawSecondFirst = secondDone.load();
        }
        if (k % 13 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50 + (k * 7919) % 300));
        if (k == 1) secondDone = true;
        --running;
        return k;
    });
    CHECK(ahead.workers() == 4);
    bool inOrder = true;
    for (size_t k = 0; k < count; k++)
        inOrder = ahead.next() == k && inOrder;
    CHECK(inOrder);
    CHECK(sawSecondFirst);
    CHECK(mostRunning >= 2);
    CHECK(ahead.peakAhead() <= 6);
}

TEST_CASE("failures arrive as values at their own place", "[read-ahead]") {
    dx::OrderedReadAhead<dx::Result<int>> ahead(100, 3, 5, [](size_t k) -> dx::Result<int> {
        if (k % 7 == 3) return dx::Error("input " + std::to_string(k) + " could not be read");
        return int(k) * 2;
    });
    for (size_t k = 0; k < 100; k++) {
        dx::Result<int> r = ahead.next();
        INFO("position " << k);
        if (k % 7 == 3) {
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().message == "input " + std::to_string(k) + " could not be read");
        } else {
            REQUIRE(r.ok());
            CHECK(*r == int(k) * 2);
        }
    }
}

TEST_CASE("no more than depth items exist ahead of a slow consumer", "[read-ahead]") {
    auto alive = std::make_shared<std::atomic<int>>(0);
    int mostAlive = 0;
    {
        dx::OrderedReadAhead<Tracked> ahead(300, 4, 6, [&](size_t k) { return Tracked(k, alive); });
        for (size_t k = 0; k < 300; k++) {
            Tracked item = ahead.next();
            CHECK(item.position == k);
            if (k % 50 == 0) { // a slow step of the consumer: the workers fill every slot meanwhile, no more
                const auto deadline = std::chrono::steady_clock::now() + 10s;
                while (ahead.peakAhead() < 6 && std::chrono::steady_clock::now() < deadline)
                    std::this_thread::sleep_for(1ms);
                std::this_thread::sleep_for(5ms);
            }
            mostAlive = std::max(mostAlive, alive->load());
        }
        CHECK(ahead.peakAhead() == 6); // filled, never exceeded
    }
    CHECK(mostAlive <= 6 + 1); // the slots plus the one the consumer holds
    CHECK(*alive == 0);
}

TEST_CASE("stopping mid-run returns promptly and drops what was not taken", "[read-ahead]") {
    auto alive = std::make_shared<std::atomic<int>>(0);
    std::atomic<size_t> produced{0};
    const auto start = std::chrono::steady_clock::now();
    {
        dx::OrderedReadAhead<Tracked> ahead(1000000, 3, 5, [&](size_t k) {
            produced++;
            std::this_thread::sleep_for(100us);
            return Tracked(k, alive);
        });
        for (size_t k = 0; k < 10; k++)
            CHECK(ahead.next().position == k);
    } // an error on the consumer's side: the run stops here
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(produced <= 10 + 5); // taken + slots: a worker claims a free slot before it starts an item
    CHECK(*alive == 0);
    {
        dx::OrderedReadAhead<int> untouched(1000000, 4, 6, [](size_t k) { return int(k); });
    } // destroyed before anything was taken
    {
        dx::OrderedReadAhead<int> empty(0, 4, 6, [](size_t k) { return int(k); });
        CHECK(empty.workers() == 1);
    }
    dx::OrderedReadAhead<int> few(2, 8, 10, [](size_t k) { return int(k); });
    CHECK(few.workers() == 2); // never more workers than inputs
    CHECK(few.next() == 0);
    CHECK(few.next() == 1);
}
