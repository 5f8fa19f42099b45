// fast_start.test.mjs — a first visit (fresh profile, cold cache) puts nothing on the first frame's path that the
// first frame does not need: with every model file and ONNX Runtime's WebAssembly held back by a route, the
// workstation still draws its first frame and the shipped models show as downloading; released, they become
// ready. In an ordinary cold visit the models' and ONNX Runtime's large files are requested only after the first
// frame, and ONNX Runtime is started ahead of the models (not inside the first model's session). An English first
// visit builds its font atlas without the catalogue's ~540 Chinese glyphs (only the Chinese the English UI draws);
// switching to Chinese adds them. Orderings, not times: the figures are bench/startup_bench.mjs's job on this
// shared machine; this test prints them as diagnostics only.
//
// How to use: node --test --test-concurrency=1 tests/e2e/fast_start.test.mjs   (after the wasm build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, waitForModels } from './harness.mjs';

// Everything the models need and the first frame does not: the packages' files and ONNX Runtime's WebAssembly.
const NOT_FOR_FIRST_FRAME = /\/(models\/[^/]+\/.+|ort\/[^/]+\.wasm)$/;

const overlayHidden = (page) => page.evaluate(() => document.getElementById('dx-loading').hidden);

test('the first frame is drawn while every model file and ONNX Runtime\'s WebAssembly are held back', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const held = [];
  const app = await openApp({
    beforeGoto: (a) => a.context.route(NOT_FOR_FIRST_FRAME, async (route) => {
      held.push(new URL(route.request().url()).pathname);
      await gate;
      await route.continue();
    }),
  });
  try {
    await app.waitForFirstFrame();
    assert.equal(await overlayHidden(app.page), true);
    // The shipped models are listed (downloading) while their files are still held: the first frame did not wait.
    await app.page.waitForFunction(() => window.dxlens?.api?.models().some((m) => m.state === 'downloading'),
                                   null, { timeout: 30_000 });
    const states = await app.page.evaluate(() => window.dxlens.api.models().map((m) => m.state));
    assert.ok(states.every((s) => s === 'downloading'), `no model may be ready yet: ${states}`);
    assert.ok(held.length > 0, 'nothing was held: the route did not match the model files');
    await app.frames(); // the UI keeps drawing meanwhile
    release();
    const models = await waitForModels(app.page);
    const notReady = models.filter((m) => m.state !== 'ready');
    assert.deepEqual(notReady, [], 'every shipped model opens once its files arrive');
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    release();
    await app.close();
  }
});

test('on a cold visit the first frame comes first; then the models download while ONNX Runtime starts', async (t) => {
  const app = await openApp();
  try {
    await app.waitForFirstFrame();
    const models = await waitForModels(app.page);
    assert.ok(models.length > 0 && models.every((m) => m.state === 'ready'), JSON.stringify(models));
    const timing = await app.page.evaluate(() => {
      const entry = (name) => performance.getEntriesByName(name)[0];
      const end = (name) => entry(name) && entry(name).startTime + entry(name).duration;
      const requested = (re) => performance.getEntriesByType('resource').filter((r) => re.test(r.name))
                                  .map((r) => r.startTime);
      const onnx = requested(/\/model\.onnx$/);
      return {
        firstFrame: end('dx:first-frame'),
        modelsReady: end('dx:default-models'),
        firstModelRequest: Math.min(...onnx),
        modelFiles: onnx.length,
        ortWasmRequest: Math.min(...requested(/\/ort\/[^/]+\.wasm$/)),
        ortStarted: end('dx:ort-warm-up wasm'),
        fontAtlasMs: entry('dx:font-atlas')?.duration,
        mainMs: entry('dx:main')?.duration,
      };
    });
    t.diagnostic(`cold visit on this machine (ms from navigation): ${JSON.stringify(timing)}`);
    assert.ok(Number.isFinite(timing.firstFrame), 'the page sets the dx:first-frame measure');
    assert.equal(timing.modelFiles, models.length, 'each model.onnx fetched once');
    // Nothing the first frame does not need competes with it: the models' and ONNX Runtime's big files are
    // requested after it is drawn.
    assert.ok(timing.firstModelRequest > timing.firstFrame,
              `a model.onnx was requested at ${timing.firstModelRequest} ms, before the first frame (${timing.firstFrame} ms)`);
    assert.ok(timing.ortWasmRequest > timing.firstFrame,
              `ONNX Runtime's .wasm was requested at ${timing.ortWasmRequest} ms, before the first frame`);
    // ONNX Runtime's CPU build started ahead of the models rather than inside the first model's session (the
    // models' sessions queue behind the warm-up on that runtime).
    assert.ok(Number.isFinite(timing.ortStarted), 'ONNX Runtime was not started ahead of the models');
    if (models.every((m) => m.backend === 'wasm'))
      assert.ok(timing.ortStarted <= timing.modelsReady, JSON.stringify(timing));
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('an English first visit rasterises only the Chinese it draws; switching to Chinese adds the rest', async () => {
  const app = await openApp({ locale: 'en-US' });
  try {
    await app.waitForFirstFrame();
    await app.page.waitForFunction(() => window.dxlens?.api);
    const status = () => app.page.evaluate(() => window.dxlens.api.i18nStatus());
    const en = await status();
    assert.equal(en.language, 'en');
    // Every character the English UI draws has its glyph (the Language menu's 语言 and 简体中文 included).
    assert.equal(en.missingGlyphs, '', `missing in the English atlas: ${en.missingGlyphs}`);
    await app.page.evaluate(() => window.dxlens.api.setLanguage('zh-Hans'));
    await app.frames(); // the atlas is rebuilt at the start of the next frame
    const zh = await status();
    assert.equal(zh.language, 'zh-Hans');
    assert.equal(zh.missingGlyphs, '', `missing in the Chinese atlas: ${zh.missingGlyphs}`);
    assert.ok(zh.uiCharacters > en.uiCharacters + 300,
              `the Chinese atlas covers ${zh.uiCharacters} characters, the English one ${en.uiCharacters}`);
    assert.ok(zh.atlas[0] * zh.atlas[1] >= en.atlas[0] * en.atlas[1], `atlas ${en.atlas} -> ${zh.atlas}`);
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});
