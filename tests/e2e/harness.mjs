// harness.mjs — shared set-up for the browser end-to-end tests: our static server on a free loopback port
// and Debian's Chromium driven by playwright-core, with every request and console message recorded.
//
// How to use (in a node:test file):
//   const app = await openApp();              // server + browser + page at the app's URL
//   openApp({ locale: 'zh-CN', beforeGoto: async (app) => app.context.route(...) })   // set up before loading
//   openApp({ archives: { archives: [...] }, archiveProxies: { orthanc: `${orthanc.url}/dicom-web` } })
//       // an archives.json to serve, and archives proxied under /archive/ID/ (tests/archive/orthanc_fixture.mjs)
//   await app.waitForFirstFrame();
//   await app.frames();                       // the app drew a few more frames (before a screenshot, say)
//   await app.untilDrawn(() => readState(), (s) => s.done, 'the work is done');  // re-read after each frame
//   ... assertions on app.page, app.requests, app.consoleErrors ...
//   await app.close();
// Screenshots go to build/e2e/ so a person can look at them after a run.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../web/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = process.env.DX_WEB_DIR || path.join(ROOT, 'build/web');
export const SHOTS_DIR = path.join(ROOT, 'build/e2e');

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-default-apps', '--use-gl=angle', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--js-flags=--expose-gc', '--enable-precise-memory-info',
];

// A headless Chromium with a fresh profile (empty cache, no service worker) and the flags every browser test and
// benchmark uses; `options` are playwright's (viewport, locale, ...). The caller closes the context and removes
// the profile folder.
export async function launchChromium(profilePrefix, options = {}) {
  const profile = mkdtempSync(path.join(os.tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.DX_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, ...options,
  });
  return { context, profile };
}

export async function openApp({ isolate = true, viewport = { width: 1280, height: 800 }, deviceScaleFactor = 1,
                                query = '', embedConfig = null, archives = null, archiveProxies = {},
                                page: pagePath = '', basePath = '/', locale = 'en-US', beforeGoto = null } = {}) {
  const server = await startServer({ root: WEB_DIR, port: 0, isolate, embedConfig, archives, archiveProxies, basePath });
  const origin = `http://127.0.0.1:${server.address().port}`;
  // locale: navigator.languages
  const { context, profile } = await launchChromium('dxlens-e2e-', { viewport, deviceScaleFactor, locale });
  // Any Content-Security-Policy violation becomes a console error, which every test treats as a failure.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  const page = context.pages()[0] || (await context.newPage());
  const app = { server, origin, context, page, profile, requests: [], consoleErrors: [], consoleAll: [] };
  context.on('request', (req) => app.requests.push({ url: req.url(), method: req.method() }));
  page.on('console', (msg) => {
    app.consoleAll.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === 'error') app.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => app.consoleErrors.push(`pageerror: ${err.message}`));
  app.waitForFirstFrame = () => page.waitForSelector('#dx-loading', { state: 'hidden', timeout: 60_000 });
  app.frames = (count) => framesDrawn(page, count);
  app.untilDrawn = (read, predicate, what, timeout) => untilDrawn(page, read, predicate, what, timeout);
  app.screenshot = async (name) => {
    mkdirSync(SHOTS_DIR, { recursive: true });
    const file = path.join(SHOTS_DIR, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  app.close = async () => {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  };
  app.base = `${origin}${basePath}`;
  if (beforeGoto) await beforeGoto(app); // e.g. routes or init scripts that must be in place before the page loads
  await page.goto(`${app.base}${pagePath}${query}`);
  return app;
}

// Resolves once the app has drawn `count` more frames (ImGui's frame counter, viewerState().frames_drawn). What
// the app state says is drawn a frame later, and a window that just opened takes ImGui a frame or two to lay
// out, so screenshots and key presses wait for frames drawn, not for a time that a loaded machine may not meet.
export async function framesDrawn(page, count = 5) {
  await page.waitForFunction(() => window.dxlens?.api, null, { timeout: 60_000 });
  const start = await page.evaluate(() => window.dxlens.api.viewerState().frames_drawn);
  await page.waitForFunction(({ start, count }) => window.dxlens.api.viewerState().frames_drawn >= start + count,
                             { start, count }, { timeout: 30_000 });
}

// `await read()` once now and again after each frame the app draws, until `predicate` holds for it; returns
// that value, or throws with `what` and the last value after `timeout` ms. The predicate runs here, so it may
// compare with the test's values (a page.waitForFunction predicate cannot, and the page's CSP forbids eval).
export async function untilDrawn(page, read, predicate, what, timeout = 30_000) {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() - start > timeout) throw new Error(`${what}: timed out; last state ${JSON.stringify(value)}`);
    await framesDrawn(page, 1);
  }
}

// Decodes a PNG screenshot's pixels in the page itself (no PNG library needed on the Node side).
export async function pixelStats(page, pngBuffer, regions) {
  return page.evaluate(async ({ b64, regions }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = new OffscreenCanvas(img.width, img.height);
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const stats = {};
    for (const [name, r] of Object.entries(regions)) {
      const h = Math.max(1, Math.round(r.h * img.height)), w = Math.max(1, Math.round(r.w * img.width));
      const d = g.getImageData(Math.round(r.x * img.width), Math.round(r.y * img.height), w, h).data;
      let sum = 0, sumSq = 0;
      const colours = new Set();
      for (let i = 0; i < d.length; i += 4) {
        const v = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        sum += v; sumSq += v * v;
        if (colours.size < 4096) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
      const n = d.length / 4;
      stats[name] = { mean: sum / n, std: Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)), colours: colours.size,
                      width: img.width, height: img.height };
    }
    return stats;
  }, { b64: pngBuffer.toString('base64'), regions });
}

// Waits until the app's API exists and the shipped models have been opened (or failed to).
export async function waitForModels(page, timeout = 60_000) {
  await page.waitForFunction(() => window.dxlens?.api && window.dxlens.defaultModels, null, { timeout });
  await page.evaluate(() => window.dxlens.defaultModels);
  return page.evaluate(() => window.dxlens.api.models());
}

export const FIXTURES = path.join(ROOT, 'build/e2e/fixtures');

// The generated test model packages (good/, wrong/) and probe.png; made once per build folder.
export function ensureFixtures() {
  const make = path.join(ROOT, 'tests/e2e/fixtures/make_tiny_package.py');
  mkdirSync(FIXTURES, { recursive: true });
  if (!existsSync(path.join(FIXTURES, 'good/manifest.json')))
    execFileSync('/usr/bin/python3', [make, path.join(FIXTURES, 'good')]);
  if (!existsSync(path.join(FIXTURES, 'wrong/manifest.json')))
    execFileSync('/usr/bin/python3', [make, path.join(FIXTURES, 'wrong'), '--wrong-reference']);
  return FIXTURES;
}

// A model package folder as the files a user would pick ({ path, b64 }), under `prefix`.
export function packageFiles(dir, prefix = 'picked/') {
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.push({ path: prefix + path.relative(dir, full), b64: readFileSync(full).toString('base64') });
    }
  };
  walk(dir);
  return files;
}

// Opens picked package files in the page with a backend choice: { ok, value } or { ok: false, message }.
export async function loadPicked(page, files, backend) {
  return page.evaluate(async ({ files, backend }) => {
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    window.dxlens.api.setBackend(backend);
    try {
      return { ok: true, value: await window.dxlens.api.loadModelFiles(files.map((f) => ({ path: f.path, bytes: bytes(f.b64) }))) };
    } catch (err) {
      return { ok: false, message: err.message };
    }
  }, { files, backend });
}

// The workstation page with the generated test classifier (fixtures good/) as the only image model in use,
// standing in for the shipped ones (it is opened like a user's own package, on the WASM backend): the shipped
// image models are turned off for the session, as a user can in the findings panel, so each image is analyzed
// by this model alone and the tests can count its analyses. `options` go to openApp (archives, proxies, ...).
export async function openAppWithTestModel(options = {}) {
  ensureFixtures();
  const app = await openApp(options);
  await app.waitForFirstFrame();
  await waitForModels(app.page);
  const loaded = await loadPicked(app.page, packageFiles(path.join(FIXTURES, 'good'), 'pkg/'), 'wasm');
  if (!loaded.ok) throw new Error(`the test model did not open: ${loaded.message}`);
  await app.page.evaluate(() => {
    const api = window.dxlens.api;
    api.setActiveModel('e2e-tiny');
    for (const m of api.models()) if (m.on !== undefined && m.id !== 'e2e-tiny') api.setModelOn(m.id, false);
  });
  return app;
}
