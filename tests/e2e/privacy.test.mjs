// privacy.test.mjs — patient data never leaves the device, proven in the real page: every request goes to
// the app's own origin as a GET of a static file, none at all happens between choosing an image and seeing
// its result, the server's headers carry the strict policy, and any CSP violation fails the test (harness).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, ROOT, SHOTS_DIR, waitForModels } from './harness.mjs';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const SAMPLE = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
let app, imageModel;

before(async () => {
  app = await openApp();
  await app.waitForFirstFrame();
  const models = await waitForModels(app.page);
  imageModel = models.find((m) => m.state === 'ready' && m.task !== 'tabular');
  // A settled first visit: the service worker (registered once the models are up) has stored the app for offline
  // use. Its install fetches the app's own static files; after it, nothing is fetched.
  await app.page.evaluate(async () => {
    if (await window.dxPwa) await navigator.serviceWorker.ready;
  });
});

after(async () => {
  await app?.close();
});

function isStaticGetOfOwnOrigin(r, origin) {
  return r.method === 'GET' && (r.url.startsWith(`${origin}/`) || r.url.startsWith('data:') || r.url.startsWith('blob:'));
}

test('zero egress: analyzing a DICOM and a PNG and exporting reports sends nothing; every request is a same-origin GET', async (t) => {
  if (!imageModel) return t.skip('no shipped image model in models/');
  mkdirSync(SHOTS_DIR, { recursive: true });
  const inputs = [`${PYDICOM}/CT_small.dcm`, SAMPLE].filter(existsSync);
  assert.ok(inputs.length > 0, 'test inputs missing');
  for (const file of inputs) {
    const before = app.requests.length;
    await app.page.setInputFiles('#dx-file-input', file);
    const name = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await app.page.waitForFunction((n) => new RegExp(`${n}: .*(Research use only|failed)`).test(
      document.getElementById('dx-findings').textContent), name, { timeout: 60_000 });
    const during = app.requests.slice(before);
    assert.deepEqual(during, [], `requests were made while analyzing ${file}`);
  }
  // Export every report type of the last analysis: downloads made on the device, no request to any server.
  const before = app.requests.length;
  for (const format of ['json', 'csv', 'fhir', 'html', 'dicom-sr']) {
    const [download] = await Promise.all([
      app.page.waitForEvent('download', { timeout: 30_000 }),
      app.page.evaluate((f) => window.dxlens.api.exportReport(f), format),
    ]);
    const bytes = readFileSync(await download.path());
    const text = bytes.toString('utf8');
    if (format === 'dicom-sr') assert.equal(bytes.subarray(128, 132).toString('latin1'), 'DICM');
    assert.match(text, /Research use only/, `${format} report carries the notice`);
    if (format === 'json') assert.equal(JSON.parse(text).schema, 'dxlens.report/1');
    if (format === 'fhir') assert.equal(JSON.parse(text).resourceType, 'Bundle');
    if (format === 'csv') assert.match(text.split('\r\n')[0], /^file,/);
    if (format === 'html') assert.doesNotMatch(text, /<script/i);
    const extension = { fhir: 'fhir.json', 'dicom-sr': 'sr.dcm' }[format] ?? format;
    writeFileSync(path.join(SHOTS_DIR, `report.${extension}`), bytes);
  }
  assert.ok(app.requests.slice(before).every((r) => r.url.startsWith('blob:')), 'exports only use blob: URLs');
  const bad = app.requests.filter((r) => !isStaticGetOfOwnOrigin(r, app.origin));
  assert.deepEqual(bad, [], 'a request left the origin or was not a GET');
  assert.deepEqual(app.consoleErrors, []);
});

test('the server sends the strict content security policy and isolation headers on every file', async () => {
  for (const file of ['', 'dxlens.wasm', 'ort/ort.wasm.min.mjs', 'sw.js', 'models/index.json']) {
    const res = await fetch(`${app.origin}/${file}`);
    assert.equal(res.status, 200, file);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
  }
  assert.equal((await fetch(`${app.origin}/dxlens.wasm`)).headers.get('content-type'), 'application/wasm');
  assert.equal((await fetch(`${app.origin}/../../etc/passwd`)).status, 404);
  assert.equal((await fetch(`${app.origin}/`, { method: 'POST', body: 'x' })).status, 405);
});

test('the page itself declares the same policy in a <meta> tag', async () => {
  const meta = await app.page.evaluate(() =>
    document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
  assert.match(meta, /default-src 'self'/);
  assert.match(meta, /connect-src 'self'/);
});
