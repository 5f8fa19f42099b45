// offline.test.mjs — the installed app works without a network: after one visit the service worker has
// cached the app, ONNX Runtime and the default models; offline, a reload still starts DxLens and a shipped
// model analyzes an image. Also: the manifest and service worker pass Chromium's installability checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureFixtures, openApp, waitForModels } from './harness.mjs';

let app;

before(async () => {
  app = await openApp();
  await app.waitForFirstFrame();
  await waitForModels(app.page);
  // The worker is active (its install precached everything) and controls the page.
  await app.page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller)
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  });
});

after(async () => {
  await app?.close();
});

test('Chromium finds no installability errors (manifest, icons, service worker)', async () => {
  const cdp = await app.context.newCDPSession(app.page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  const manifest = await (await fetch(`${app.origin}/manifest.webmanifest`)).json();
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));
});

test('the cache holds the app, ONNX Runtime and the default models, and nothing else', async () => {
  const cached = await app.page.evaluate(async () => {
    const names = await caches.keys();
    const urls = [];
    for (const n of names) for (const r of await (await caches.open(n)).keys()) urls.push(new URL(r.url).pathname);
    return { names, urls };
  });
  assert.equal(cached.names.length, 1, `one versioned cache, got ${cached.names}`);
  for (const p of ['/index.html', '/dxlens.wasm', '/ort/ort-wasm-simd-threaded.wasm', '/ort/ort-wasm-simd-threaded.jsep.wasm', '/models/index.json'])
    assert.ok(cached.urls.includes(p), `${p} is not cached`);
  assert.ok(cached.urls.some((u) => u.endsWith('/model.onnx')), 'no model is cached');
  assert.ok(cached.urls.every((u) => !/\.(dcm|jpe?g)$/i.test(u)), 'nothing but the app is cached');
});

test('offline, a reload starts DxLens and a shipped model analyzes an image', async (t) => {
  await app.context.setOffline(true);
  try {
    await app.page.reload();
    await app.waitForFirstFrame();
    const models = await waitForModels(app.page);
    const ready = models.filter((m) => m.state === 'ready');
    assert.ok(ready.length > 0, `no model opened offline: ${JSON.stringify(models.map((m) => [m.id, m.message]))}`);
    const imageModel = ready.find((m) => m.task !== 'tabular');
    if (!imageModel) return t.skip('no shipped image model to analyze with');
    const png = readFileSync(path.join(ensureFixtures(), 'probe.png'));
    const result = await app.page.evaluate(async ({ b64, model }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      return window.dxlens.api.analyze(bytes, { model, name: 'offline.png' });
    }, { b64: png.toString('base64'), model: imageModel.id });
    assert.equal(result.model, imageModel.id);
    assert.ok(Object.keys(result.outputs).length > 0);
  } finally {
    await app.context.setOffline(false);
  }
});

test('served from a sub-path, the app starts, opens its models and installs its service worker there', async () => {
  const sub = await openApp({ basePath: '/tools/dxlens/' });
  try {
    await sub.waitForFirstFrame();
    const models = await waitForModels(sub.page);
    assert.ok(models.some((m) => m.state === 'ready'), JSON.stringify(models.map((m) => [m.id, m.state, m.message])));
    const scope = await sub.page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, sub.base);
    assert.ok(sub.requests.every((r) => r.url.startsWith(sub.base)), 'every request stays under the sub-path');
    assert.deepEqual(sub.consoleErrors, []);
  } finally {
    await sub.close();
  }
});

test('when the app cannot be stored for offline use, the page says so in the UI language', async () => {
  // A precached file the page itself never loads fails, so only the service worker's install is affected.
  const broken = await openApp({
    locale: 'zh-CN',
    beforeGoto: (a) => a.context.route(/\/EMBEDDING\.md$/, (route) => route.fulfill({ status: 500, body: 'broken' })),
  });
  try {
    await broken.waitForFirstFrame();
    await broken.page.waitForSelector('#dx-update:not([hidden])', { timeout: 60_000 });
    const notice = await broken.page.evaluate(() => ({
      text: document.querySelector('#dx-update .dx-notice-text').textContent,
      button: !document.querySelector('#dx-update button').hidden,
    }));
    assert.match(notice.text, /^无法让 DxLens 离线可用（仍可在线使用）：/);
    assert.equal(notice.button, false, 'nothing to reload');
    assert.deepEqual(await broken.page.evaluate(() => caches.keys()), [], 'a failed install leaves no partial cache');
  } finally {
    await broken.close();
  }
});
