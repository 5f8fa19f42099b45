// pwa.mjs — offline install support for the page: registers sw.js, asks for persistent storage (so the
// browser does not evict the cached models), and shows "update available — reload" when a new version has
// been downloaded. Clicking Reload switches the whole page to the new version at once. When the app cannot be
// stored for offline use (no storage room, a file that failed to download), the same notice says so.
//
// How to use: installPwa(noticeElement) from main.mjs. Does nothing where service workers are unavailable
// (e.g. plain http on a non-localhost address), and says so in the console.

import { pageText } from './page-text.mjs';

function showNotice(notice, text, action) {
  notice.hidden = false;
  notice.querySelector('.dx-notice-text').textContent = text;
  const button = notice.querySelector('button');
  button.textContent = pageText('reload');
  button.hidden = !action;
  if (action) button.onclick = action;
}

// What the service worker reported when it could not store the app ({ reason: 'quota' | 'failed', detail }).
export function offlineErrorText({ reason, detail }) {
  return reason === 'quota' ? pageText('offlineQuota') : `${pageText('offlineFailed')}${detail}`;
}

function offerUpdate(notice, worker) {
  showNotice(notice, pageText('updateAvailable'), () => {
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
    worker.postMessage({ type: 'dxlens:skip-waiting' });
  });
}

export async function installPwa(notice) {
  if (!('serviceWorker' in navigator)) {
    console.info('DxLens: service workers are unavailable here; the app will not work offline.');
    return null;
  }
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'dxlens:sw-error') showNotice(notice, offlineErrorText(event.data), null);
  });
  const registration = await navigator.serviceWorker.register('sw.js', { scope: './' });
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(notice, registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      // "installed" with an existing controller: a new version is ready and waiting for the user.
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(notice, worker);
    });
  });
  if (navigator.storage?.persist) {
    const persisted = await navigator.storage.persisted?.();
    if (!persisted) navigator.storage.persist().catch(() => {});
  }
  return registration;
}
