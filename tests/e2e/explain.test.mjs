// explain.test.mjs — "where did the model look": the occlusion heatmap for the shipped chest model runs in
// the page through the same backend as the analysis, announces itself with its time, and shows as an overlay.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, pixelStats, ROOT, waitForModels } from './harness.mjs';

const CXR = path.join(ROOT, '../shared/data/samples/nih_cxr14_00027426_000.png');
let app, chest;

before(async () => {
  app = await openApp();
  await app.waitForFirstFrame();
  const models = await waitForModels(app.page);
  chest = models.find((m) => m.id === 'cxr-pneumonia' && m.state === 'ready');
});

after(async () => {
  await app?.close();
});

test('the occlusion heatmap for a chest X-ray is computed on the device and drawn over the image', async (t) => {
  if (!chest) return t.skip('cxr-pneumonia is not shipped in this build');
  if (!existsSync(CXR)) return t.skip('sample chest X-rays not available');
  await app.page.evaluate(() => {
    window.dxlens.api.setActiveModel('cxr-pneumonia');
    // Every fitting model analyzes the X-ray, and the lung mask would be the overlay before the heatmap: off.
    window.dxlens.api.setModelOn('cxr-lung-seg', false);
  });
  await app.page.setInputFiles('#dx-file-input', CXR);
  await app.page.waitForFunction(() => /nih_cxr14_00027426_000\.png: .*Research use only/.test(
    document.getElementById('dx-findings').textContent), null, { timeout: 60_000 });
  // A heatmap names the finding, so like the finding it waits for the population confirmation (a PNG does not
  // say who the patient is).
  assert.equal(await app.page.evaluate(() => window.dxlens.api.explainSelected('cxr-pneumonia')), false);
  assert.equal(await app.page.evaluate(() => window.dxlens.api.confirmPopulation()), true);
  await app.frames();
  const before = await app.screenshot('explain-before');
  assert.equal(await app.page.evaluate(() => window.dxlens.api.explainSelected('cxr-pneumonia')), true);
  const text = await app.page.waitForFunction(() => {
    const t = document.getElementById('dx-findings').textContent;
    return /heatmap for .* is ready \(\d+ ms\)|heatmap could not/.test(t) ? t : null;
  }, null, { timeout: 60_000 }).then((h) => h.jsonValue());
  assert.match(text, /heatmap for (normal|pneumonia) is ready \((\d+) ms\)/);
  const ms = Number(text.match(/\((\d+) ms\)/)[1]);
  console.log(`occlusion heatmap (cxr-pneumonia, ${chest.backend}): ${ms} ms`);
  await app.frames();
  const after = await app.screenshot('explain-heatmap');
  // The hot colour map adds warm colour to the (grey) radiograph: red exceeds blue somewhere in the image.
  const region = { image: { x: 0.25, y: 0.1, w: 0.45, h: 0.8 } };
  const [a, b] = [await pixelStats(app.page, readFileSync(before), region), await pixelStats(app.page, readFileSync(after), region)];
  assert.ok(b.image.colours > a.image.colours, `the overlay adds colours (${a.image.colours} -> ${b.image.colours})`);
  assert.deepEqual(app.consoleErrors, []);
});
