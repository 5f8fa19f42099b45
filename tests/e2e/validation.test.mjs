// validation.test.mjs — on-device validation through the real page: Ctrl+L opens the window, a labelled
// folder (one subfolder per class) of 60 generated images is picked through #dx-validation-folder-input and
// run; every number the app shows is then recomputed here, independently, from the per-image scores it
// exports (themselves checked against numpy): AUC by pair counting, the confusion matrix and rates at the
// model's threshold and at a slider threshold, and the ECE. A CSV of file,label works the same way; a set that
// does not fit the model gets a readable message. Screenshots go to build/e2e/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, ROOT } from './harness.mjs';
import { announced, downloadText, makeLabelledSet, openWithTinyModel, parseCsv, status, waitUntil } from './batch_helpers.mjs';

let app;

before(async () => {
  app = await openWithTinyModel();
});

after(async () => {
  await app?.close();
});

// P(score of a positive > score of a negative) + 1/2 P(tie): the definition, by counting every pair.
function pairCountingAuc(scores, labels) {
  let wins = 0, pairs = 0;
  scores.forEach((p, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((n, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

function confusionAt(scores, labels, threshold) {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  scores.forEach((s, i) => {
    const called = s >= threshold;
    if (labels[i] === 1) called ? c.tp++ : c.fn++;
    else called ? c.fp++ : c.tn++;
  });
  const n = scores.length;
  return { ...c, accuracy: (c.tp + c.tn) / n, sensitivity: c.tp / (c.tp + c.fn), specificity: c.tn / (c.tn + c.fp),
           ppv: c.tp / (c.tp + c.fp), npv: c.tn / (c.tn + c.fn), f1: (2 * c.tp) / (2 * c.tp + c.fp + c.fn) };
}

// Ten equal-width bins, (k/10, (k+1)/10] with 0 in the first: sum of |mean predicted - observed| weighted.
function expectedCalibrationError(scores, labels) {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, y: 0 }));
  scores.forEach((s, i) => {
    const k = Math.min(9, Math.max(0, Math.ceil(s * 10) - 1));
    bins[k].n++; bins[k].p += s; bins[k].y += labels[i];
  });
  return bins.reduce((e, b) => e + (b.n ? (b.n / scores.length) * Math.abs(b.p / b.n - b.y / b.n) : 0), 0);
}

function assertRatesMatch(app_, mine, what) {
  for (const k of ['tp', 'fp', 'tn', 'fn']) assert.equal(app_.confusion[k], mine[k], `${what}: ${k}`);
  for (const k of ['accuracy', 'sensitivity', 'specificity', 'ppv', 'npv', 'f1'])
    assert.ok(Math.abs(app_.metrics[k] - mine[k]) < 1e-12, `${what}: ${k} app ${app_.metrics[k]} test ${mine[k]}`);
}

// The per-image scores the app exports, checked against numpy's, as parallel arrays.
async function exportedScores(expected, prefix) {
  const csv = await downloadText(app, () => window.dxlens.batch.export('validation-scores-csv'));
  const rows = parseCsv(csv.text);
  assert.equal(rows.length, Object.keys(expected).length);
  for (const r of rows) {
    const want = expected[r.file.slice(prefix.length)];
    assert.ok(want, `unexpected file ${r.file}`);
    assert.equal(r.truth, want.label === 'bright' ? '1' : '0', r.file);
    assert.ok(Math.abs(Number(r.score_bright) - want.score_bright) < 1e-5, `${r.file}: app ${r.score_bright}, numpy ${want.score_bright}`);
  }
  return { scores: rows.map((r) => Number(r.score_bright)), labels: rows.map((r) => Number(r.truth)), name: csv.name };
}

test('a labelled folder is validated and every metric matches an independent computation from the exported scores', async () => {
  const set = makeLabelledSet('validation-set', 30, ['--seed', '5']);
  await app.page.click('#canvas', { position: { x: 640, y: 400 } });
  await app.page.keyboard.press('Control+l');
  await waitUntil(app, 'validation', (s) => s.window_open, 5_000);
  await app.page.setInputFiles('#dx-validation-folder-input', set.dir);
  const loaded = await waitUntil(app, 'validation', (s) => s.validation.has_set, 10_000);
  assert.deepEqual(loaded.validation.classes, ['bright', 'dark']);
  assert.match(loaded.message, /Labelled set loaded: 60 images \(bright 30, dark 30\)/);
  await app.page.evaluate(() => window.dxlens.batch.setPositive('bright'));
  assert.ok(await app.page.evaluate(() => window.dxlens.batch.start('validation')));
  const text = await announced(app, /Validation finished on 60 images \(0 left out\): AUC/);
  const v = (await status(app, 'validation')).validation;
  assert.equal(v.positive_label, 'bright');
  assert.equal(v.threshold, 0.5); // the manifest's threshold for "bright"

  const mine = await exportedScores(set.expected, 'set/');
  assert.equal(mine.name, 'set-e2e-tiny-validation-scores.csv');
  const auc = pairCountingAuc(mine.scores, mine.labels);
  assert.ok(auc > 0.6 && auc < 1, `the generated set should be neither trivial nor random (AUC ${auc})`);
  assert.ok(Math.abs(v.auc - auc) < 1e-12, `AUC app ${v.auc}, pair counting ${auc}`);
  assert.ok(v.auc_ci[0] < auc && auc < v.auc_ci[1], `CI ${v.auc_ci} does not contain ${auc}`);
  assertRatesMatch(v, confusionAt(mine.scores, mine.labels, 0.5), 'threshold 0.5');
  assert.ok(Math.abs(v.ece - expectedCalibrationError(mine.scores, mine.labels)) < 1e-6, `ECE ${v.ece}`); // scores exported as float text
  assert.match(text, new RegExp(`AUC ${auc.toFixed(3)}`));
  await app.frames();
  await app.screenshot('validation-results');

  // The slider moves the operating point: the confusion matrix follows.
  await app.page.evaluate(() => window.dxlens.batch.setThreshold(0.42));
  const moved = (await status(app, 'validation')).validation;
  assertRatesMatch(moved, confusionAt(mine.scores, mine.labels, 0.42), 'threshold 0.42');
  await app.frames();
  await app.screenshot('validation-threshold-moved');

  // The JSON export: the same AUC, and the operating point at the slider's threshold.
  const json = JSON.parse((await downloadText(app, () => window.dxlens.batch.export('validation-json'))).text);
  assert.equal(json.schema, 'dxlens.validation/1');
  assert.equal(json.positive_label, 'bright');
  assert.equal(json.threshold, 0.42);
  assert.ok(Math.abs(json.auc.estimate - auc) < 1e-6);
  const at42 = confusionAt(mine.scores, mine.labels, 0.42);
  assert.deepEqual(json.confusion, { tp: at42.tp, fp: at42.fp, tn: at42.tn, fn: at42.fn });
  assert.deepEqual(app.consoleErrors, []);
});

test('a CSV of file,label next to a flat folder of images is validated the same way', async () => {
  const set = makeLabelledSet('validation-csv-set', 10, ['--csv', '--seed', '9']);
  await app.page.evaluate(() => window.dxlens.batch.setThreshold(0.5));
  await app.page.setInputFiles('#dx-validation-folder-input', set.dir);
  const loaded = await waitUntil(app, 'validation', (s) => s.validation.has_set && s.validation.dataset === 'set/labels.csv', 10_000);
  assert.equal(loaded.validation.items, 20);
  await app.page.evaluate(() => window.dxlens.batch.start('validation'));
  await announced(app, /Validation finished on 20 images/);
  const v = (await status(app, 'validation')).validation;
  const mine = await exportedScores(set.expected, 'set/');
  assert.ok(Math.abs(v.auc - pairCountingAuc(mine.scores, mine.labels)) < 1e-12);
  assertRatesMatch(v, confusionAt(mine.scores, mine.labels, v.threshold), 'CSV set');
});

test('Cancel stops a validation and says what the metrics cover', async () => {
  const set = makeLabelledSet('validation-cancel-set', 80, ['--seed', '3']);
  await app.page.setInputFiles('#dx-validation-folder-input', set.dir);
  await waitUntil(app, 'validation', (s) => s.validation.has_set && s.validation.items === 160, 10_000);
  await app.page.evaluate(() => window.dxlens.batch.start('validation'));
  await waitUntil(app, 'validation', (s) => s.progress?.finished >= 5);
  await app.page.evaluate(() => window.dxlens.batch.cancel('validation'));
  // Files are analyzed in path order (bright/ before dark/): an early cancel may leave one class only, and
  // then there are no metrics, with the reason.
  const text = await announced(app, /Validation cancelled; metrics on the \d+ images analyzed|No metrics: after leaving out \d+ files/);
  const s = await status(app, 'validation');
  assert.ok(s.progress.cancelled > 0, JSON.stringify(s.progress));
  assert.equal(s.progress.finished + s.progress.cancelled, 160, text);
});

test('a set whose classes are not the model label gets a message that says what to rename', async () => {
  await app.page.evaluate(async () => {
    const png = new Uint8Array(await (await (() => { const c = new OffscreenCanvas(4, 4); c.getContext('2d').fillRect(0, 0, 4, 4); return c.convertToBlob({ type: 'image/png' }); })()).arrayBuffer());
    await window.dxlens.batch.queueFiles('validation', [{ path: 'pets/cats/a.png', bytes: png }, { path: 'pets/dogs/b.png', bytes: png }]);
    window.dxlens.batch.start('validation');
  });
  const text = await announced(app, /does not fit this model/);
  assert.match(text, /none of the labelled set's classes \('cats', 'dogs'\) is the model's 'bright': name the folder/);
});

const KERMANY = path.join(ROOT, '../shared/data/chest_xray_kermany');

test('the shipped pneumonia model on real chest X-rays: NORMAL/PNEUMONIA folders, metrics recomputed from its scores', {
  skip: !existsSync(path.join(KERMANY, 'NORMAL')) && 'no ../shared/data/chest_xray_kermany (see ../shared/data/README.md)',
}, async () => {
  // The first 60 files of each class folder, copied as a user's labelled folder would look.
  const dir = path.join(FIXTURES, 'kermany-subset', 'cxr');
  rmSync(path.dirname(dir), { recursive: true, force: true });
  for (const label of ['NORMAL', 'PNEUMONIA']) {
    mkdirSync(path.join(dir, label), { recursive: true });
    for (const name of readdirSync(path.join(KERMANY, label)).sort().slice(0, 60))
      copyFileSync(path.join(KERMANY, label, name), path.join(dir, label, name));
  }
  await app.page.evaluate(() => window.dxlens.api.setActiveModel('cxr-pneumonia'));
  await app.page.evaluate(() => window.dxlens.batch.setPositive('pneumonia'));
  await app.page.setInputFiles('#dx-validation-folder-input', dir);
  await waitUntil(app, 'validation', (s) => s.validation.has_set && s.validation.items === 120, 20_000);
  assert.ok(await app.page.evaluate(() => window.dxlens.batch.start('validation')));
  const text = await announced(app, /Validation finished on 120 images/, 120_000);
  const s = await status(app, 'validation');
  const v = s.validation;
  assert.equal(v.positive_label, 'pneumonia'); // the folder PNEUMONIA matched the label, case-insensitively
  const rows = parseCsv((await downloadText(app, () => window.dxlens.batch.export('validation-scores-csv'))).text);
  const scores = rows.map((r) => Number(r.score_pneumonia)), labels = rows.map((r) => Number(r.truth));
  assert.equal(labels.filter((y) => y === 1).length, 60);
  assert.ok(Math.abs(v.auc - pairCountingAuc(scores, labels)) < 1e-12);
  assertRatesMatch(v, confusionAt(scores, labels, v.threshold), 'Kermany subset');
  console.log(`cxr-pneumonia on 60 NORMAL + 60 PNEUMONIA (Kermany train split): ${text.slice(0, 160)} ` +
              `[${s.progress.images_per_s.toFixed(1)} images/s]`);
  await app.frames();
  await app.screenshot('validation-kermany');
});
