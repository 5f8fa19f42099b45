// validation_multiclass.test.mjs — on-device validation of a model with three labels through the real page: a
// generated 3-class classifier (make_tiny_package.py --three-class) is opened like a user's own package, a
// labelled folder dark/ mid/ bright/ is run from the Validation window, and the app's N x N confusion matrix,
// per-class sensitivity, specificity, PPV, F1 and one-vs-rest AUC, accuracy and macro averages are recomputed
// here, independently, from the per-image scores it exports (themselves checked against numpy). The JSON and
// per-class CSV exports carry the same numbers. Screenshot: build/e2e/validation-multiclass.png.
//
// How to use: node --test --test-concurrency=1 tests/e2e/validation_multiclass.test.mjs   (after the wasm build)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, loadPicked, openApp, packageFiles, ROOT, waitForModels } from './harness.mjs';
import { announced, downloadText, makeLabelledSet, parseCsv, status, waitUntil } from './batch_helpers.mjs';

const CLASSES = ['dark', 'mid', 'bright'];
let app;

before(async () => {
  const dir = path.join(FIXTURES, 'three');
  if (!existsSync(path.join(dir, 'manifest.json')))
    execFileSync('/usr/bin/python3', [path.join(ROOT, 'tests/e2e/fixtures/make_tiny_package.py'), dir, '--three-class']);
  app = await openApp();
  await app.waitForFirstFrame();
  await waitForModels(app.page);
  const loaded = await loadPicked(app.page, packageFiles(dir, 'three/'), 'wasm');
  assert.ok(loaded.ok, loaded.message);
  await app.page.evaluate(() => window.dxlens.api.setActiveModel('e2e-tiny3'));
});

after(async () => {
  await app?.close();
});

const close = (a, b, what) => assert.ok(a === b || Math.abs(a - b) < 1e-12, `${what}: app ${a}, test ${b}`);

// P(score of the class's cases > score of the others) + 1/2 P(tie), by counting every pair.
function pairCountingAuc(scores, isClass) {
  let wins = 0, pairs = 0;
  scores.forEach((p, i) => {
    if (!isClass[i]) return;
    scores.forEach((n, j) => {
      if (isClass[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

test('a three-class model is validated with an N x N confusion matrix, per-class and macro figures', async () => {
  const set = makeLabelledSet('validation-3class-set', 20, ['--three-class', '--seed', '4']);
  await app.page.click('#canvas', { position: { x: 640, y: 400 } });
  await app.page.keyboard.press('Control+l');
  await waitUntil(app, 'validation', (s) => s.window_open, 5_000);
  await app.page.setInputFiles('#dx-validation-folder-input', set.dir);
  const loaded = await waitUntil(app, 'validation', (s) => s.validation.has_set, 10_000);
  assert.deepEqual(loaded.validation.classes, ['bright', 'dark', 'mid']);
  assert.ok(await app.page.evaluate(() => window.dxlens.batch.start('validation')));
  const text = await announced(app, /Validation finished on 60 images \(0 left out\): accuracy/);
  const v = (await status(app, 'validation')).validation;
  assert.equal(v.multiclass, true);
  assert.deepEqual(v.model_classes, CLASSES);

  // The per-image scores, against numpy's; the true class and the called (highest-scoring) class of each.
  const csv = await downloadText(app, () => window.dxlens.batch.export('validation-scores-csv'));
  assert.equal(csv.name, 'set-e2e-tiny3-validation-scores.csv');
  const rows = parseCsv(csv.text);
  assert.equal(rows.length, 60);
  const truth = [], called = [], scores = [];
  for (const r of rows) {
    const want = set.expected[r.file.slice('set/'.length)];
    assert.ok(want, `unexpected file ${r.file}`);
    assert.equal(r.truth, want.label);
    const row = CLASSES.map((c) => Number(r[`score_${c}`]));
    row.forEach((s, k) => assert.ok(Math.abs(s - want.scores[k]) < 1e-5, `${r.file} ${CLASSES[k]}: app ${s}, numpy ${want.scores[k]}`));
    const best = row.indexOf(Math.max(...row));
    assert.equal(r.predicted, CLASSES[best], r.file);
    truth.push(CLASSES.indexOf(want.label));
    called.push(best);
    scores.push(row);
  }

  // The confusion matrix, by counting.
  const matrix = CLASSES.map(() => CLASSES.map(() => 0));
  truth.forEach((t, i) => matrix[t][called[i]]++);
  assert.deepEqual(v.confusion, matrix);
  const offDiagonal = matrix.flat().reduce((a, b) => a + b, 0) - matrix.reduce((a, r, i) => a + r[i], 0);
  assert.ok(offDiagonal > 0, 'the generated set should have some errors');
  close(v.accuracy, matrix.reduce((a, r, i) => a + r[i], 0) / 60, 'accuracy');

  // Each class against the rest, and the macro averages (every figure is defined here).
  const per = CLASSES.map((_, k) => {
    const tp = matrix[k][k];
    const fn = matrix[k].reduce((a, b) => a + b, 0) - tp;
    const fp = matrix.reduce((a, r) => a + r[k], 0) - tp;
    const tn = 60 - tp - fn - fp;
    return { sensitivity: tp / (tp + fn), specificity: tn / (tn + fp), ppv: tp / (tp + fp), f1: 2 * tp / (2 * tp + fp + fn),
             auc: pairCountingAuc(scores.map((r) => r[k]), truth.map((t) => t === k)) };
  });
  for (let k = 0; k < 3; k++) {
    assert.equal(v.per_class[k].class, CLASSES[k]);
    for (const m of ['sensitivity', 'specificity', 'ppv', 'f1']) close(v.per_class[k][m], per[k][m], `${CLASSES[k]} ${m}`);
    assert.ok(Math.abs(v.per_class[k].auc - per[k].auc) < 1e-9, `${CLASSES[k]} AUC app ${v.per_class[k].auc}, pairs ${per[k].auc}`);
  }
  const mean = (m) => per.reduce((a, p) => a + p[m], 0) / 3;
  for (const m of ['sensitivity', 'specificity', 'ppv', 'f1']) close(v.macro[m], mean(m), `macro ${m}`);
  assert.ok(Math.abs(v.macro.auc - mean('auc')) < 1e-9, 'macro AUC');
  assert.match(text, new RegExp(`accuracy ${v.accuracy.toFixed(3)}; macro-averaged sensitivity ${mean('sensitivity').toFixed(3)}`));
  await app.frames();
  await app.screenshot('validation-multiclass');

  // The exports: JSON with the matrix and the figures, the per-class CSV with matrix rows and a macro row.
  const json = JSON.parse((await downloadText(app, () => window.dxlens.batch.export('validation-json'))).text);
  assert.equal(json.schema, 'dxlens.validation.multiclass/1');
  assert.deepEqual(json.classes, CLASSES);
  assert.deepEqual(json.confusion, matrix);
  assert.equal(json.cases, 60);
  close(json.accuracy, v.accuracy, 'JSON accuracy');
  close(json.macro.f1.value, mean('f1'), 'JSON macro F1');
  assert.equal(json.macro.auc.classes, 3);
  close(json.per_class[1].metrics.specificity, per[1].specificity, 'JSON mid specificity');
  const perClass = await downloadText(app, () => window.dxlens.batch.export('validation-roc-csv'));
  assert.equal(perClass.name, 'set-e2e-tiny3-validation-per-class.csv');
  const table = parseCsv(perClass.text);
  assert.deepEqual(table.map((r) => r.class), [...CLASSES, 'macro average']);
  table.slice(0, 3).forEach((r, k) => {
    assert.deepEqual(CLASSES.map((c) => Number(r[`predicted_${c}`])), matrix[k]);
    close(Number(r.sensitivity), per[k].sensitivity, `CSV ${CLASSES[k]} sensitivity`);
  });
  close(Number(table[3].accuracy), v.accuracy, 'CSV accuracy');
  close(Number(table[3].ppv), mean('ppv'), 'CSV macro PPV');
  assert.deepEqual(app.consoleErrors, []);
});

test('a set with a class the three-class model does not know gets a message naming its classes', async () => {
  await app.page.evaluate(async () => {
    const c = new OffscreenCanvas(4, 4);
    c.getContext('2d').fillRect(0, 0, 4, 4);
    const png = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    await window.dxlens.batch.queueFiles('validation', [{ path: 'x/dark/a.png', bytes: png }, { path: 'x/grey/b.png', bytes: png }]);
    window.dxlens.batch.start('validation');
  });
  const text = await announced(app, /does not fit this model/);
  assert.match(text, /class 'grey' is none of the model's classes \('dark', 'mid', 'bright'\)/);
});
