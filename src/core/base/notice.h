// notice.h — the research-use notice: the one text every screen, announcement and report carries.
//
// How to use:
//   report["notice"] = dx::kResearchUseNotice;                // core: reports (English, as exported)
//   ImGui::TextUnformatted(dx::tr(dx::kResearchUseNotice));   // app: shown in the UI's language (app/i18n.h)
//
// The page's own copy (web/page-text.mjs, shown before the WASM module is up) says the same words.
#pragma once

namespace dx {

inline constexpr const char* kResearchUseNotice = "Research use only \xE2\x80\x94 not a medical device.";

} // namespace dx
