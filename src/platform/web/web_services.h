// web_services.h — the long-lived objects of the browser app: the ONNX Runtime Web backends and the model
// library, plus the backend order derived from what the browser offers and what the user chose.
//
// How to use: dx::web::services() anywhere on the main thread. main.cpp feeds it PlatformInfo; the views get
// the library through AppState; js_api.cpp exposes it to the page's JavaScript.
#pragma once

#include "app/app_state.h"
#include "app/archive_browser.h"
#include "app/archive_send.h"
#include "app/batch_state.h"
#include "core/inference/model_library.h"
#include "core/viewer/workspace.h"
#include "platform/web/ort_backend.h"

#include <string>

namespace dx::web {

// What the last font atlas build covered: every character the UI can draw in either language should have a
// glyph (i18n.h, uiGlyphsUtf8). Tests read it through dx_app_i18n_status (js_api.cpp).
struct FontCoverage {
    bool cjkFontLoaded = false;
    int uiCharacters = 0; // distinct non-ASCII characters the UI can draw
    std::string missing;  // those without a glyph (UTF-8); they would show as ImGui's fallback '?'
    int atlasWidth = 0, atlasHeight = 0;
};

struct WebServices {
    OrtWebBackend webgpu{"webgpu"};
    OrtWebBackend wasm{"wasm"};
    ModelLibrary models;
    Workspace workspace;
    AppState state; // what the views read; points at `models` and `workspace`
    FontCoverage fonts;
    // The Batch screening and Validation windows' queues and results (AppState points at them).
    BatchScreening batch;
    ValidationStudy validation;
    // The study browser over the archives in archives.json (its requests go out through web/dicomweb.mjs).
    ArchiveBrowser archive;
    // Results sent back to the archive a study came from (STOW-RS, through the same transport).
    ArchiveSend archiveSend;

    // Call after state.platform or state.settings.backend changed (cheap when nothing did).
    // WebGPU first when the browser has a hardware adapter (or the user prefers WebGPU), then WASM, which is
    // always the last resort. ORT's WASM backend uses threads when the page is cross-origin isolated.
    void syncBackendOrder();

private:
    int appliedPlatformVersion_ = -1;
    BackendChoice appliedChoice_ = BackendChoice::Auto;
};

WebServices& services();

// Bumped whenever PlatformInfo is re-read, so syncBackendOrder() knows to recompute.
void notePlatformChanged();

// PlatformCommands::openBatchPicker (batch_bridge.cpp).
void installBatchCommands(PlatformCommands& commands);
// The study browser's requests, fetched by the page (archive_bridge.cpp).
void installArchiveTransport(ArchiveTransport& transport);

// The page's names for the numbers it passes to batch_bridge.cpp's functions ("batch", "validation-json");
// nullptr past the last value. dx_api_enums (js_api.cpp) hands them to the page in enum order.
const char* batchQueueName(BatchQueueId queue);

// A malloc'd, NUL-terminated copy of `text` for JavaScript, which reads it and frees it (the JSON answers of
// the page's API).
char* mallocText(const std::string& text);
const char* batchExportName(BatchExport what);

} // namespace dx::web
