// ordered_read_ahead.h — several worker threads produce the items of a sequence (read, decode, preprocess the
// inputs of an archive run) ahead of one consumer (the model), which receives them strictly in sequence order,
// whatever order the workers finish in. At most `depth` items are produced or being produced beyond the one the
// consumer holds, so memory stays flat over any number of inputs.
//
// How to use (one consumer thread):
//   dx::OrderedReadAhead<Result<Prepared>> ahead(todo.size(), workers, workers + 2,
//                                                [&](size_t k) { return prepare(todo[k]); });
//   for (size_t k = 0; k < todo.size(); k++) { Result<Prepared> item = ahead.next(); ... }
// `produce(k)` runs on a worker thread, for each k in [0, count) exactly once, several at a time: it must only
// touch what is safe to share, and report failures in its value (a Result), not by throwing. Destroying the
// object mid-run (an error on the consumer's side, a signal) stops the workers after the item each has in hand
// and joins them; items produced but not taken are dropped.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace dx {

template <class T> class OrderedReadAhead {
public:
    using Produce = std::function<T(size_t position)>;

    OrderedReadAhead(size_t count, int workers, size_t depth, Produce produce)
        : count_(count), depth_(std::max<size_t>(depth, 1)), produce_(std::move(produce)), slots_(depth_) {
        // More workers than slots would leave the extra ones waiting for ever: a worker claims a slot first.
        const size_t threads = std::min({size_t(std::max(workers, 1)), depth_, std::max<size_t>(count, 1)});
        threads_.reserve(threads);
        for (size_t i = 0; i < threads; i++)
            threads_.emplace_back([this] { work(); });
    }
    OrderedReadAhead(const OrderedReadAhead&) = delete;
    OrderedReadAhead& operator=(const OrderedReadAhead&) = delete;

    ~OrderedReadAhead() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        spaceFreed_.notify_all();
        for (std::thread& t : threads_)
            t.join();
    }

    // The next item in sequence order, waiting for it if needed. Call at most `count` times.
    T next() {
        std::unique_lock<std::mutex> lock(mutex_);
        std::optional<T>& slot = slots_[delivered_ % depth_];
        available_.wait(lock, [&] { return slot.has_value(); });
        T item = std::move(*slot);
        slot.reset();
        delivered_++;
        lock.unlock();
        spaceFreed_.notify_all(); // a worker may claim the next position now
        return item;
    }

    size_t workers() const { return threads_.size(); }
    // The most items that existed at once beyond the consumer's (tests: the memory bound holds).
    size_t peakAhead() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return peakAhead_;
    }

private:
    void work() {
        for (;;) {
            size_t position = 0;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                // A position is claimed only when its slot is free: claimed - delivered < depth means positions
                // [delivered, claimed] map to distinct slots of the ring.
                spaceFreed_.wait(
                    lock, [&] { return stop_ || claimed_ >= count_ || claimed_ < delivered_ + depth_; });
                if (stop_ || claimed_ >= count_) return;
                position = claimed_++;
                peakAhead_ = std::max(peakAhead_, claimed_ - delivered_);
            }
            T item = produce_(position);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                slots_[position % depth_].emplace(std::move(item));
            }
            available_.notify_one(); // the one consumer
        }
    }

    const size_t count_;
    const size_t depth_;
    const Produce produce_;
    mutable std::mutex mutex_;
    std::condition_variable available_, spaceFreed_;
    std::vector<std::optional<T>> slots_; // ring: position p lives in slots_[p % depth_]
    size_t claimed_ = 0;                  // positions handed to workers so far
    size_t delivered_ = 0;                // positions the consumer has taken
    size_t peakAhead_ = 0;
    bool stop_ = false;
    std::vector<std::thread> threads_; // last: started once everything above exists
};

} // namespace dx
