// tabular.test.mjs — the tabular risk form through the real page: breast-fna's form is filled through the
// page's test hooks (the same commands as typing and the buttons), its probability and feature contributions
// are checked against onnxruntime-node on the same features, an impossible value shows a message and no
// result, and a CSV of cases picked through #dx-table-input gives a table and an exported results CSV.
// Screenshots go to build/e2e/. Cases come from Debian python3-sklearn's breast_cancer.csv (WDBC).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureFixtures, FIXTURES, openApp, ROOT, SHOTS_DIR, waitForModels } from './harness.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const PACKAGE = path.join(ROOT, 'models/breast-fna');
const WDBC = '/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv';
const CLI = path.join(ROOT, 'build/bin/dxlens'); // the native preset's `dxlens`
const manifest = JSON.parse(readFileSync(path.join(PACKAGE, 'manifest.json'), 'utf8'));
const features = manifest.input.features;
const threshold = manifest.outputs[0].thresholds.malignant;

let app, session;

// WDBC cases as arrays of 30 numbers in manifest order (the file's column order).
function wdbcCases() {
  return readFileSync(WDBC, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 30).map(Number));
}

// The malignant probability onnxruntime-node gives for each case (softmax of the shipped graph's logits).
async function referenceProbabilities(cases) {
  const x = Float32Array.from(cases.flat());
  const out = await session.run({ features: new ort.Tensor('float32', x, [cases.length, features.length]) });
  const logits = out.logits.data;
  return cases.map((_, i) => 1 / (1 + Math.exp(logits[2 * i] - logits[2 * i + 1])));
}

const riskState = () => app.page.evaluate(() => window.dxlens.api.riskForm.state());

async function announced(pattern) {
  await app.page.waitForFunction((source) => new RegExp(source).test(document.getElementById('dx-findings').textContent),
                                 pattern.source, { timeout: 30_000 });
  return app.page.evaluate(() => document.getElementById('dx-findings').textContent);
}

before(async () => {
  session = await ort.InferenceSession.create(path.join(PACKAGE, 'model.onnx'));
  app = await openApp();
  await app.waitForFirstFrame();
  const models = await waitForModels(app.page);
  assert.equal(models.find((m) => m.id === 'breast-fna')?.state, 'ready', JSON.stringify(models));
  assert.ok(await app.page.evaluate(() => window.dxlens.api.riskForm.open('breast-fna')), 'the form opens');
});

after(async () => {
  await app?.close();
});

test('every field shows its unit and valid range; impossible values give a message next to the field and no result', async () => {
  const empty = await riskState();
  assert.equal(empty.fields.length, 30);
  assert.deepEqual(empty.fields.map((f) => [f.name, f.unit, f.min, f.max]), features.map((f) => [f.name, f.unit, f.min, f.max]));
  const result = await app.page.evaluate(() => {
    const form = window.dxlens.api.riskForm;
    form.fillExample();
    form.setField('mean radius', '-5');
    form.setField('mean area', '12,5');
    form.setField('worst symmetry', '');
    return form.analyze();
  });
  assert.equal(result, false, 'the form does not run while a field is invalid');
  const s = await riskState();
  const problem = (name) => s.fields.find((f) => f.name === name).problem;
  assert.equal(problem('mean radius'), 'mean radius must be between 0 and 56.22 px');
  assert.equal(problem('mean area'), "mean area: '12,5' is not a number (use '.' for decimals)");
  assert.equal(problem('worst symmetry'), 'worst symmetry is required: enter a value between 0 and 1.3276');
  assert.equal(s.fields.filter((f) => f.problem).length, 3, 'the other 27 fields are fine');
  assert.equal(s.outcome.result, null, 'no result is shown');
  assert.match(await announced(/not analyzed/), /3 fields need a valid value/);
  await app.frames();
  await app.screenshot('tabular-invalid');
});

test('a case entered in the form gives the probability onnxruntime-node gives, the decision and ranked contributions', async () => {
  const cases = wdbcCases();
  // A benign-looking case near the threshold says more than a certain one (row 20 of WDBC: p ~ 0.01-0.5).
  const probabilities = await referenceProbabilities(cases);
  const index = probabilities.findIndex((p) => p > 0.05 && p < 0.95);
  assert.ok(index >= 0, 'WDBC has an uncertain case');
  const values = cases[index];
  await app.page.evaluate(({ names, values }) => {
    const form = window.dxlens.api.riskForm;
    form.clear();
    names.forEach((n, i) => form.setField(n, String(values[i])));
  }, { names: features.map((f) => f.name), values });
  assert.equal(await app.page.evaluate(() => window.dxlens.api.riskForm.analyze()), true);
  const s = await app.page.evaluate(() => window.dxlens.api.riskForm.settled());
  const finding = s.outcome.result.findings.find((f) => f.label === 'malignant');
  assert.ok(Math.abs(finding.score - probabilities[index]) < 1e-5,
            `page ${finding.score} vs onnxruntime-node ${probabilities[index]} (WDBC row ${index + 1})`);
  assert.ok(Math.abs(finding.threshold - threshold) < 1e-6, `threshold ${finding.threshold}`);
  assert.equal(finding.positive, probabilities[index] >= threshold);
  assert.equal(typeof s.outcome.result.ood.score, 'number');

  // Contributions: each feature set to its manifest training mean, checked with onnxruntime-node.
  const a = s.outcome.attribution;
  assert.equal(a.label, 'malignant');
  assert.equal(a.contributions.length, 30);
  const magnitudes = a.contributions.map((c) => Math.abs(c.delta_log_odds));
  assert.deepEqual(magnitudes, [...magnitudes].sort((x, y) => y - x), 'ranked by size');
  const occluded = features.map((f, i) => values.map((v, j) => (j === i ? f.training_mean : v)));
  const withMean = await referenceProbabilities(occluded);
  for (const c of a.contributions) {
    const i = features.findIndex((f) => f.name === c.feature);
    assert.equal(c.training_mean, features[i].training_mean);
    assert.ok(Math.abs(c.delta_probability - (probabilities[index] - withMean[i])) < 1e-5,
              `${c.feature}: page ${c.delta_probability} vs onnxruntime-node ${probabilities[index] - withMean[i]}`);
  }
  assert.ok(Math.abs(a.contributions[0].delta_probability) > 0.01, 'the top feature moves the probability');

  // The CLI computes the same contributions from the same core code (`dxlens analyze --contributions`).
  if (existsSync(CLI)) {
    const csvPath = path.join(SHOTS_DIR, 'tabular-one-case.csv');
    mkdirSync(SHOTS_DIR, { recursive: true });
    writeFileSync(csvPath, `${features.map((f) => f.name).join(',')}\n${values.join(',')}\n`);
    const line = JSON.parse(execFileSync(CLI, ['analyze', '--model', PACKAGE, '--table', csvPath, '--no-outputs',
                                               '--contributions'], { encoding: 'utf8' }));
    assert.deepEqual(line.contributions.contributions.map((c) => c.feature), a.contributions.map((c) => c.feature),
                     'the CLI ranks the features as the page does');
    line.contributions.contributions.forEach((c, i) =>
      assert.ok(Math.abs(c.delta_probability - a.contributions[i].delta_probability) < 1e-6, c.feature));
  }

  const text = await announced(/Risk form: malignant probability/);
  assert.match(text, new RegExp(`malignant probability ${finding.score.toFixed(3)}`));
  assert.match(text, finding.positive ? /at or above the threshold 0\.298: the model flags malignant/
                                      : /below the threshold 0\.298: the model does not flag malignant/);
  assert.match(text, new RegExp(`Pushed most by ${a.contributions[0].feature}`));
  assert.match(text, /Research use only — not a medical device/);
  await app.frames();
  await app.screenshot('tabular-result');
});

test('a CSV of cases is validated row by row, analyzed, shown as a table and exported as CSV', async () => {
  const cases = wdbcCases().slice(0, 6);
  const probabilities = await referenceProbabilities(cases);
  const header = ['id', ...features.map((f) => f.name), 'comment'];
  const lines = cases.map((c, i) => [`case-${i + 1}`, ...c, 'from WDBC'].join(','));
  const bad = [...cases[0]];
  bad[3] = 99999; // mean area far outside 0..5002
  lines.push(['case-bad-range', ...bad, 'typo'].join(','));
  const text = [...cases[1]].map(String);
  text[0] = 'n/a';
  lines.push(['case-bad-text', ...text, 'missing'].join(','));
  mkdirSync(SHOTS_DIR, { recursive: true });
  const csvPath = path.join(SHOTS_DIR, 'tabular-cases.csv');
  writeFileSync(csvPath, [header.map((h) => (h.includes(',') ? `"${h}"` : h)).join(','), ...lines].join('\n') + '\n');

  await app.page.setInputFiles('#dx-table-input', csvPath);
  await announced(/tabular-cases\.csv: 6 rows analyzed, 2 rows not analyzed/);
  const s = await app.page.evaluate(() => window.dxlens.api.riskForm.settled());
  assert.equal(s.batch.file, 'tabular-cases.csv');
  assert.equal(s.batch.rows.length, 8);
  for (let i = 0; i < 6; i++) {
    const row = s.batch.rows[i];
    assert.equal(row.name, `case-${i + 1}`);
    assert.deepEqual(row.problems, []);
    const p = row.result.findings.find((f) => f.label === 'malignant').score;
    assert.ok(Math.abs(p - probabilities[i]) < 1e-5, `${row.name}: page ${p} vs onnxruntime-node ${probabilities[i]}`);
    assert.equal(row.attribution.contributions.length, 30);
  }
  assert.deepEqual(s.batch.rows[6].problems, ["Row 7, column 'mean area': mean area must be between 0 and 5002 px²"]);
  assert.deepEqual(s.batch.rows[7].problems,
                   ["Row 8, column 'mean radius': mean radius: 'n/a' is not a number (use '.' for decimals)"]);
  assert.equal(s.batch.rows[6].result, null);
  await app.frames();
  await app.screenshot('tabular-batch');

  const [download] = await Promise.all([app.page.waitForEvent('download'),
                                        app.page.evaluate(() => window.dxlens.api.riskForm.exportCsv())]);
  assert.equal(download.suggestedFilename(), 'tabular-cases-breast-fna-results.csv');
  // RFC 4180 like every table DxLens exports: records end in CRLF (split on it: a bare LF would leave one line).
  const exported = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(exported[0], 'row,name,status,label,probability,threshold,decision,ood_score,in_distribution,' +
                            'top_contributions,problems');
  assert.equal(exported.length, 9);
  for (let i = 0; i < 6; i++) {
    const cells = exported[i + 1].split(',');
    assert.equal(cells[1], `case-${i + 1}`);
    assert.equal(cells[2], 'analyzed');
    assert.ok(Math.abs(Number(cells[4]) - probabilities[i]) < 1e-5, exported[i + 1]);
    assert.equal(cells[6], probabilities[i] >= threshold ? 'positive' : 'negative');
  }
  assert.match(exported[7], /^7,case-bad-range,rejected,/);
  assert.match(exported[7], /mean area must be between 0 and 5002/);
  assert.match(exported[8], /^8,case-bad-text,rejected,/);
  assert.deepEqual(app.consoleErrors, []);
});

test('the keyboard alone fills and analyzes the form: Tab moves to the next field, Enter analyzes', async () => {
  const values = wdbcCases()[19]; // WDBC row 20, a benign case
  const [expected] = await referenceProbabilities([values]);
  // Clicking the form's title gives the page keyboard focus without pressing any of the form's buttons;
  // Clear then puts the cursor in the first field, as opening the form does.
  await app.page.click('#canvas', { position: { x: 600, y: 57 } });
  // ImGui moves the focus on the frames after Clear or Tab: wait for a few frames, as any person's typing does,
  // so that no digit is typed while no field is active on a loaded machine.
  const frames = () => app.page.evaluate(() => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(resolve)))));
  await app.page.evaluate(() => window.dxlens.api.riskForm.clear());
  await frames();
  for (let i = 0; i < values.length; i++) {
    await app.page.keyboard.type(String(values[i]));
    if (i + 1 < values.length) {
      await app.page.keyboard.press('Tab');
      await frames();
    }
  }
  await frames();
  await app.page.keyboard.press('Enter');
  await app.page.waitForFunction(() => window.dxlens.api.riskForm.state().outcome.result !== null, null,
                                 { timeout: 10_000 });
  const s = await app.page.evaluate(() => window.dxlens.api.riskForm.settled());
  assert.deepEqual(s.fields.map((f) => Number(f.text)), values, 'each value landed in its own field');
  const p = s.outcome.result.findings.find((f) => f.label === 'malignant').score;
  assert.ok(Math.abs(p - expected) < 1e-5, `page ${p} vs onnxruntime-node ${expected}`);
  await app.frames();
  await app.screenshot('tabular-keyboard');
});

test('opening an image while the form is shown goes back to the image viewer', async () => {
  ensureFixtures();
  await app.page.setInputFiles('#dx-file-input', path.join(FIXTURES, 'probe.png'));
  await announced(/probe\.png/);
  assert.equal((await riskState()).model, null, 'the form is closed');
  assert.ok(await app.page.evaluate(() => window.dxlens.api.riskForm.open('breast-fna')), 'and can be opened again');
});

test('in Chinese the form speaks Chinese, including the messages made in src/core', async () => {
  const s = await app.page.evaluate(async () => {
    const api = window.dxlens.api;
    api.setLanguage('zh-Hans');
    api.riskForm.open('breast-fna');
    api.riskForm.fillExample();
    api.riskForm.setField('mean radius', '-5');
    api.riskForm.analyze();
    return api.riskForm.settled();
  });
  try {
    assert.equal(s.fields[0].problem, 'mean radius 必须在 0 到 56.22 px 之间');
    assert.match(await announced(/表单未分析/), /有 1 个字段需要有效值/);
    await app.screenshot('tabular-zh');
  } finally {
    await app.page.evaluate(() => window.dxlens.api.setLanguage('en'));
  }
});
