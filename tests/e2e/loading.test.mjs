// loading.test.mjs — the page's own loading overlay (#dx-loading, shown until the WebAssembly UI draws its first
// frame) speaks the UI's language: Simplified Chinese to a zh-CN browser, English to en-US, and the language the
// user chose with Alt+L / the Language menu when one is remembered. The app's files are held back by a route until
// the overlay has been read, so it is read while the app cannot be ready (no timing luck).
//
// How to use: node --test --test-concurrency=1 tests/e2e/loading.test.mjs   (after the wasm build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { LANGUAGE_KEY } from '../../web/page-text.mjs';

// Opens the page with dxlens.wasm and dxlens.data held until release() is called.
async function openHeld(options) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const app = await openApp({
    ...options,
    beforeGoto: async (a) => {
      await options.beforeGoto?.(a);
      await a.context.route(/\/dxlens\.(wasm|data)$/, async (route) => {
        await gate;
        await route.continue();
      });
    },
  });
  app.release = release;
  return app;
}

// What the overlay says once the page's scripts have run, with the app's WebAssembly still held back.
async function overlayWhileHeld(page) {
  await page.waitForSelector('#dx-loading[lang]', { state: 'attached', timeout: 30_000 });
  return page.evaluate(() => ({
    ready: Boolean(window.dxlens),
    visible: !document.getElementById('dx-loading').hidden,
    lang: document.documentElement.lang,
    text: document.getElementById('dx-loading-text').textContent,
    notice: document.querySelector('#dx-loading .dx-notice').textContent,
  }));
}

test('a zh-CN browser sees the loading overlay in Simplified Chinese before the app is ready', async () => {
  const app = await openHeld({ locale: 'zh-CN' });
  try {
    const o = await overlayWhileHeld(app.page);
    assert.equal(o.ready, false, 'the app must not be ready while its WebAssembly is held back');
    assert.equal(o.visible, true);
    assert.equal(o.lang, 'zh-Hans');
    assert.match(o.text, /^正在(加载|下载)工作站…(（\d+\/\d+）)?$/);
    assert.equal(o.notice, '仅供研究使用 — 非医疗器械。图像不会离开本设备。');
    await app.screenshot('loading-zh');
    // Then the UI itself comes up in the same language, and a switch is remembered under the key the overlay reads.
    app.release();
    await app.waitForFirstFrame();
    await app.page.waitForFunction(() => window.dxlens?.api);
    assert.equal((await app.page.evaluate(() => window.dxlens.api.i18nStatus())).language, 'zh-Hans');
    await app.page.evaluate(() => window.dxlens.api.setLanguage('en'));
    assert.equal(await app.page.evaluate((key) => localStorage.getItem(key), LANGUAGE_KEY), 'en');
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('an en-US browser sees it in English', async () => {
  const app = await openHeld({ locale: 'en-US' });
  try {
    const o = await overlayWhileHeld(app.page);
    assert.equal(o.ready, false);
    assert.equal(o.lang, 'en');
    assert.match(o.text, /^(Loading|Downloading) the workstation…( \(\d+\/\d+\))?$/);
    assert.equal(o.notice, 'Research use only — not a medical device. Images never leave this device.');
    app.release();
    await app.waitForFirstFrame();
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('the language chosen with Alt+L (remembered) wins over the browser\'s, before the app is ready', async () => {
  // The choice as the app stores it (dx_library.js, dx_js_apply_language), here made on an earlier visit.
  const app = await openHeld({
    locale: 'en-US',
    beforeGoto: (a) => a.context.addInitScript((key) => localStorage.setItem(key, 'zh-Hans'), LANGUAGE_KEY),
  });
  try {
    const o = await overlayWhileHeld(app.page);
    assert.equal(o.ready, false);
    assert.equal(o.lang, 'zh-Hans');
    assert.match(o.text, /^正在(加载|下载)工作站…/);
    app.release();
    await app.waitForFirstFrame();
    await app.page.waitForFunction(() => window.dxlens?.api);
    assert.equal((await app.page.evaluate(() => window.dxlens.api.i18nStatus())).language, 'zh-Hans');
  } finally {
    await app.close();
  }
});
