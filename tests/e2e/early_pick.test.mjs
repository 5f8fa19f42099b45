// early_pick.test.mjs — nothing picked is lost: on a cold first visit (a fresh browser profile, nothing cached,
// no service worker yet), a file set on #dx-file-input at the earliest moment (the moment the parser inserts the
// input, before any script of the page has run) is held, the live region says it opens when DxLens is ready (in the
// UI's language), and it is opened once DxLens is: every time, over many runs. Later runs pick at later moments
// of the start-up (as soon as the test sees the input, at DOMContentLoaded, during the WebAssembly's download),
// which must not lose it either. A file dropped and one pasted while the WebAssembly is held back are held too.
//
// How to use: node --test tests/e2e/early_pick.test.mjs   (after the wasm build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureFixtures, openApp, ROOT } from './harness.mjs';

// A chest X-ray from the shared samples, else the generated probe image (any image the shipped models take).
const SAMPLE = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
const XRAY = existsSync(SAMPLE) ? SAMPLE : path.join(ensureFixtures(), 'probe.png');
const NAME = path.basename(XRAY);
const RUNS = 10;

// What the live region said, every time it changed, from before the page's first script.
function recordLiveRegion() {
  window.dxHeard = [];
  new MutationObserver(() => {
    const text = document.getElementById('dx-findings')?.textContent;
    if (text && text !== window.dxHeard.at(-1)) window.dxHeard.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

// In the page, before any of its scripts: the moment the parser inserts #dx-file-input, the file is put on it
// and its change event fired, as a user's pick would (no listener of the page can exist yet).
function pickAsParsed({ name, b64 }) {
  new MutationObserver((_, observer) => {
    const input = document.getElementById('dx-file-input');
    if (!input) return;
    observer.disconnect();
    const picked = new DataTransfer();
    picked.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/png' }));
    input.files = picked.files;
    window.dxPickedBeforeReady = !window.dxlens;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }).observe(document, { subtree: true, childList: true });
}

// One cold visit; `when` picks the moment the file is set: 'parse' (in the page, as the input is parsed),
// 'input' (by the test, as soon as it sees the input), 'dom' (DOMContentLoaded), or a delay in ms after
// navigation started.
async function visit(when, locale) {
  let picked = null;
  const app = await openApp({
    locale,
    beforeGoto: async (a) => {
      await a.context.addInitScript(recordLiveRegion);
      const page = a.page;
      if (when === 'parse') {
        await a.context.addInitScript(pickAsParsed, { name: NAME, b64: readFileSync(XRAY).toString('base64') });
        picked = page.waitForFunction(() => window.dxPickedBeforeReady !== undefined, null, { timeout: 60_000 })
          .then(() => page.evaluate(() => ({ ready: !window.dxPickedBeforeReady })));
        picked.catch(() => {});
        return;
      }
      picked = (async () => {
        if (when === 'input') await page.waitForSelector('#dx-file-input', { state: 'attached', timeout: 60_000 });
        else if (when === 'dom') await page.waitForEvent('domcontentloaded', { timeout: 60_000 });
        else await new Promise((resolve) => setTimeout(resolve, when));
        await page.setInputFiles('#dx-file-input', XRAY);
        // Not ready even after the pick: it was certainly held (ready by now: it may have been either).
        return { ready: await page.evaluate(() => Boolean(window.dxlens?.api)) };
      })();
      picked.catch(() => {}); // awaited below; a failure there fails the run
    },
  });
  try {
    const { ready } = await picked;
    await app.page.waitForFunction((name) => window.dxlens?.api?.studies().some((s) => s.name === name), NAME,
                                   { timeout: 90_000 });
    const heard = await app.page.evaluate(() => window.dxHeard);
    assert.deepEqual(app.consoleErrors, []);
    return { ready, heard };
  } finally {
    await app.close();
  }
}

test(`a file picked while a cold first visit loads is opened once DxLens is ready, ${RUNS} runs out of ${RUNS}`, async () => {
  const moments = ['parse', 'parse', 'parse', 'parse', 'parse', 'input', 'input', 'dom', 300, 800];
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    const locale = i === 1 || i === 5 ? 'zh-CN' : 'en-US';
    const when = moments[i % moments.length];
    const { ready, heard } = await visit(when, locale);
    results.push(`${when}${locale === 'zh-CN' ? ' (zh)' : ''}: ${ready ? 'ready around the pick' : 'held'}`);
    if (ready) continue; // DxLens may have been up already: then it opened at once, with nothing to hold
    const waiting = locale === 'zh-CN' ? `DxLens 就绪后打开：${NAME}` : `Opening when DxLens is ready: ${NAME}`;
    assert.ok(heard.includes(waiting), `run ${i} (${when}): the live region never said "${waiting}": ${JSON.stringify(heard)}`);
  }
  console.log(`every picked file was opened: ${results.join('; ')}`);
  // The earliest moment is the point of the test: those picks came before DxLens was ready.
  assert.equal(results.filter((r) => r.startsWith('parse') && r.endsWith('held')).length, 5, results.join('; '));
});

test('a file dropped and one pasted while the WebAssembly is still downloading are held, announced and opened', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const app = await openApp({
    beforeGoto: async (a) => {
      await a.context.addInitScript(recordLiveRegion);
      // The app's WebAssembly is held back until the files are given: DxLens cannot be ready meanwhile.
      await a.context.route(/\/dxlens\.(wasm|data)$/, async (route) => {
        await gate;
        await route.continue();
      });
    },
  });
  try {
    const page = app.page;
    await page.waitForFunction(() => document.readyState === 'complete'); // the page's scripts have run
    const b64 = readFileSync(XRAY).toString('base64');
    const given = await page.evaluate((b64) => {
      const file = (name) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/png' });
      const dropped = new DataTransfer();
      dropped.items.add(file('dropped.png'));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
      const pasted = new DataTransfer();
      pasted.items.add(file('pasted.png'));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));
      return { ready: Boolean(window.dxlens) };
    }, b64);
    assert.equal(given.ready, false);
    // Both named, in the order given (one message: a screen reader would not hear the first of two at once).
    await page.waitForFunction(() => window.dxHeard.includes('Opening when DxLens is ready: dropped.png, pasted.png'));
    release();
    await page.waitForFunction(() => ['dropped.png', 'pasted.png'].every((n) =>
      window.dxlens?.api?.studies().some((s) => s.name === n)), null, { timeout: 90_000 });
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    release();
    await app.close();
  }
});
