// main.mjs — boots the page: instantiates the WASM app on #canvas, probes WebGPU/isolation, loads ONNX
// Runtime Web from our own origin, and shows a readable message instead of a blank page on fatal errors.
import createDxLens from './dxlens.js';
import { DxApi } from './dx-api.mjs';
import { DxBridge } from './dx-bridge.mjs';
import { installIntake } from './intake.mjs';

const loading = document.getElementById('dx-loading');
const loadingText = document.getElementById('dx-loading-text');
const fatal = document.getElementById('dx-fatal');

function showFatal(message) {
  console.error(`DxLens: ${message}`);
  loading.hidden = true;
  fatal.hidden = false;
  fatal.textContent = `DxLens cannot start.\n\n${message}\n\nResearch use only — not a medical device.`;
}

window.addEventListener('error', (e) => showFatal(e.message || String(e)));
window.addEventListener('unhandledrejection', (e) => showFatal(e.reason?.message || String(e.reason)));

async function boot() {
  const canvas = document.getElementById('canvas');
  canvas.addEventListener('contextmenu', (e) => e.preventDefault()); // right-drag is window/level, not a menu
  const bridge = new DxBridge(new URL('./ort/', import.meta.url));
  const module = {
    canvas,
    dxBridge: bridge,
    dxPlatform: { ortStatus: 'loading…' },
    dxPlatformVersion: 1,
    onFirstFrame: () => { loading.hidden = true; },
    onFatal: showFatal,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    setStatus: (text) => { if (text) loadingText.textContent = text; },
  };
  const updatePlatform = (fields) => {
    Object.assign(module.dxPlatform, fields);
    module.dxPlatformVersion++;
  };
  // Probing and loading ORT run alongside the WASM download; the status bar updates when they finish.
  const probed = bridge.probe().then(updatePlatform);
  const runtime = bridge.loadRuntime().then(
    (ort) => updatePlatform({ ortVersion: ort.env.versions?.web ?? 'loaded', ortStatus: 'loaded' }),
    (err) => updatePlatform({ ortStatus: `failed to load: ${err.message}` }));
  if (!document.createElement('canvas').getContext('webgl2')) {
    showFatal('This browser cannot create a WebGL2 context, which DxLens needs to draw its interface. ' +
              'Enable hardware acceleration or use a current Chrome, Edge, Firefox or Safari.');
    return;
  }
  window.dxlens = await createDxLens(module);
  window.dxlens.api = new DxApi(window.dxlens);
  installIntake(window.dxlens, window.dxlens.api);
  // Default models open once the backends are known (WebGPU first needs the probe's answer).
  await Promise.all([probed, runtime]);
  window.dxlens.defaultModels = loadDefaultModels(window.dxlens.api);
}

// models/index.json (written by the build) lists the packages shipped in models/.
async function loadDefaultModels(api) {
  let ids = [];
  try {
    const res = await fetch('models/index.json');
    if (res.ok) ids = (await res.json()).models ?? [];
  } catch (err) {
    console.warn(`DxLens: no default model list: ${err.message}`);
  }
  return Promise.allSettled(ids.map((id) => api.loadModel(`models/${id}/`)));
}

boot().catch((err) => showFatal(err.message || String(err)));
