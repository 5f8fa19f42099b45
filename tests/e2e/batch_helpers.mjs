// batch_helpers.mjs — what the batch and validation browser tests share: a page with the e2e test classifier
// active, generated labelled image sets, the live region, downloads read back, and a small CSV reader.
//
// How to use (in a node:test file):
//   const app = await openWithTinyModel();                 // harness.openApp + the e2e-tiny package, WASM
//   const set = makeLabelledSet('batch-set', 25, ['--broken']);   // { dir: .../set, expected: {path: {...}} }
//   await app.page.setInputFiles('#dx-batch-folder-input', set.dir);
//   const text = await announced(app, /Batch finished/);
//   const csv = parseCsv(await downloadText(app, () => window.dxlens.batch.export('batch-csv')));
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureFixtures, FIXTURES, loadPicked, openApp, packageFiles, ROOT, waitForModels } from './harness.mjs';

export async function openWithTinyModel() {
  ensureFixtures();
  const app = await openApp();
  await app.waitForFirstFrame();
  await waitForModels(app.page);
  const loaded = await loadPicked(app.page, packageFiles(path.join(FIXTURES, 'good'), 'pkg/'), 'wasm');
  assert.ok(loaded.ok, loaded.message);
  await app.page.evaluate(() => window.dxlens.api.setActiveModel('e2e-tiny'));
  return app;
}

// Generated afresh under build/e2e/fixtures/<name>: 2 x perClass 32x32 PNGs and the scores numpy expects.
export function makeLabelledSet(name, perClass, extraArgs = []) {
  const root = path.join(FIXTURES, name);
  rmSync(root, { recursive: true, force: true });
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'tests/e2e/fixtures/make_labelled_set.py'), root,
                                    String(perClass), ...extraArgs]);
  const expected = JSON.parse(readFileSync(path.join(root, 'expected.json'), 'utf8')).files;
  return { dir: path.join(root, 'set'), expected };
}

export async function announced(app, pattern, timeout = 45_000) {
  await app.page.waitForFunction((source) => new RegExp(source).test(document.getElementById('dx-findings').textContent),
                                 pattern.source, { timeout });
  return app.page.evaluate(() => document.getElementById('dx-findings').textContent);
}

export function status(app, queue) {
  return app.page.evaluate((q) => window.dxlens.batch.status(q), queue);
}

// The queue's status once `predicate(status)` holds, read again after each frame the app draws.
export function waitUntil(app, queue, predicate, timeout = 45_000) {
  return app.untilDrawn(() => status(app, queue), predicate, `the ${queue} queue`, timeout);
}

// Runs `action` in the page (it must start a download) and returns the downloaded file's name and text.
export async function downloadText(app, action, arg) {
  const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.evaluate(action, arg)]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

// RFC 4180 as our exports write it (quoted fields may hold commas, quotes doubled, CRLF line ends):
// an array of objects keyed by the header row.
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
