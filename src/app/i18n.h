// i18n.h — user-visible UI text in the user's language (English and Simplified Chinese).
//
// How to use:
//   ImGui::Button(tr("Open image…"));                 // English text is the key
//   ImGui::Text(tr("%d of %d analyzed"), done, total); // a translation keeps the same printf specifiers
//   std::string s = trf("%s could not be opened", name); // translated and formatted into a std::string
//   ImGui::Begin(trWindowTitle("About DxLens", "about").c_str()); // same window ID in every language
//   static const char* kRows[] = {trLater("Pan")};       // marks a literal for the catalogue; tr() it when shown
//   trTerm("pneumonia")                                  // a model label or class name: "肺炎" in Chinese
// A string without a translation falls back to English, so new views work before they are translated; the
// test suite lists every tr/trf/trLater/trWindowTitle("...") literal in src/app that lacks a translation.
// The catalogue is assets/i18n/zh-Hans.tsv (UI strings) and assets/i18n/medical_terms_zh.txt (model terms);
// the build turns them into a C++ table and a CJK font subset (src/platform/web/CMakeLists.txt).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dx {

enum class Language { English, ChineseSimplified };

// The translation of `english` in the current UI language (a pointer that stays valid for the program's life).
const char* tr(const char* english);

// tr(english) used as a printf format, formatted into a string (for announcements and composed labels).
std::string trf(const char* english, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

// printf into a std::string, for a format that is already translated (one of two tr() texts chosen at run
// time) or needs no translation; trf(x, ...) is formatText(tr(x), ...).
std::string formatText(const char* format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

// Marks a literal stored for later (tables, constants) as UI text for the catalogue check; translate it with
// tr() where it is drawn.
constexpr const char* trLater(const char* english) {
    return english;
}

// "<translated title>###<id>": ImGui keys windows by what follows "###", so position, size and focus survive
// a language switch.
std::string trWindowTitle(const char* english, const char* id);

// A model's label or class name ("pneumonia", "Malignant") in the UI language; unknown terms come back as
// they are. Reports keep the model's own English codes; this is for display only.
std::string trTerm(std::string_view term);

Language currentLanguage();
void setLanguage(Language language);

// BCP 47 tag stored and given to the page ("en", "zh-Hans") and the language's name in itself.
const char* languageTag(Language language);
const char* languageNativeName(Language language);

// The language for one BCP 47 tag: Simplified Chinese for zh, zh-CN, zh-SG, zh-Hans(-*); English otherwise.
Language languageForTag(std::string_view tag);

// The UI language for the browser's preference list (navigator.languages, most wanted first): the first tag
// that is English or Simplified Chinese decides; English when none is.
Language preferredLanguage(const std::vector<std::string>& browserTags);

// Every non-ASCII character either language can draw (UTF-8): the font must have a glyph for each.
const char* uiGlyphsUtf8();

} // namespace dx
