#include "core/inference/tensor.h"

namespace dx {

Tensor Tensor::zeros(Shape shape) {
    Tensor t;
    t.data.assign(shapeElementCount(shape), 0.0f);
    t.shape = std::move(shape);
    return t;
}

size_t shapeElementCount(const Shape& shape) {
    size_t count = 1;
    for (int64_t d : shape) {
        if (d < 0) return 0;
        count *= size_t(d);
    }
    return count;
}

std::string shapeToString(const Shape& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); i++) {
        if (i) s += ", ";
        s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
    }
    return s + "]";
}

bool shapeMatches(const Shape& modelShape, const Shape& shape) {
    if (modelShape.size() != shape.size()) return false;
    for (size_t i = 0; i < shape.size(); i++)
        if (modelShape[i] >= 0 && modelShape[i] != shape[i]) return false;
    return true;
}

const NamedTensor* findTensor(const std::vector<NamedTensor>& tensors, const std::string& name) {
    for (const NamedTensor& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

} // namespace dx
