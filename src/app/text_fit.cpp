// text_fit.cpp — see text_fit.h.
#include "app/text_fit.h"

namespace dx {

static bool continuationByte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string fitToWidth(const std::string& text, float width,
                       const std::function<float(std::string_view)>& measure) {
    if (measure(text) <= width) return text;
    static const std::string kEllipsis = "\xE2\x80\xA6"; // …
    // Binary search over the prefix length, each candidate moved back to a character boundary.
    size_t lo = 0, hi = text.size();
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        while (mid > 0 && mid < text.size() && continuationByte(text[mid]))
            mid--;
        if (mid <= lo) {
            hi = lo;
            break;
        }
        if (measure(std::string_view(text).substr(0, mid)) + measure(kEllipsis) <= width)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && lo < text.size() && continuationByte(text[lo]))
        lo--;
    std::string prefix = text.substr(0, lo);
    while (!prefix.empty() && prefix.back() == ' ')
        prefix.pop_back();
    return prefix + kEllipsis;
}

} // namespace dx
