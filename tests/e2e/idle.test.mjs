// idle.test.mjs — an idle DxLens tab leaves the browser's main thread idle: after the first analysis, with
// nothing open or running and nobody touching the page, the main thread's task time over 10 s (Chrome DevTools
// Protocol Performance.getMetrics, TaskDuration) is at most 5% of one core, and the UI draws (almost) no frames;
// then input and a call through the page's API wake it, and what they change is drawn.
//
// How to use: node --test tests/e2e/idle.test.mjs   (after the wasm build); prints the measured figure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureFixtures, openApp, ROOT, waitForModels } from './harness.mjs';

// A chest X-ray from the shared samples, else the generated probe image (any image the shipped models take).
const SAMPLE = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
const XRAY = existsSync(SAMPLE) ? SAMPLE : path.join(ensureFixtures(), 'probe.png');
const IDLE_MS = 10_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let app;

before(async () => {
  app = await openApp();
  await app.waitForFirstFrame();
  await waitForModels(app.page);
});

after(async () => {
  await app?.close();
});

// Seconds of main-thread task time per second of wall time while `during` runs (TaskDuration's delta).
async function mainThreadLoad(cdp, during) {
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const t0 = await taskSeconds();
  const start = Date.now();
  await during();
  const t1 = await taskSeconds();
  return (t1 - t0) / ((Date.now() - start) / 1000);
}

test('after the first analysis an idle tab keeps the main thread at most 5% busy, and wakes on input and API calls', async () => {
  const page = app.page;
  await page.setInputFiles('#dx-file-input', XRAY);
  await page.waitForFunction((name) => document.getElementById('dx-findings').textContent.startsWith(`${name}: `) &&
    /Research use only/.test(document.getElementById('dx-findings').textContent), path.basename(XRAY), { timeout: 60_000 });
  const before = await page.evaluate(() => window.dxlens.api.viewerState().frames_drawn); // wakes it, once
  await sleep(1500); // the frames after that wake

  const cdp = await app.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const load = await mainThreadLoad(cdp, () => sleep(IDLE_MS));
  const idleFrames = (await page.evaluate(() => window.dxlens.api.viewerState().frames_drawn)) - before;
  console.log(`idle main thread: ${(load * 100).toFixed(2)}% of one core over ${IDLE_MS / 1000} s ` +
              `(TaskDuration), ${idleFrames} frames drawn in ${(IDLE_MS + 1500) / 1000} s`);
  assert.ok(load <= 0.05, `the idle page kept the main thread ${(load * 100).toFixed(1)}% busy (at most 5%)`);
  // The frames of the one wake above (a fraction of a second), not a frame every vsync.
  assert.ok(idleFrames < 90, `${idleFrames} frames drawn while idle`);

  // Input wakes it: moving the mouse over the canvas draws frames.
  const frames = () => page.evaluate(() => window.dxlens.api.viewerState().frames_drawn);
  await sleep(1000);
  const beforeMove = await frames();
  await sleep(1000);
  await page.mouse.move(640, 400);
  await page.mouse.move(660, 420);
  await app.frames(3);
  assert.ok((await frames()) >= beforeMove + 3);

  // An API call wakes it and its change is drawn: the UI language, switched while asleep, reaches the screen.
  await sleep(1500);
  const shotBefore = await page.screenshot();
  await page.evaluate(() => window.dxlens.api.setLanguage('zh-Hans'));
  await sleep(1000); // no polling that would wake it: the call alone must have
  const shotAfter = await page.screenshot();
  assert.notDeepEqual(shotAfter, shotBefore, 'the switched language did not reach the screen');
  await page.evaluate(() => window.dxlens.api.setLanguage('en'));
  assert.deepEqual(app.consoleErrors, []);
  await cdp.detach();
});
