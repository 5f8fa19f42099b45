// i18n.h — user-visible UI text in the user's language (English and Simplified Chinese).
//
// How to use:
//   ImGui::Button(tr("Open image…"));                 // English text is the key
//   ImGui::Text(tr("%d of %d analysed"), done, total); // a translation keeps the same printf specifiers
// A string without a translation falls back to English, so new views work before they are translated; the
// test suite lists every tr("...") literal in src/app that lacks a translation.
#pragma once

namespace dx {

// The translation of `english` in the current UI language (a pointer that stays valid for the program's life).
const char* tr(const char* english);

} // namespace dx
