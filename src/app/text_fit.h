// text_fit.h — text that must stay on one line (a combo box's preview, a tab) cut to a width with "…", on a
// UTF-8 character boundary, so the panel never cuts a letter in half or runs text off its edge; the caller
// shows the whole text as a tooltip. Everything that can wrap wraps instead (ImGui::TextWrapped).
//
// How to use:
//   std::string shown = dx::fitToWidth(name, width, [](std::string_view s) { return measure(s); });
//   if (shown != name) showTooltip(name);
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace dx {

// `text` itself when measure(text) <= width; else its longest prefix that, with "…" appended, fits (just "…"
// when nothing does). measure gives a string's width in the same unit as `width`.
std::string fitToWidth(const std::string& text, float width,
                       const std::function<float(std::string_view)>& measure);

} // namespace dx
