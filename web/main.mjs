// main.mjs — the full workstation page (index.html): the app plus offline/installable support.
import { showFatal, startApp } from './app.mjs';
import { installPwa } from './pwa.mjs';

startApp().catch((err) => showFatal(err.message || String(err)));
window.dxPwa = installPwa(document.getElementById('dx-update')).catch((err) => {
  console.warn(`DxLens: offline support is off: ${err.message}`);
  return null;
});
