// batch.test.mjs — batch screening through the real page: Ctrl+B opens the window, a folder of 50 generated
// images plus 2 broken files is picked through #dx-batch-folder-input and analyzed with progress; the broken
// files are listed with their reason while the rest goes on; the exported CSV carries the scores numpy
// computed independently; Cancel stops a run; a dropped folder is queued; memory stays flat over 1,000 images.
// Screenshots go to build/e2e/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { announced, downloadText, makeLabelledSet, openWithTinyModel, parseCsv, status, waitUntil } from './batch_helpers.mjs';

let app;

before(async () => {
  app = await openWithTinyModel();
});

after(async () => {
  await app?.close();
});

test('a picked folder of 50 images is screened; broken files are listed with their reason; the CSV holds the scores', async () => {
  const set = makeLabelledSet('batch-set', 25, ['--broken']);
  await app.page.click('#canvas', { position: { x: 640, y: 400 } });
  await app.page.keyboard.press('Control+b');
  await waitUntil(app, 'batch', (s) => s.window_open, 5_000);

  await app.page.setInputFiles('#dx-batch-folder-input', set.dir);
  await waitUntil(app, 'batch', (s) => s.queued === 52, 10_000);
  assert.ok(await app.page.evaluate(() => window.dxlens.batch.start('batch')), 'the batch did not start');
  // Progress while it runs: done/total, and after the first results a rate and a time left.
  const running = await waitUntil(app, 'batch', (s) => s.finished || s.progress?.finished > 0);
  assert.equal(running.progress.total, 52);
  const text = await announced(app, /Batch finished: 50 of 52 images analyzed/);
  assert.match(text, /2 could not be analyzed; the table says why/);
  const done = await status(app, 'batch');
  assert.equal(done.progress.failed, 2);
  assert.equal(done.progress.running, false);
  assert.ok(done.progress.peak_decoded_images <= 3, `decoded images piled up: ${done.progress.peak_decoded_images}`);
  console.log(`batch of 52 files: ${done.progress.images_per_s.toFixed(1)} images/s, ${done.progress.elapsed_s.toFixed(2)} s`);
  await app.frames();
  await app.screenshot('batch-results');

  const csv = await downloadText(app, () => window.dxlens.batch.export('batch-csv'));
  assert.equal(csv.name, 'set-e2e-tiny-batch.csv');
  const rows = parseCsv(csv.text);
  assert.equal(rows.length, 52);
  const broken = rows.find((r) => r.file === 'set/broken.png');
  assert.equal(broken.state, 'failed');
  assert.match(broken.error, /^not an image DxLens can read: /);
  assert.equal(rows.find((r) => r.file === 'set/notes.txt').state, 'failed');
  for (const [rel, want] of Object.entries(set.expected)) {
    const row = rows.find((r) => r.file === `set/${rel}`);
    assert.ok(row, `no row for ${rel}`);
    assert.equal(row.state, 'done');
    assert.ok(Math.abs(Number(row.score_bright) - want.score_bright) < 1e-5,
              `${rel}: app ${row.score_bright}, numpy ${want.score_bright}`);
    assert.equal(row.top_finding, 'bright'); // the label with a threshold is the one a summary shows
    assert.equal(row.decision, Number(row.score_bright) >= 0.5 ? 'positive' : 'negative');
  }
  assert.deepEqual(app.consoleErrors, []);
});

test('Cancel stops a running batch; what finished is kept and the rest is marked cancelled', async () => {
  const set = makeLabelledSet('cancel-set', 100);
  await app.page.setInputFiles('#dx-batch-folder-input', set.dir);
  await waitUntil(app, 'batch', (s) => s.queued === 200, 10_000);
  await app.page.evaluate(() => window.dxlens.batch.start('batch'));
  await waitUntil(app, 'batch', (s) => s.progress?.finished >= 5);
  await app.page.evaluate(() => window.dxlens.batch.cancel('batch'));
  const text = await announced(app, /Batch cancelled: \d+ of 200 images analyzed/);
  const s = await waitUntil(app, 'batch', (x) => x.finished);
  assert.ok(s.progress.cancelled > 0 && s.progress.finished >= 5, JSON.stringify(s.progress));
  assert.equal(s.progress.finished + s.progress.cancelled, 200, text);
  const rows = parseCsv((await downloadText(app, () => window.dxlens.batch.export('batch-csv'))).text);
  assert.equal(rows.filter((r) => r.state === 'done').length, s.progress.finished);
  assert.equal(rows.filter((r) => r.state === 'cancelled').length, s.progress.cancelled);
});

test('a folder dropped while the batch window is open is queued there, not opened in the study list', async () => {
  await app.page.evaluate(async () => {
    const png = await (() => { const c = new OffscreenCanvas(8, 8); c.getContext('2d').fillRect(0, 0, 8, 8); return c.convertToBlob({ type: 'image/png' }); })();
    const dt = new DataTransfer();
    for (const name of ['a.png', 'b.png', 'c.png']) dt.items.add(new File([png], name, { type: 'image/png' }));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const queued = await waitUntil(app, 'batch', (s) => s.queued === 3, 10_000);
  assert.match(queued.message, /^3 files queued from 3 files\. Press Start/);
  // Opened as studies they would be analyzed and announced ("a.png: dark ..."); queued, they wait for Start.
  // Nothing marks "no analysis started", so this sleep stays: it gives a wrongly opened study the time to be
  // analyzed and announced (the tiny model takes a few milliseconds) before the live region is read.
  await app.page.waitForTimeout(500);
  const region = await app.page.evaluate(() => document.getElementById('dx-findings').textContent);
  assert.match(region, /^3 files queued/);
});

test('memory stays flat over 1,000 images: the WASM heap does not grow after the first hundred', async () => {
  // One 128x128 RGBA noise PNG queued 1,000 times (the page holds one blob): kept, their decoded pixels would
  // need 62.5 MiB more heap; a flat pipeline holds at most three at a time.
  const result = await app.page.evaluate(async () => {
    const canvas = new OffscreenCanvas(128, 128);
    const g = canvas.getContext('2d');
    const pixels = g.createImageData(128, 128);
    for (let p = 0; p < pixels.data.length; p++) pixels.data[p] = (Math.random() * 255) | 0;
    g.putImageData(pixels, 0, 0);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    const blob = new Blob([bytes], { type: 'image/png' });
    const files = Array.from({ length: 1000 }, (_, i) => {
      const file = new File([blob], `${String(i).padStart(4, '0')}.png`);
      Object.defineProperty(file, 'webkitRelativePath', { value: `thousand/${file.name}` });
      return file;
    });
    const batch = window.dxlens.batch;
    await batch.queueFiles('batch', files);
    batch.start('batch');
    const samples = [];
    for (;;) {
      const s = batch.status('batch');
      samples.push({ finished: s.progress.finished, heap: window.dxlens.HEAPU8.length });
      if (s.finished) return { samples, status: s };
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  const { samples, status: s } = result;
  assert.equal(s.progress.finished, 1000);
  assert.equal(s.progress.failed, 0);
  assert.ok(s.progress.peak_decoded_images <= 3);
  const after100 = samples.find((x) => x.finished >= 100).heap;
  const last = samples[samples.length - 1].heap;
  console.log(`1,000 images: ${s.progress.images_per_s.toFixed(1)} images/s; WASM heap ${(after100 / 2 ** 20).toFixed(1)} MiB ` +
              `after 100, ${(last / 2 ** 20).toFixed(1)} MiB after 1,000`);
  assert.ok(last - after100 <= 8 * 2 ** 20, `the heap grew by ${((last - after100) / 2 ** 20).toFixed(1)} MiB`);
});
