// main.mjs — the full workstation page (index.html): the app plus offline/installable support.
import { showFatal, startApp } from './app.mjs';
import { installPwa } from './pwa.mjs';

const app = startApp();
app.catch((err) => showFatal(err.message || String(err)));
// Offline support is set up once the app and its shipped models have started (or failed to): the service worker's
// install downloads every precached file again (ONNX Runtime's two builds and the models, tens of MB, past the
// HTTP cache) and writes them to storage, which on a first visit would compete with the page's own downloads
// and WebAssembly compiles.
window.dxPwa = app.then((started) => started.defaultModels, () => null)
  .then(() => installPwa(document.getElementById('dx-update')))
  .catch((err) => {
    console.warn(`DxLens: offline support is off: ${err.message}`);
    return null;
  });
