// i18n.cpp — the translation lookup behind tr() (see i18n.h). The catalogue arrives as sorted C++ arrays
// generated at build time (i18n_catalogue.inc), so a lookup is a binary search with no start-up parsing.
#include "app/i18n.h"

#include "app/i18n_catalogue.inc"

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace dx {
namespace {

Language g_language = Language::English;

template <size_t N> const char* lookup(const i18n_data::CatalogueEntry (&table)[N], const char* key) {
    const auto* end = table + N;
    const auto* it = std::lower_bound(table, end, key, [](const i18n_data::CatalogueEntry& e, const char* k) {
        return std::strcmp(e.english, k) < 0;
    });
    return it != end && std::strcmp(it->english, key) == 0 ? it->translated : nullptr;
}

std::string lowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

} // namespace

const char* tr(const char* english) {
    if (g_language == Language::English || !english) return english;
    const char* translated = lookup(i18n_data::kZhHansUi, english);
    return translated ? translated : english;
}

static std::string formatArgs(const char* format, va_list args) {
    va_list copy;
    va_copy(copy, args);
    const int length = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::string out(length > 0 ? size_t(length) : 0, '\0');
    if (length > 0) std::vsnprintf(out.data(), out.size() + 1, format, args);
    return out;
}

std::string trf(const char* english, ...) {
    va_list args;
    va_start(args, english);
    std::string out = formatArgs(tr(english), args);
    va_end(args);
    return out;
}

std::string formatText(const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::string out = formatArgs(format, args);
    va_end(args);
    return out;
}

std::string trWindowTitle(const char* english, const char* id) {
    return std::string(tr(english)) + "###" + id;
}

std::string trTerm(std::string_view term) {
    if (g_language == Language::English) return std::string(term);
    const char* translated = lookup(i18n_data::kZhHansTerms, lowerAscii(term).c_str());
    return translated ? translated : std::string(term);
}

Language currentLanguage() {
    return g_language;
}

void setLanguage(Language language) {
    g_language = language;
}

const char* languageTag(Language language) {
    return language == Language::ChineseSimplified ? "zh-Hans" : "en";
}

const char* languageNativeName(Language language) {
    return language == Language::ChineseSimplified
               ? "\xE7\xAE\x80\xE4\xBD\x93\xE4\xB8\xAD\xE6\x96\x87" // 简体中文
               : "English";
}

Language languageForTag(std::string_view tag) {
    const std::string t = lowerAscii(tag);
    if (t != "zh" && !startsWith(t, "zh-")) return Language::English;
    // Traditional-script regions and scripts get English rather than a script their readers did not ask for.
    for (const char* traditional : {"zh-hant", "zh-tw", "zh-hk", "zh-mo"})
        if (startsWith(t, traditional)) return Language::English;
    return Language::ChineseSimplified;
}

Language preferredLanguage(const std::vector<std::string>& browserTags) {
    for (const std::string& tag : browserTags) {
        const std::string t = lowerAscii(tag);
        if (t == "en" || startsWith(t, "en-")) return Language::English;
        if (languageForTag(t) == Language::ChineseSimplified) return Language::ChineseSimplified;
    }
    return Language::English;
}

const char* uiGlyphsUtf8() {
    return i18n_data::kUiGlyphs;
}

} // namespace dx
