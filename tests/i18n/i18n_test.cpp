// i18n_test.cpp — tr() and friends over the table generated from assets/i18n (src/app/i18n.cpp): every
// catalogue entry is found by the binary search, unknown text falls back to English, formatting and window
// titles, model terms, and the choice of language from the browser's preference list.
//
// How to use: ctest --preset native -R i18n   (built by tests/CMakeLists.txt with the generated table)
#include "app/i18n.h"
#include "app/i18n_catalogue.inc"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using dx::Language;

namespace {

// Sets a language for one test case and restores English, tr()'s state being global.
struct LanguageScope {
    explicit LanguageScope(Language language) { dx::setLanguage(language); }
    ~LanguageScope() { dx::setLanguage(Language::English); }
};

} // namespace

TEST_CASE("i18n: English is the default and returns the key itself") {
    const char* key = "Findings";
    CHECK(dx::currentLanguage() == Language::English);
    CHECK(dx::tr(key) == key);
    CHECK(dx::trTerm("pneumonia") == "pneumonia");
}

TEST_CASE("i18n: Every catalogue entry is found in Chinese") {
    LanguageScope chinese(Language::ChineseSimplified);
    for (const auto& entry : dx::i18n_data::kZhHansUi) {
        INFO(entry.english);
        CHECK(std::strcmp(dx::tr(entry.english), entry.translated) == 0);
    }
    CHECK(std::string(dx::tr("Findings")) == "\xE7\xBB\x93\xE6\x9E\x9C"); // 结果
}

TEST_CASE("i18n: Text missing from the catalogue falls back to English") {
    LanguageScope chinese(Language::ChineseSimplified);
    const char* key = "A string nobody translated";
    CHECK(dx::tr(key) == key);
    CHECK(dx::trf("%d of %d untranslated widgets", 3, 4) == "3 of 4 untranslated widgets");
}

TEST_CASE("i18n: trf formats the translation and trWindowTitle keeps the window ID") {
    LanguageScope chinese(Language::ChineseSimplified);
    CHECK(dx::trf("%s: not analyzed yet.", "a.png") == "a.png\xEF\xBC\x9A\xE5\xB0\x9A\xE6\x9C\xAA\xE5\x88\x86"
                                                       "\xE6\x9E\x90\xE3\x80\x82"); // a.png：尚未分析。
    CHECK(dx::trWindowTitle("About DxLens", "about") == "\xE5\x85\xB3\xE4\xBA\x8E DxLens###about"); // 关于
    dx::setLanguage(Language::English);
    CHECK(dx::trWindowTitle("About DxLens", "about") == "About DxLens###about");
}

TEST_CASE("i18n: Model terms are matched ignoring case, unknown ones come back as they are") {
    LanguageScope chinese(Language::ChineseSimplified);
    CHECK(dx::trTerm("pneumonia") == "\xE8\x82\xBA\xE7\x82\x8E"); // 肺炎
    CHECK(dx::trTerm("Malignant") == "\xE6\x81\xB6\xE6\x80\xA7"); // 恶性
    CHECK(dx::trTerm("e2e-dark") == "e2e-dark");
}

TEST_CASE("i18n: A BCP 47 tag selects Simplified Chinese only for Simplified variants") {
    for (const char* tag : {"zh", "zh-CN", "zh-SG", "zh-Hans", "zh-Hans-CN", "ZH-cn"}) {
        INFO(tag);
        CHECK(dx::languageForTag(tag) == Language::ChineseSimplified);
    }
    for (const char* tag :
         {"zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-TW", "en", "en-US", "fr", "", "zhx"}) {
        INFO(tag);
        CHECK(dx::languageForTag(tag) == Language::English);
    }
}

TEST_CASE("i18n: The first supported language in the browser's list wins") {
    CHECK(dx::preferredLanguage({"fr-FR", "zh-CN", "en"}) == Language::ChineseSimplified);
    CHECK(dx::preferredLanguage({"en-GB", "zh-CN"}) == Language::English);
    CHECK(dx::preferredLanguage({"zh-TW", "zh-CN"}) == Language::ChineseSimplified);
    CHECK(dx::preferredLanguage({"de", "ja"}) == Language::English);
    CHECK(dx::preferredLanguage({}) == Language::English);
    CHECK(dx::languageTag(dx::preferredLanguage({"zh-Hans"})) == std::string("zh-Hans"));
}

TEST_CASE("i18n: The glyph list holds the characters of translations and terms") {
    const std::string glyphs = dx::uiGlyphsUtf8();
    for (const char* c : {"\xE7\xBB\x93", "\xE8\x82\xBA", "\xE7\x96\x9F", "\xE2\x80\x94"}) // 结 肺 疟 —
        CHECK(glyphs.find(c) != std::string::npos);
}
