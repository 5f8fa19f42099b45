// workstation.test.mjs — what a clinician does through the real page: open a DICOM and a PNG through
// #dx-file-input, see findings announced in #dx-findings (the ARIA live region), open a corrupt file and see
// a readable error while the app keeps working; several images opened at once are queued and analyzed one at a
// time, each reported "queued" before "analyzing" and its findings; a newer package of the model opened while
// images wait takes over their analyses. Screenshots are saved to build/e2e/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, loadPicked, openAppWithTestModel, packageFiles, pixelStats, ROOT } from './harness.mjs';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
let app;

// Copies of probe.png under the given names, for tests that open several images at once.
function probeCopies(names) {
  return names.map((n) => {
    const file = path.join(FIXTURES, n);
    copyFileSync(path.join(FIXTURES, 'probe.png'), file);
    return file;
  });
}

// The study list's entries for these file names, in the order opened.
const studiesNamed = (names) =>
  app.page.evaluate((n) => window.dxlens.api.studies().filter((s) => n.includes(s.name)), names);

async function announced(pattern) {
  await app.page.waitForFunction((source) => new RegExp(source).test(document.getElementById('dx-findings').textContent),
                                 pattern.source, { timeout: 30_000 });
  return app.page.evaluate(() => document.getElementById('dx-findings').textContent);
}

// The findings panel's one-click population confirmation for the selected study (a PNG, or a DICOM without an
// age, does not say whether the patient is in the model's intended population), then the findings it reveals.
async function confirmed(pattern) {
  assert.equal(await app.page.evaluate(() => window.dxlens.api.confirmPopulation()), true);
  return announced(new RegExp(`population confirmed by the user; the findings are shown\\. ${pattern.source}`));
}

before(async () => {
  app = await openAppWithTestModel();
});

after(async () => {
  await app?.close();
});

test('a DICOM opened through #dx-file-input is decoded, shown and analyzed, and findings reach the live region', {
  skip: !existsSync(`${PYDICOM}/CT_small.dcm`) && 'pydicom test files not installed',
}, async () => {
  await app.page.setInputFiles('#dx-file-input', `${PYDICOM}/CT_small.dcm`);
  assert.match(await announced(/CT_small\.dcm: .*Research use only/), /population not verified/);
  const text = await confirmed(/CT_small\.dcm: .*Research use only/);
  assert.match(text, /dark \d\.\d\d; bright \d\.\d\d/);
  assert.match(text, /e2e-tiny on wasm/);
  await app.frames();
  const shot = await app.screenshot('workstation-dicom');
  // The CT slice fills the centre: far more grey levels there than in an empty viewport.
  const s = await pixelStats(app.page, readFileSync(shot), { centre: { x: 0.35, y: 0.3, w: 0.3, h: 0.4 } });
  assert.ok(s.centre.colours > 40 && s.centre.std > 10, `the image is not visible (${JSON.stringify(s.centre)})`);
});

test('a PNG chest X-ray opened through #dx-file-input is analyzed', {
  skip: !existsSync('../shared/data/samples') && !existsSync(path.join(ROOT, '../shared/data/samples')) && 'no sample X-rays',
}, async () => {
  const png = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
  await app.page.setInputFiles('#dx-file-input', png);
  assert.match(await announced(/nih_cxr14_00000001_000\.png: .*Research use only/), /population not verified/);
  const text = await confirmed(/nih_cxr14_00000001_000\.png: .*Research use only/);
  assert.match(text, /threshold/);
  await app.screenshot('workstation-png');
});

test('a corrupt file gives a readable error and the app keeps working', async () => {
  const junk = path.join(FIXTURES, 'corrupt.dcm');
  const bytes = Buffer.alloc(300);
  bytes.write('DICM', 128);
  writeFileSync(junk, bytes);
  await app.page.setInputFiles('#dx-file-input', junk);
  const text = await announced(/corrupt\.dcm could not be opened: /);
  assert.ok(text.length > 'corrupt.dcm could not be opened: '.length + 10, text);
  await app.screenshot('workstation-error');
  // Still working: the next image is analyzed.
  await app.page.setInputFiles('#dx-file-input', path.join(FIXTURES, 'probe.png'));
  await announced(/probe\.png: .*Research use only/);
  assert.deepEqual(app.consoleErrors, []);
});

test('images opened together are queued, then analyzed one at a time in order, and the list says so', async () => {
  const names = ['queue-a.png', 'queue-b.png', 'queue-c.png'];
  const files = probeCopies(names);
  // Hold every model run until the test lets go, so the queue is observed, not raced; record every text the
  // live region is given (each announcement replaces the region's text node, so the added nodes are the log).
  await app.page.evaluate(() => {
    const bridge = window.dxlens.dxBridge;
    const run = bridge.run;
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    bridge.run = (id, feeds) => gate.then(() => run.call(bridge, id, feeds));
    window.dxQueueTest = { log: [], release: () => { bridge.run = run; release(); } };
    const region = document.getElementById('dx-findings');
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) window.dxQueueTest.log.push(n.textContent);
    }).observe(region, { childList: true });
  });
  await app.page.setInputFiles('#dx-file-input', files);
  const statuses = () => studiesNamed(names);
  await app.page.waitForFunction((names) => window.dxlens.api.studies().filter((s) => names.includes(s.name)).length === 3,
                                 names, { timeout: 30_000 });
  const held = await statuses();
  assert.deepEqual(held.map((s) => [s.name, s.status, s.ahead]),
                   [['queue-a.png', 'analyzing', undefined], ['queue-b.png', 'queued', 1], ['queue-c.png', 'queued', 2]]);
  await app.frames();
  await app.screenshot('workstation-queued');
  await app.page.evaluate(() => window.dxQueueTest.release());
  await app.page.waitForFunction((names) => window.dxlens.api.studies().filter((s) => names.includes(s.name))
    .every((s) => s.status === 'done'), names, { timeout: 30_000 });
  const log = await app.page.evaluate(() => window.dxQueueTest.log);
  const at = (pattern) => log.findIndex((text) => pattern.test(text));
  for (const name of names) {
    const escaped = name.replace('.', '\\.');
    const queued = at(new RegExp(`^${escaped}: queued, \\d analyses ahead`));
    const started = at(new RegExp(`^${escaped}: analyzing with e2e-tiny`));
    const done = at(new RegExp(`^${escaped}: .*Research use only`));
    assert.ok(started >= 0 && done > started, `${name}: analyzing then findings expected in ${JSON.stringify(log)}`);
    if (name === 'queue-a.png') assert.equal(queued, -1, 'the first image had nothing ahead of it');
    else assert.ok(queued >= 0 && queued < started, `${name}: queued before analyzing expected in ${JSON.stringify(log)}`);
  }
  // One at a time, in the order opened: each starts after the previous one's findings.
  const doneA = at(/^queue-a\.png: .*Research use only/), startB = at(/^queue-b\.png: analyzing/);
  const doneB = at(/^queue-b\.png: .*Research use only/), startC = at(/^queue-c\.png: analyzing/);
  assert.ok(doneA < startB && doneB < startC, JSON.stringify(log));
  assert.deepEqual(app.consoleErrors, []);
});

test('a newer package of the model opened while images wait analyses them; none fails on the closed session', async () => {
  // Five images: the runs already queued in ONNX Runtime when the newer package becomes ready (here the second and
  // third) still finish on the old session; the ones started after that must use the newer one.
  const names = ['swap-a.png', 'swap-b.png', 'swap-c.png', 'swap-d.png', 'swap-e.png'];
  const files = probeCopies(names);
  // Hold the first run on the current e2e-tiny session inside ONNX Runtime's queue (the newer package's
  // creation queues behind it, as it would behind a slow analysis), until the newer package is being opened;
  // note when its session creation is asked for.
  await app.page.evaluate(() => {
    const bridge = window.dxlens.dxBridge;
    const runNow = bridge.runNow, createSession = bridge.createSession;
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    let held = false;
    bridge.runNow = (entry, ort, feeds) => {
      if (held) return runNow.call(bridge, entry, ort, feeds);
      held = true;
      return gate.then(() => runNow.call(bridge, entry, ort, feeds));
    };
    bridge.createSession = (...args) => {
      window.dxSwapTest.creating = true;
      return createSession.apply(bridge, args);
    };
    window.dxSwapTest = { creating: false,
                          release: () => { bridge.runNow = runNow; bridge.createSession = createSession; release(); } };
  });
  await app.page.setInputFiles('#dx-file-input', files);
  await app.page.waitForFunction((n) => window.dxlens.api.studies().filter((s) => n.includes(s.name))
    .map((s) => s.status).join() === 'analyzing,queued,queued,queued,queued', names, { timeout: 30_000 });
  const reopened = loadPicked(app.page, packageFiles(path.join(FIXTURES, 'good'), 'pkg/'), 'wasm');
  // The newer package is read and verified, and its session creation queued behind the held run.
  await app.page.waitForFunction(() => window.dxSwapTest.creating, null, { timeout: 30_000 });
  await app.page.evaluate(() => window.dxSwapTest.release());
  const loaded = await reopened;
  assert.ok(loaded.ok, loaded.message);
  await app.page.waitForFunction((n) => window.dxlens.api.studies().filter((s) => n.includes(s.name))
    .every((s) => s.status === 'done' || s.status === 'error'), names, { timeout: 30_000 });
  const final = await studiesNamed(names);
  assert.deepEqual(final.map((s) => [s.name, s.status, s.message]),
                   names.map((n) => [n, 'done', undefined]), JSON.stringify(final));
  const tiny = (await app.page.evaluate(() => window.dxlens.api.models())).filter((m) => m.id === 'e2e-tiny');
  assert.deepEqual(tiny.map((m) => m.state), ['ready'], 'the newer package replaced the older one');
  assert.deepEqual(app.consoleErrors, []);
});
