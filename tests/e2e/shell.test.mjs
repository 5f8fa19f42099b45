// shell.test.mjs — the app shell renders in a real browser: ImGui draws, the status bar learns the platform's
// capabilities, nothing errors, and every request stays on the app's own origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openApp, pixelStats } from './harness.mjs';

const REGIONS = {
  whole: { x: 0, y: 0, w: 1, h: 1 },
  menuBar: { x: 0, y: 0, w: 1, h: 0.025 },
  background: { x: 0.05, y: 0.2, w: 0.2, h: 0.2 },
};

test('ImGui draws the workstation shell without console errors', async () => {
  const app = await openApp();
  try {
    await app.waitForFirstFrame();
    await app.frames(); // a few frames after the first
    const file = await app.screenshot('shell');
    const s = await pixelStats(app.page, readFileSync(file), REGIONS);
    assert.ok(s.whole.std > 3, `screenshot looks blank (luma std ${s.whole.std.toFixed(2)})`);
    assert.ok(s.whole.colours > 16, `screenshot has only ${s.whole.colours} colours`);
    assert.ok(Math.abs(s.menuBar.mean - s.background.mean) > 5,
              `menu bar (mean ${s.menuBar.mean.toFixed(1)}) does not differ from the background ` +
              `(${s.background.mean.toFixed(1)})`);
    assert.deepEqual(app.consoleErrors, [], `console errors:\n${app.consoleErrors.join('\n')}`);
  } finally {
    await app.close();
  }
});

test('the status bar reports WebGPU, isolation and ONNX Runtime from the page', async () => {
  const app = await openApp();
  try {
    await app.waitForFirstFrame();
    const platform = await app.page.waitForFunction(() => {
      const p = window.dxlens?.dxPlatform;
      return p && p.ortStatus === 'loaded' && typeof p.webgpuAvailable === 'boolean' ? p : null;
    }, null, { timeout: 30_000 }).then((h) => h.jsonValue());
    assert.equal(platform.crossOriginIsolated, true, 'the dev server sends COOP/COEP, so the page must be isolated');
    assert.match(platform.ortVersion, /^1\.\d+\.\d+/);
    assert.equal(platform.webgpuAvailable, true, `Chromium runs with --enable-unsafe-webgpu: ${platform.webgpu}`);
  } finally {
    await app.close();
  }
});

test('without COOP/COEP the page still runs and reports that it is not isolated', async () => {
  const app = await openApp({ isolate: false });
  try {
    await app.waitForFirstFrame();
    const isolated = await app.page.evaluate(() => self.crossOriginIsolated);
    assert.equal(isolated, false);
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('every request the page makes goes to the app\'s own origin', async () => {
  const app = await openApp();
  try {
    await app.waitForFirstFrame();
    await app.page.waitForFunction(() => window.dxlens?.dxPlatform?.ortStatus === 'loaded', null,
                                   { timeout: 30_000 });
    assert.ok(app.requests.length >= 5, `expected the app's files to be requested, saw ${app.requests.length}`);
    const foreign = app.requests.filter((r) => !r.url.startsWith(`${app.origin}/`) && !r.url.startsWith('data:') &&
                                               !r.url.startsWith('blob:'));
    assert.deepEqual(foreign, [], 'requests left the app\'s origin');
    assert.ok(app.requests.every((r) => r.method === 'GET'), 'only GETs of static files are expected');
  } finally {
    await app.close();
  }
});

test('the canvas is sharp on a HiDPI screen (backbuffer = CSS size x devicePixelRatio)', async () => {
  const app = await openApp({ deviceScaleFactor: 2, viewport: { width: 900, height: 600 } });
  try {
    await app.waitForFirstFrame();
    await app.frames(); // the canvas is sized to CSS size x DPR in every frame
    const size = await app.page.evaluate(() => {
      const c = document.getElementById('canvas');
      return { w: c.width, h: c.height, cssW: c.clientWidth, cssH: c.clientHeight, dpr: devicePixelRatio };
    });
    assert.equal(size.dpr, 2);
    assert.equal(size.w, size.cssW * 2);
    assert.equal(size.h, size.cssH * 2);
    await app.page.setViewportSize({ width: 700, height: 500 });
    await app.page.waitForFunction(() => document.getElementById('canvas').width === 1400, null,
                                   { timeout: 10_000 });
    await app.screenshot('shell-hidpi');
  } finally {
    await app.close();
  }
});
