// module-hooks.mjs — every field the page's JavaScript hangs on Emscripten's Module object, with who reads it
// and when. The Module is the object app.mjs hands to createDxLens; MODULARIZE fills that same object with the
// WASM exports (_dx_..., HEAPU8, FS) and returns it, and it is window.dxlens for scripts and tests. Besides
// Emscripten's own fields, nothing goes on it that is not listed here: setModuleHooks refuses other names, and
// tests/e2e/module_hooks.test.mjs checks that src/platform/web/dx_library.js reads only listed ones.
// frame-wake.mjs replaces the WASM's own '_dx_...' exports in place (same names, same behaviour) so that every
// call also wakes the drawing loop; it adds no field.
//
// How to use:
//   const module = setModuleHooks({}, { canvas, print, ... });   // before createDxLens (app.mjs)
//   setModuleHooks(module, { dxBatch: { read, openPicker } });   // later additions, by the module that owns them
export const MODULE_HOOKS = Object.freeze({
  // Read by Emscripten's runtime.
  canvas: 'the <canvas> GLFW draws on; dx_js_sync_canvas also sizes its backbuffer to CSS size x DPR every frame',
  print: "Emscripten's stdout: app.mjs logs each line to the console",
  printErr: "Emscripten's stderr: app.mjs logs each line as a console warning",
  setStatus: "Emscripten's download and start-up progress: app.mjs shows it in the loading overlay",
  // Read by src/platform/web/dx_library.js, the JavaScript that C++ calls.
  dxMemory: 'wasm-memory.mjs over this Module: every string and byte dx_library.js moves in or out of the heap',
  dxBridge: 'dx-bridge.mjs DxBridge: dx_js_ort_load/run/release, when C++ opens, runs or closes a model session',
  dxPlatform: 'what the page learnt (WebGPU probe, ONNX Runtime status): dx_js_platform_json, when the version changes',
  dxPlatformVersion: 'bumped by app.mjs when dxPlatform changes: dx_js_platform_version, polled by C++ every frame and 4 times a second while the loop sleeps',
  onFirstFrame: 'dx_js_first_frame, once the first frame is drawn: app.mjs hides the loading overlay',
  onFatal: 'dx_js_fatal, when main() cannot start (no GLFW, no WebGL2 window): app.mjs shows the message',
  dxApiAnswer: 'dx-api.mjs: dx_js_api_answer, when js_api.cpp answers a request (resolves its Promise)',
  dxBatch: 'batch.mjs { read, openPicker }: dx_js_batch_read asks for a picked file, dx_js_open_batch_picker',
  dxArchive: 'dicomweb.mjs { fetch, cancel }: dx_js_archive_fetch / dx_js_archive_cancel, the study browser\'s DICOMweb requests',
  // The page's API for scripts and tests (window.dxlens.*); set by app.mjs once the WASM is ready.
  api: 'dx-api.mjs DxApi: models, analyses, studies, viewer state, language (window.dxlens.api)',
  batch: "batch.mjs: the Batch screening and Validation windows' commands (window.dxlens.batch)",
  archives: 'dicomweb.mjs: the archives archives.json names ({ ready, setToken, ... }); the token stays inside it',
  defaultModels: 'Promise of the shipped models opening (allSettled results): tests await it',
});

// Puts `hooks` on `module`; a name not in MODULE_HOOKS is a programming error and throws.
export function setModuleHooks(module, hooks) {
  for (const name of Object.keys(hooks))
    if (!Object.hasOwn(MODULE_HOOKS, name)) throw new Error(`'${name}' is not a Module hook listed in module-hooks.mjs`);
  return Object.assign(module, hooks);
}
