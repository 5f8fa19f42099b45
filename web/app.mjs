// app.mjs — starts DxLens in a page: instantiates the WASM app on #canvas, probes WebGPU/isolation, loads
// ONNX Runtime Web from our own origin, opens the shipped models, and shows a readable message instead of a
// blank page on fatal errors. Used by index.html (main.mjs) and embed.html (embed.mjs).
//
// How to use:
//   const app = await startApp({ models: ['cxr-pneumonia'] });   // models: which shipped ones (default all)
//   app.module, app.api (dx-api.mjs), await app.defaultModels, app.platform (what probe() found)
import createDxLens from './dxlens.js';
import { DxApi } from './dx-api.mjs';
import { DxBridge } from './dx-bridge.mjs';
import { installFrameWake } from './frame-wake.mjs';
import { installIntake } from './intake.mjs';
import { installBatch } from './batch.mjs';
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

// models/index.json (written by the build) lists the packages shipped in models/.
async function loadDefaultModels(api, only) {
  let ids = [];
  try {
    const res = await fetch('models/index.json');
    if (res.ok) ids = (await res.json()).models ?? [];
  } catch (err) {
    console.warn(`DxLens: no default model list: ${err.message}`);
  }
  if (only) ids = ids.filter((id) => only.includes(id));
  return Promise.allSettled(ids.map((id) => api.loadModel(`models/${id}/`)));
}

export async function startApp({ models = null } = {}) {
  // Before the first frame an error means DxLens cannot start: say so instead of a blank page. Afterwards the
  // workstation keeps running (what the user opened stays); the error is logged for the developer console.
  let started = false;
  const onError = (message) => (started ? console.error(`DxLens: ${message}`) : showFatal(message));
  window.addEventListener('error', (e) => onError(e.message || String(e)));
  window.addEventListener('unhandledrejection', (e) => onError(e.reason?.message || String(e.reason)));
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
  const probed = bridge.probe().then(updatePlatform);
  const runtime = bridge.loadRuntime('wasm').then(
    (ort) => updatePlatform({ ortVersion: ort.env.versions?.web ?? 'loaded', ortStatus: 'loaded' }),
    (err) => updatePlatform({ ortStatus: `failed to load: ${err.message}` }));
  if (!document.createElement('canvas').getContext('webgl2')) {
    const message = pageText('noWebGl2');
    showFatal(message);
    throw new Error(message);
  }
  const instance = await createDxLens(module);
  installFrameWake(instance); // first: every later call into the WASM wakes the drawing loop
  const api = new DxApi(instance);
  window.dxlens = instance;
  setModuleHooks(instance, { api });
  installIntake(instance, api);
  // After intake: a drop on the batch windows is handled first.
  setModuleHooks(instance, { batch: installBatch(instance, api) });
  installRiskForm(instance, api);
  // Default models open once the backends are known (WebGPU first needs the probe's answer).
  await Promise.all([probed, runtime]);
  const defaultModels = loadDefaultModels(api, models);
  setModuleHooks(instance, { defaultModels });
  return { module: instance, api, defaultModels, platform: module.dxPlatform };
}
