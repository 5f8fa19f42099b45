// workstation.test.mjs — what a clinician does through the real page: open a DICOM and a PNG through
// #dx-file-input, see findings announced in #dx-findings (the ARIA live region), open a corrupt file and see
// a readable error while the app keeps working. Screenshots are saved to build/e2e/ for review.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, openAppWithTestModel, pixelStats, ROOT } from './harness.mjs';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
let app;

async function announced(pattern) {
  await app.page.waitForFunction((source) => new RegExp(source).test(document.getElementById('dx-findings').textContent),
                                 pattern.source, { timeout: 30_000 });
  return app.page.evaluate(() => document.getElementById('dx-findings').textContent);
}

before(async () => {
  app = await openAppWithTestModel();
});

after(async () => {
  await app?.close();
});

test('a DICOM opened through #dx-file-input is decoded, shown and analysed, and findings reach the live region', {
  skip: !existsSync(`${PYDICOM}/CT_small.dcm`) && 'pydicom test files not installed',
}, async () => {
  await app.page.setInputFiles('#dx-file-input', `${PYDICOM}/CT_small.dcm`);
  const text = await announced(/CT_small\.dcm: .*Research use only/);
  assert.match(text, /dark \d\.\d\d; bright \d\.\d\d/);
  assert.match(text, /e2e-tiny on wasm/);
  await app.page.waitForTimeout(300);
  const shot = await app.screenshot('workstation-dicom');
  // The CT slice fills the centre: far more grey levels there than in an empty viewport.
  const s = await pixelStats(app.page, readFileSync(shot), { centre: { x: 0.35, y: 0.3, w: 0.3, h: 0.4 } });
  assert.ok(s.centre.colours > 40 && s.centre.std > 10, `the image is not visible (${JSON.stringify(s.centre)})`);
});

test('a PNG chest X-ray opened through #dx-file-input is analysed', {
  skip: !existsSync('../shared/data/samples') && !existsSync(path.join(ROOT, '../shared/data/samples')) && 'no sample X-rays',
}, async () => {
  const png = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
  await app.page.setInputFiles('#dx-file-input', png);
  const text = await announced(/nih_cxr14_00000001_000\.png: .*Research use only/);
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
  // Still working: the next image is analysed.
  await app.page.setInputFiles('#dx-file-input', path.join(FIXTURES, 'probe.png'));
  await announced(/probe\.png: .*Research use only/);
  assert.deepEqual(app.consoleErrors, []);
});
