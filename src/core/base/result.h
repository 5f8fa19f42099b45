// result.h — DxLens's error-as-value type.
//
// How to use:
//   Result<Image> decode(...) {
//       if (bad) return Error("The file ends at byte 812 inside the Pixel Data element.");
//       return image;
//   }
//   Result<Image> r = decode(...);
//   if (!r) { show(r.error().message); return; }
//   Image& img = *r;
//
// Messages are written for the person using the tool (a clinician or researcher): say what is wrong with
// *their* input and, where useful, where (offset, tag, field). std::expected is not available with the
// clang-14/libc++-13 that Emscripten 3.1.6 uses, hence this small type of our own.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace dx {

struct Error {
    std::string message;
    explicit Error(std::string msg) : message(std::move(msg)) {}
};

template <class T> class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() {
        assert(ok());
        return std::get<0>(state_);
    }
    const T& value() const {
        assert(ok());
        return std::get<0>(state_);
    }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const {
        assert(!ok());
        return std::get<1>(state_);
    }

private:
    std::variant<T, Error> state_;
};

// Result<void>: success or an error, for operations without a value.
template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error.message)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    Error error() const { return Error(error_); }

private:
    std::string error_;
    bool failed_ = false;
};

using Status = Result<void>;

} // namespace dx
