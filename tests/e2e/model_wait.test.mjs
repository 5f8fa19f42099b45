// model_wait.test.mjs — an image opened before any model is ready: while the shipped models still download, the
// study waits ("queued", waitingForModel in the API, "queued until the model has loaded" in the live region) and
// is analyzed as soon as one is ready; when none can load, the user is told the waiting images were not analyzed
// instead of the study waiting forever. The models' weights are held back by a route until the image has been
// opened, so the waiting is observed, not raced.
//
// How to use: node --test --test-concurrency=1 tests/e2e/model_wait.test.mjs   (after the wasm build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ensureFixtures, openApp } from './harness.mjs';

const WEIGHTS = /\/models\/[^/]+\/model\.onnx$/;

// The page with every shipped model's model.onnx held until settle(fn) is called; fn(route) then answers each
// held request (continue, or fail it).
async function openWithWeightsHeld() {
  let settle;
  const gate = new Promise((resolve) => { settle = resolve; });
  const app = await openApp({
    beforeGoto: (a) => a.context.route(WEIGHTS, async (route) => (await gate)(route)),
  });
  app.settle = settle;
  await app.waitForFirstFrame();
  // The default models are registered (downloading) before the image is opened: otherwise there is nothing to
  // wait for and the study is simply "not analyzed".
  await app.page.waitForFunction(() => window.dxlens?.api?.models().some((m) => m.state === 'downloading'),
                                 null, { timeout: 30_000 });
  return app;
}

const study = (page, name) => page.evaluate((n) => window.dxlens.api.studies().find((s) => s.name === n), name);
const liveText = (page) => page.evaluate(() => document.getElementById('dx-findings').textContent);

async function openProbe(app) {
  await app.page.setInputFiles('#dx-file-input', path.join(ensureFixtures(), 'probe.png'));
  await app.page.waitForFunction(() => window.dxlens.api.studies().some((s) => s.name === 'probe.png'), null,
                                 { timeout: 30_000 });
}

test('an image opened while the models download waits for one, says so, and is analyzed once it is ready', async () => {
  const app = await openWithWeightsHeld();
  try {
    await openProbe(app);
    const waiting = await study(app.page, 'probe.png');
    assert.equal(waiting.status, 'queued');
    assert.equal(waiting.waitingForModel, true);
    assert.match(await liveText(app.page), /probe\.png: queued until the model has loaded\./);
    // No model's size is known while its weights have not answered: the bar says "Connecting…", not a full
    // "0.0 of 0.0 MB" made of the small reference files that arrived first.
    const downloading = (await app.page.evaluate(() => window.dxlens.api.models())).filter((m) => m.state === 'downloading');
    assert.ok(downloading.length > 0 && downloading.every((m) => m.bytes_total === 0), JSON.stringify(downloading));
    await app.screenshot('model-wait-queued');
    app.settle((route) => route.continue());
    await app.page.waitForFunction(() => window.dxlens.api.studies().find((s) => s.name === 'probe.png')?.status === 'done',
                                   null, { timeout: 60_000 });
    const done = await study(app.page, 'probe.png');
    const ready = (await app.page.evaluate(() => window.dxlens.api.models())).filter((m) => m.state === 'ready');
    assert.ok(ready.some((m) => m.id === done.model), `analyzed with ${done.model}, ready: ${JSON.stringify(ready)}`);
    assert.equal(done.waitingForModel, undefined);
    assert.match(await liveText(app.page), /probe\.png: .*Research use only/);
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('when no model can be loaded, the images that waited are reported as not analyzed', async () => {
  const app = await openWithWeightsHeld();
  try {
    await openProbe(app);
    assert.equal((await study(app.page, 'probe.png')).waitingForModel, true);
    app.settle((route) => route.fulfill({ status: 404, body: 'not found' }));
    await app.page.waitForFunction(() => /No image model could be loaded/.test(document.getElementById('dx-findings').textContent),
                                   null, { timeout: 60_000 });
    const after = await study(app.page, 'probe.png');
    assert.equal(after.status, 'not analyzed');
    assert.equal(after.waitingForModel, undefined);
    const models = await app.page.evaluate(() => window.dxlens.api.models());
    assert.ok(models.every((m) => m.state === 'failed'), JSON.stringify(models));
    await app.screenshot('model-wait-none');
  } finally {
    await app.close();
  }
});
