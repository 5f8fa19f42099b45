// sw.js — DxLens's service worker: the app, ONNX Runtime's files and the default models, precached under
// one versioned cache, so the installed app works offline and never mixes two versions.
//
// The build (src/platform/web/stage_static.cmake) fills in DX_VERSION and DX_PRECACHE below; a new build
// changes this file's bytes, which is how the browser notices an update. The new worker then waits until
// the page asks it to take over (the user clicked "Reload" on the update notice), so an open page keeps the
// version it started with. Only the listed static files are cached; anything else goes to the network untouched.
//
// Hospital archives (archives.json) are the one place patient data comes from over the network. Their requests —
// to an origin listed in DX_ARCHIVE_ORIGINS, or to the app's own archive/ path behind a reverse proxy — are
// never answered from a cache nor put into one: the worker leaves them to the network as the page sent them
// (the Content-Security-Policy decides which origins the page may reach at all). DX_ARCHIVE_ORIGINS is written
// by the deployment (web/archive-origins.mjs, or web/serve.mjs as it serves this file), not by the build: a change
// of archives changes this file's bytes, so installed apps update and re-fetch index.html with its new policy.
// archives.json itself is not precached (stage_static.cmake): the deployed one is always read.
const DX_VERSION = '@DX_VERSION@';
const DX_PRECACHE = @DX_PRECACHE@;
const DX_ARCHIVE_ORIGINS = [];
const CACHE = `dxlens-${DX_VERSION}`;
const scopeUrl = new URL(self.registration.scope);
const precached = new Set(DX_PRECACHE.map((p) => new URL(p, scopeUrl).href));
const archiveOrigins = new Set(DX_ARCHIVE_ORIGINS);
const archiveProxyPath = new URL('archive/', scopeUrl).href;

// An archive request: patient data, for the network only.
function isArchiveRequest(url) {
  return archiveOrigins.has(url.origin) || url.href.startsWith(archiveProxyPath);
}

async function tellClients(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(message);
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    try {
      // One request per file, without the HTTP cache, so a half-updated server is never mixed in.
      await cache.addAll(DX_PRECACHE.map((p) => new Request(new URL(p, scopeUrl), { cache: 'no-store' })));
    } catch (err) {
      await caches.delete(CACHE);
      // The page words it in the UI's language (page-text.mjs): the worker sends what happened, not text.
      await tellClients({
        type: 'dxlens:sw-error',
        reason: err && err.name === 'QuotaExceededError' ? 'quota' : 'failed',
        detail: String(err?.message ?? err),
      });
      throw err;
    }
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys())
      if (name.startsWith('dxlens-') && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'dxlens:skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (isArchiveRequest(url)) return; // straight to the network, never cached (see the top of this file)
  if (request.method !== 'GET') return;
  url.search = '';
  url.hash = '';
  let key = url.href;
  if (request.mode === 'navigate' && (key === scopeUrl.href || key.endsWith('/'))) key = new URL('index.html', url).href;
  if (!precached.has(key)) return; // not ours to answer
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(key);
    return hit || fetch(request);
  })());
});
