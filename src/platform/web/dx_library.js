// dx_library.js — Emscripten --js-library: the JavaScript half of web_bridge.h.
// The page (web/main.mjs) puts `dxPlatform` (an object) and `dxPlatformVersion` on the Module and bumps the
// version when it learns something (WebGPU adapter, ONNX Runtime loaded); C++ polls the version each frame.
mergeInto(LibraryManager.library, {
  dx_js_sync_canvas__deps: ['$GLFW'],
  dx_js_sync_canvas: function () {
    var canvas = Module['canvas'];
    var dpr = window.devicePixelRatio || 1;
    var w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    var h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      // Not glfwSetWindowSize: in Emscripten 3.1.6 it requests fullscreen when the size equals the screen's.
      canvas.width = w;
      canvas.height = h;
      if (GLFW.active) {
        GLFW.active.width = w;
        GLFW.active.height = h;
        GLFW.onWindowSizeChanged();
        GLFW.onFramebufferSizeChanged();
      }
    }
    return dpr;
  },

  dx_js_platform_version: function () {
    return Module['dxPlatformVersion'] | 0;
  },

  dx_js_platform_json: function (buffer, capacity) {
    var text = JSON.stringify(Module['dxPlatform'] || {});
    return stringToUTF8(text, buffer, capacity);
  },

  dx_js_first_frame: function () {
    if (Module['onFirstFrame']) Module['onFirstFrame']();
  },

  dx_js_fatal: function (message) {
    if (Module['onFatal']) Module['onFatal'](UTF8ToString(message));
  },
});
