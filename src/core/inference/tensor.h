// tensor.h — a dense float32 tensor (row-major, shape in elements) and named tensors for model inputs/outputs.
//
// How to use:
//   dx::Tensor t = dx::Tensor::zeros({1, 3, 224, 224});
//   t.data[((n * C + c) * H + y) * W + x] = v;            // NCHW, row-major like ONNX
//   dx::NamedTensor in{"input", std::move(t)};
//   std::string s = dx::shapeToString(t.shape);           // "[1, 3, 224, 224]" for messages
//
// Model shapes from a backend may contain -1 for a dynamic dimension; a Tensor's own shape never does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dx {

using Shape = std::vector<int64_t>;

struct Tensor {
    Shape shape;
    std::vector<float> data;

    static Tensor zeros(Shape shape);
    size_t elementCount() const { return data.size(); }
};

struct NamedTensor {
    std::string name;
    Tensor tensor;
};

// Product of the dimensions (1 for a scalar shape []); 0 if any dimension is negative.
size_t shapeElementCount(const Shape& shape);
std::string shapeToString(const Shape& shape);

// True when every fixed dimension of `modelShape` equals `shape`'s and the ranks agree (-1 matches anything).
bool shapeMatches(const Shape& modelShape, const Shape& shape);

const NamedTensor* findTensor(const std::vector<NamedTensor>& tensors, const std::string& name);

} // namespace dx
