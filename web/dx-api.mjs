// dx-api.mjs — the page's JavaScript API over the C++ workstation (src/platform/web/js_api.cpp).
//
// How to use (main.mjs creates it as window.dxlens.api):
//   await api.loadModel('models/cxr-pneumonia/', { onProgress: (done, total) => ... });  // total 0: not known yet
//   await api.loadModelFiles([{ path: 'my-model/manifest.json', bytes }, ...]);          // a picked folder
//   const result = await api.analyze(arrayBufferOrBlob, { model: 'cxr-pneumonia', name: 'cxr.png' });
//   // result.population: { status: 'in' | 'out' | 'unverified', reason }; { population: 'in' } confirms the
//   // patient is in the model's intended population (an 'unverified' result then reads 'in')
//   api.setBackend('auto' | 'webgpu' | 'wasm');   // for models opened afterwards
//   api.setActiveModel('cxr-pneumonia');          // what the UI analyses opened images with
//   api.models();                                 // [{ key, id, state, bytes_done/_total, backend, ... }]
//   api.studies();                                // the study list: [{ id, name, status, ahead?, message? }]
//   api.setLanguage('zh-Hans' | 'en');            // the UI language (remembered); api.i18nStatus() its state
// Results have the same shape as `dxlens analyze` prints. Errors reject with an Error whose message a person
// can read. Package files go through Emscripten's in-memory file system, so C++ reads a picked folder and a
// downloaded package the same way; nothing is written to disk or sent anywhere.
import { setModuleHooks } from './module-hooks.mjs';
import { wasmMemory } from './wasm-memory.mjs';

export class DxApi {
  constructor(module) {
    this.m = module;
    this.memory = wasmMemory(module);
    // The names C++ gives the numbers and words its functions take, in its enums' order (js_api.cpp,
    // dx_api_enums): { reportFormats, batchQueues, batchExports, backendChoices }. batch.mjs uses them too.
    this.enums = JSON.parse(this.memory.readString(module._dx_api_enums()));
    this.pending = new Map();
    this.nextRequest = 1;
    setModuleHooks(module, { dxApiAnswer: (request, ok, json) => this.answer(request, ok, json) });
  }

  answer(request, ok, json) {
    const p = this.pending.get(request);
    if (!p) return;
    this.pending.delete(request);
    const value = JSON.parse(json);
    if (ok) p.resolve(value);
    else p.reject(new Error(value.message));
  }

  // Calls an exported C++ function whose first argument is a request id answered later.
  request(fn, ...args) {
    const id = this.nextRequest++;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.memory.call(fn, id, ...args);
    return promise;
  }

  models() {
    return this.memory.takeJson(this.m._dx_api_models());
  }

  version() {
    return this.memory.readString(this.m._dx_api_version());
  }

  // The UI language, as the Language menu sets it (remembered for the next visit): 'en' or 'zh-Hans' (zh-CN too).
  setLanguage(tag) {
    this.memory.call('_dx_app_set_language', String(tag));
  }

  // { language, uiCharacters, missingGlyphs, cjkFontLoaded, atlas: [w, h], sample }: the font's coverage of
  // every character the UI can draw (missingGlyphs '' when all render).
  i18nStatus() {
    return this.memory.takeJson(this.m._dx_app_i18n_status());
  }

  // The model the workstation's UI analyses opened images with.
  setActiveModel(id) {
    this.memory.call('_dx_app_set_active_model', String(id));
  }

  // The findings panel's "Show where the model looked" for the selected study; false if nothing to explain.
  explainSelected() {
    return this.m._dx_app_explain_selected() === 1;
  }

  // File > Export report for the selected study; the browser downloads it. false if there is nothing to export.
  exportReport(format) {
    const formats = this.enums.reportFormats;
    const index = formats.indexOf(format);
    if (index < 0) throw new Error(`Unknown report format '${format}' (${formats.join(', ')})`);
    return this.m._dx_app_export_report(index) === 1;
  }

  // What the viewport shows now: { slice, slices, frame, window: { center, width, name }, zoom, ruler?, patient, ... }.
  viewerState() {
    return JSON.parse(this.memory.readString(this.m._dx_app_viewer_state()));
  }

  // The studies the workstation has open and what the active model made of each, as the study list shows it:
  // [{ id, name, model, status: 'queued' | 'analyzing' | 'done' | 'error' | 'not analyzed' | 'cannot open',
  //    ahead (analyses before a queued one), waitingForModel (queued before any model was ready), message }].
  studies() {
    return this.memory.takeJson(this.m._dx_app_studies());
  }

  setBackend(choice) {
    if (!this.enums.backendChoices.includes(choice)) throw new Error(`Unknown backend '${choice}'`);
    this.memory.call('_dx_api_set_backend', choice);
  }

  async loadModel(baseUrl, { onProgress } = {}) {
    const base = new URL(baseUrl, document.baseURI);
    const key = this.memory.call('_dx_api_begin_model', base.pathname);
    try {
      const manifestBytes = await this.fetchBytes(new URL('manifest.json', base));
      const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
      const paths = packageFilePaths(manifest);
      const files = [{ path: 'manifest.json', bytes: manifestBytes }];
      // The total is known only once every file has answered (its size comes with the response); until then it
      // is reported as 0, "not known yet", rather than as the sum of the small files that answered first.
      const progress = new Array(paths.length).fill(null);
      const report = () => {
        const done = progress.reduce((s, p) => s + (p?.done ?? 0), 0);
        const total = progress.every(Boolean) ? progress.reduce((s, p) => s + p.total, 0) : 0;
        this.m._dx_api_model_progress(key, done, total);
        onProgress?.(done, total);
      };
      const bodies = await Promise.all(paths.map((p, i) =>
        this.fetchBytes(new URL(p, base), (done, total) => { progress[i] = { done, total }; report(); })));
      paths.forEach((p, i) => files.push({ path: p, bytes: bodies[i] }));
      return await this.openPackage(key, files);
    } catch (err) {
      this.memory.call('_dx_api_model_failed', key, err.message);
      throw err;
    }
  }

  // files: [{ path, bytes }] or File objects (webkitRelativePath or name) that a user picked together.
  async loadModelFiles(files) {
    const entries = await Promise.all(Array.from(files).map(async (f) => ({
      path: f.path ?? (f.webkitRelativePath || f.name),
      bytes: f.bytes ? new Uint8Array(f.bytes) : new Uint8Array(await f.arrayBuffer()),
    })));
    const manifest = entries.find((e) => e.path === 'manifest.json' || e.path.endsWith('/manifest.json'));
    const source = manifest ? manifest.path.replace(/manifest\.json$/, '') || 'picked files' : 'picked files';
    const key = this.memory.call('_dx_api_begin_model', `picked: ${source}`);
    if (!manifest) {
      const message = 'The picked files contain no manifest.json: pick the model package folder ' +
                      '(manifest.json, the .onnx file it names and reference/).';
      this.memory.call('_dx_api_model_failed', key, message);
      throw new Error(message);
    }
    const prefix = manifest.path.slice(0, manifest.path.length - 'manifest.json'.length);
    const inPackage = entries.filter((e) => e.path.startsWith(prefix))
                             .map((e) => ({ path: e.path.slice(prefix.length), bytes: e.bytes }));
    return this.openPackage(key, inPackage);
  }

  async openPackage(key, files) {
    const folder = `/packages/${key}`;
    const FS = this.m.FS;
    for (const f of files) {
      if (f.path.split('/').includes('..')) continue; // never outside the package folder
      const file = `${folder}/${f.path}`;
      FS.mkdirTree(file.slice(0, file.lastIndexOf('/')));
      FS.writeFile(file, f.bytes);
    }
    try {
      return await this.request('_dx_api_open_model', key, folder);
    } finally {
      removeTree(FS, folder); // C++ keeps what it needs; the copies would only double memory use
    }
  }

  async analyze(input, { model, name = 'image', population } = {}) {
    if (population !== undefined && population !== 'in')
      throw new Error(`population must be 'in' (the patient is in the model's intended population) or left out, not '${population}'`);
    const bytes = input instanceof Uint8Array ? input
                : input instanceof ArrayBuffer ? new Uint8Array(input)
                : new Uint8Array(await input.arrayBuffer());
    // The copy in the heap lasts for the call only: C++ copies the bytes before returning; the answer comes later.
    return this.request('_dx_api_analyze', String(model), name, bytes, bytes.length, population === 'in' ? 1 : 0);
  }

  async fetchBytes(url, onProgress) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('Content-Length')) || 0;
    if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
    const reader = res.body.getReader();
    const chunks = [];
    let done = 0;
    onProgress(0, total);
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      chunks.push(value);
      done += value.length;
      onProgress(done, Math.max(total, done));
    }
    const out = new Uint8Array(done);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

// The files a manifest names besides itself: the model and, when present, its reference input and outputs.
function packageFilePaths(manifest) {
  const paths = [manifest.file];
  if (manifest.reference?.input) paths.push(manifest.reference.input);
  if (manifest.reference?.outputs) paths.push(manifest.reference.outputs);
  return paths.filter((p) => typeof p === 'string' && p.length > 0);
}

function removeTree(FS, path) {
  let stat;
  try { stat = FS.stat(path); } catch { return; }
  if (FS.isDir(stat.mode)) {
    for (const name of FS.readdir(path)) if (name !== '.' && name !== '..') removeTree(FS, `${path}/${name}`);
    FS.rmdir(path);
  } else {
    FS.unlink(path);
  }
}
