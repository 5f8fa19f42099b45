// dx_library.js — Emscripten --js-library: the JavaScript half of web_bridge.h.
// The page (web/main.mjs) puts `dxPlatform` (an object) and `dxPlatformVersion` on the Module and bumps the
// version when it learns something (WebGPU adapter, ONNX Runtime loaded); C++ polls the version each frame.
// Every Module field read here is listed in web/module-hooks.mjs. Strings and bytes cross the heap boundary
// only through Module['dxMemory'] (web/wasm-memory.mjs): a --js-library cannot import an ES module, so the page
// installs it on the Module before the WASM starts, and the page and this file share one implementation.
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
    return Module['dxMemory'].writeString(text, buffer, capacity);
  },

  // A performance measure (browser performance panel, bench/startup_bench.mjs) from startMs, C++'s
  // emscripten_get_now(), which is the page's performance.now(), to now.
  dx_js_measure: function (name, startMs) {
    performance.measure(Module['dxMemory'].readString(name), { start: startMs, end: performance.now() });
  },

  dx_js_first_frame: function () {
    if (Module['onFirstFrame']) Module['onFirstFrame']();
  },

  dx_js_fatal: function (message) {
    if (Module['onFatal']) Module['onFatal'](Module['dxMemory'].readString(message));
  },

  // The pickers are real <input type="file"> elements of the page, so tests and assistive tools can use them.
  dx_js_open_file_picker: function () {
    document.getElementById('dx-file-input').click();
  },

  dx_js_open_model_picker: function () {
    document.getElementById('dx-model-input').click();
  },

  // A CSV of cases for the tabular risk form (web/risk-form.mjs reads it); absent on pages without the form.
  dx_js_open_table_picker: function () {
    var input = document.getElementById('dx-table-input');
    if (input) input.click();
  },

  // A file made on the device becomes a download through a blob: URL: nothing goes over the network.
  dx_js_download: function (name, mime, data, length) {
    var memory = Module['dxMemory'];
    var blob = new Blob([memory.copyBytes(data, length)], { type: memory.readString(mime) });
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = memory.readString(name);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  },

  dx_js_announce: function (text) {
    var region = document.getElementById('dx-findings');
    if (region) region.textContent = Module['dxMemory'].readString(text);
  },

  // The user's earlier choice first (if storage is readable), then the browser's languages: "zh-Hans,en-GB,en".
  dx_js_language_preferences: function (buffer, capacity) {
    var tags = [];
    try {
      var stored = window.localStorage.getItem('dxlens.language');
      if (stored) tags.push(stored);
    } catch (err) { /* storage blocked (privacy settings): the browser's languages decide */ }
    tags = tags.concat(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language]);
    return Module['dxMemory'].writeString(tags.filter(Boolean).join(','), buffer, capacity);
  },

  // The page speaks the UI's language: <html lang> and the live region's lang choose the screen reader's voice.
  dx_js_apply_language: function (tag, remember) {
    var lang = Module['dxMemory'].readString(tag);
    document.documentElement.lang = lang;
    var region = document.getElementById('dx-findings');
    if (region) region.lang = lang;
    if (!remember) return;
    try {
      window.localStorage.setItem('dxlens.language', lang);
    } catch (err) { console.warn('DxLens: the language choice cannot be remembered: ' + err.message); }
  },
});

// ---- ONNX Runtime Web bridge (see ort_backend.cpp). Every answer comes back through _dx_ort_on_*.
mergeInto(LibraryManager.library, {
  $dxOrtAnswerError: function (request, err) {
    Module['dxMemory'].call('_dx_ort_on_error', request, (err && err.message) ? err.message : String(err));
  },

  dx_js_ort_load__deps: ['$dxOrtAnswerError'],
  dx_js_ort_load: function (request, provider, bytes, length) {
    var memory = Module['dxMemory'];
    var copy = memory.copyBytes(bytes, length); // the heap may grow (and move) before ORT reads it
    var bridge = Module['dxBridge'];
    bridge.createSession(copy, { backend: memory.readString(provider) }).then(function (id) {
      memory.call('_dx_ort_on_loaded', request, id, JSON.stringify(bridge.describe(id)));
    }, function (err) { dxOrtAnswerError(request, err); });
  },

  dx_js_ort_run__deps: ['$dxOrtAnswerError'],
  dx_js_ort_run: function (request, session, layoutJson) {
    var memory = Module['dxMemory'];
    var feeds = {};
    JSON.parse(memory.readString(layoutJson)).forEach(function (t) {
      feeds[t.name] = { data: memory.copyFloats(t.offset, t.count), dims: t.dims };
    });
    Module['dxBridge'].run(session, feeds).then(function (outputs) {
      var layout = [], total = 0;
      Object.keys(outputs).forEach(function (name) {
        var n = outputs[name].data.length;
        layout.push({ name: name, dims: outputs[name].dims, offset: total, count: n });
        total += n;
      });
      var data = memory.giveFloats(total);
      layout.forEach(function (o) {
        var src = outputs[o.name].data;
        var dst = data.floats.subarray(o.offset, o.offset + o.count);
        if (src instanceof Float32Array) dst.set(src);
        else for (var i = 0; i < o.count; i++) dst[i] = Number(src[i]); // int64/bool outputs as numbers
      });
      memory.call('_dx_ort_on_ran', request, JSON.stringify(layout), data.ptr, total); // C++ frees `data`
    }, function (err) { dxOrtAnswerError(request, err); });
  },

  dx_js_ort_release: function (session) {
    Module['dxBridge'].release(session).catch(function (err) { console.warn('DxLens: release failed', err); });
  },
});

// ---- Answers to the page's API requests (js_api.cpp); web/dx-api.mjs resolves its Promises here.
mergeInto(LibraryManager.library, {
  dx_js_api_answer: function (request, ok, json) {
    Module['dxApiAnswer'](request, ok !== 0, Module['dxMemory'].readString(json));
  },
});

// ---- Batch screening and validation (batch_bridge.cpp): the page keeps the picked File objects (web/batch.mjs)
// and hands C++ one file's bytes at a time, so a folder of thousands of images never sits in the WASM heap.
mergeInto(LibraryManager.library, {
  dx_js_batch_read: function (queue, generation, index) {
    Module['dxBatch'].read(queue, generation, index);
  },

  dx_js_open_batch_picker: function (queue, folder) {
    Module['dxBatch'].openPicker(queue, folder !== 0);
  },
});

// ---- The study browser's requests (archive_bridge.cpp): web/dicomweb.mjs fetches them from the archive that
// archives.json names (adding its bearer token, which C++ never sees) and answers through _dx_app_archive_*.
mergeInto(LibraryManager.library, {
  dx_js_archive_fetch: function (id, archiveId, method, url, accept, timeoutMs, maxBytes, stream, contentType,
                                 body, length) {
    var memory = Module['dxMemory'];
    // A POST body (STOW-RS) is copied out of the heap now: C++ frees it when this returns.
    Module['dxArchive'].fetch({ id: id, archiveId: memory.readString(archiveId), method: memory.readString(method),
                                url: memory.readString(url), accept: memory.readString(accept),
                                timeoutMs: timeoutMs, maxBytes: maxBytes, stream: stream !== 0,
                                contentType: memory.readString(contentType),
                                body: length > 0 ? memory.copyBytes(body, length) : null });
  },

  dx_js_archive_cancel: function (id) {
    Module['dxArchive'].cancel(id);
  },
});
