// app.mjs — starts DxLens in a page: instantiates the WASM app on #canvas, probes WebGPU/isolation, loads
// ONNX Runtime Web from our own origin, opens the shipped models, and shows a readable message instead of a
// blank page on fatal errors. Used by index.html (main.mjs) and embed.html (embed.mjs).
//
// How to use:
//   const app = await startApp({ models: ['cxr-pneumonia'] });   // models: which shipped ones (default all)
//   app.module, app.api (dx-api.mjs), await app.defaultModels, app.platform (what probe() found)
import createDxLens from './dxlens.js';
import { DxApi, downloadPackage } from './dx-api.mjs';
import { DxBridge } from './dx-bridge.mjs';
import { installFrameWake } from './frame-wake.mjs';
import { installIntake } from './intake.mjs';
import { installBatch } from './batch.mjs';
import { installDicomweb } from './dicomweb.mjs';
import { installPinchZoom } from './pinch.mjs';
import { installRiskForm } from './risk-form.mjs';
import { wasmMemory } from './wasm-memory.mjs';
import { setModuleHooks } from './module-hooks.mjs';
import { loadingStatusText, localiseLoadingOverlay, pageText } from './page-text.mjs';

const loading = document.getElementById('dx-loading');
const loadingText = document.getElementById('dx-loading-text');
const fatal = document.getElementById('dx-fatal');
// Before anything is fetched: the overlay speaks the UI's language (remembered choice, else the browser's).
localiseLoadingOverlay(document);

export function showFatal(message) {
  console.error(`DxLens: ${message}`);
  if (loading) loading.hidden = true;
  if (!fatal) return;
  fatal.hidden = false;
  fatal.textContent = `${pageText('cannotStart')}\n\n${message}\n\n${pageText('researchUse')}`;
}

// Keys DxLens's UI handles (Help > Keyboard shortcuts) that the browser would also act on (F1 opens its help,
// Ctrl+O its file dialog, Ctrl+L the address bar, Ctrl+B bookmarks in some browsers): with the canvas focused,
// DxLens's meaning wins. ImGui still sees the key.
export function isAppShortcut(e) {
  const ctrl = e.ctrlKey || e.metaKey;
  const letter = (e.key || '').toLowerCase();
  return e.key === 'F1' || (ctrl && (['o', 'b', 'l'].includes(letter) || ['KeyO', 'KeyB', 'KeyL'].includes(e.code) ||
                                     e.key === 'Enter')) ||
         (e.altKey && e.code === 'KeyL');
}

// The shipped packages (models/index.json, written by the build; `only`: a subset by id) download once the first
// frame is drawn, alongside ONNX Runtime's start, instead of after it: none is on the first frame's path, and
// none waits for ONNX Runtime. index.json also lists each package's files, so they are all requested at once
// rather than each after its manifest. Resolves to one downloadPackage() per model.
async function downloadDefaultModels(only) {
  let ids = [];
  let files = {};
  try {
    const res = await fetch('models/index.json');
    if (res.ok) ({ models: ids = [], files = {} } = await res.json());
  } catch (err) {
    console.warn(`DxLens: no default model list: ${err.message}`);
  }
  if (only) ids = ids.filter((id) => only.includes(id));
  return ids.map((id) => downloadPackage(`models/${id}/`, { files: files[id] ?? [] }));
}

// Each model's slot appears as soon as the app is up (showing its download); its session opens once its files
// are here and the backends are known (WebGPU first needs the probe's answer).
async function openDefaultModels(api, downloads, backendsKnown) {
  const list = await downloads;
  return Promise.allSettled(list.map((download) => api.loadModel(download.base, { download, openAfter: backendsKnown })));
}

export async function startApp({ models = null } = {}) {
  // Before the first frame an error means DxLens cannot start: say so instead of a blank page. Afterwards the
  // workstation keeps running (what the user opened stays); the error is logged for the developer console.
  let started = false;
  const onError = (message) => (started ? console.error(`DxLens: ${message}`) : showFatal(message));
  window.addEventListener('error', (e) => onError(e.message || String(e)));
  window.addEventListener('unhandledrejection', (e) => onError(e.reason?.message || String(e.reason)));
  performance.mark('dx:app-start');
  const canvas = document.getElementById('canvas');
  canvas.addEventListener('contextmenu', (e) => e.preventDefault()); // right-drag is window/level, not a menu
  canvas.addEventListener('keydown', (e) => { if (isAppShortcut(e)) e.preventDefault(); });
  installPinchZoom(canvas);
  const bridge = new DxBridge(new URL('./ort/', import.meta.url));
  const module = {};
  setModuleHooks(module, {
    canvas,
    dxMemory: wasmMemory(module), // dx_library.js's string and byte copies, from its first call
    dxBridge: bridge,
    dxPlatform: { ortStatus: 'loading…' },
    dxPlatformVersion: 1,
    onFirstFrame: () => {
      started = true;
      if (loading) loading.hidden = true;
      performance.measure('dx:first-frame');
    },
    onFatal: showFatal,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    setStatus: (text) => { if (text && loadingText) loadingText.textContent = loadingStatusText(text); },
  });
  const updatePlatform = (fields) => {
    Object.assign(module.dxPlatform, fields);
    module.dxPlatformVersion++;
  };
  // Probing and loading ORT run alongside the WASM download; the status bar updates when they finish.
  const caps = bridge.probe().finally(() => performance.measure('dx:probe', 'dx:app-start'));
  const probed = caps.then(updatePlatform);
  const runtime = bridge.loadRuntime('wasm').then(
    (ort) => updatePlatform({ ortVersion: ort.env.versions?.web ?? 'loaded', ortStatus: 'loaded' }),
    (err) => updatePlatform({ ortStatus: `failed to load: ${err.message}` }));
  // Only whether the browser has WebGL2 at all: creating a context here to find out costs as much as the app's
  // own (100-200 ms with software GL) on the first frame's path. A context that cannot be created is reported by
  // main() (reportFatal) instead.
  if (typeof WebGL2RenderingContext === 'undefined') {
    const message = pageText('noWebGl2');
    showFatal(message);
    throw new Error(message);
  }
  const instance = await createDxLens(module);
  installFrameWake(instance); // first: every later call into the WASM wakes the drawing loop
  performance.measure('dx:webassembly-app', 'dx:app-start');
  // The first frame is drawn (main() draws it). Now the models download and, meanwhile, ONNX Runtime's
  // WebAssembly (14 MB) downloads, compiles and starts, rather than inside the first model's session once the
  // models' files are in; the app's own download, compile and first frame had the CPU and the network to
  // themselves. The CPU build first (every model can fall back to it); WebGPU's once the probe found a GPU.
  const warmUp = (backend) => {
    performance.mark(`dx:ort-warm-up-start ${backend}`);
    return bridge.warmUp(backend)
      .then(() => performance.measure(`dx:ort-warm-up ${backend}`, `dx:ort-warm-up-start ${backend}`))
      .catch((err) => console.warn(`DxLens: ONNX Runtime (${backend}) did not start ahead of the models: ${err.message}`));
  };
  const downloads = downloadDefaultModels(models);
  warmUp('wasm');
  caps.then((c) => { if (c.webgpuAvailable && !c.webgpuSoftware) warmUp('webgpu'); });
  const api = new DxApi(instance);
  window.dxlens = instance;
  setModuleHooks(instance, { api });
  installIntake(instance, api);
  // After intake: a drop on the batch windows is handled first.
  setModuleHooks(instance, { batch: installBatch(instance, api) });
  installRiskForm(instance, api);
  // The study browser's network side: archives.json from our own origin, then requests to those archives only.
  const archives = installDicomweb(instance);
  setModuleHooks(instance, { archives });
  api.useArchives(archives);
  const defaultModels = openDefaultModels(api, downloads, Promise.all([probed, runtime]))
    .finally(() => performance.measure('dx:default-models', 'dx:app-start'));
  setModuleHooks(instance, { defaultModels });
  return { module: instance, api, defaultModels, platform: module.dxPlatform };
}
