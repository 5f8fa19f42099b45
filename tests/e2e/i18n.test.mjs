// i18n.test.mjs — the UI in Simplified Chinese through the real page: a Chinese browser gets the
// Chinese UI with every glyph of the catalogue in the font (the app's own report, plus screenshots that differ
// from the English ones where the text is), sharp at devicePixelRatio 2; switching at runtime keeps the open study,
// speaks Chinese in the ARIA live region, and is remembered across a reload.
// Screenshots: build/e2e/i18n-*.png, for a person to look at.
//
// How to use: node --test --test-concurrency=1 tests/e2e/i18n.test.mjs   (after the wasm build)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, pixelStats, ROOT, waitForModels } from './harness.mjs';

const CXR = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
// Where the menu bar's menus and the findings panel's text are drawn (fractions of a 1280x800 screenshot).
const TEXT_REGIONS = {
  menus: { x: 0, y: 0, w: 0.25, h: 0.025 },
  notice: { x: 0.8, y: 0, w: 0.2, h: 0.025 },
  findings: { x: 0.705, y: 0.22, w: 0.29, h: 0.12 },
};

const status = (page) => page.evaluate(() => window.dxlens.api.i18nStatus());
const liveRegion = (page) => page.evaluate(() => document.getElementById('dx-findings').textContent);

async function waitForLiveRegion(page, pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('dx-findings').textContent),
                             pattern.source, { timeout: 60_000 });
  return liveRegion(page);
}

// Per-pixel difference between two screenshots of the same layout, inside one region (mean absolute luma).
async function regionDifference(page, fileA, fileB, region) {
  return page.evaluate(async ({ a, b, r }) => {
    const load = async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = new OffscreenCanvas(img.width, img.height);
      c.getContext('2d').drawImage(img, 0, 0);
      const w = Math.round(r.w * img.width), h = Math.round(r.h * img.height);
      return c.getContext('2d').getImageData(Math.round(r.x * img.width), Math.round(r.y * img.height), w, h).data;
    };
    const [da, db] = [await load(a), await load(b)];
    let sum = 0;
    for (let i = 0; i < da.length; i += 4)
      sum += Math.abs((da[i] + da[i + 1] + da[i + 2]) - (db[i] + db[i + 1] + db[i + 2])) / 3;
    return sum / (da.length / 4);
  }, { a: readFileSync(fileA).toString('base64'), b: readFileSync(fileB).toString('base64'), r: region });
}

test('a Chinese browser gets the Chinese UI, with a glyph for every character the UI can draw', async () => {
  const zh = await openApp({ locale: 'zh-CN' });
  let zhShot;
  try {
    await zh.waitForFirstFrame();
    await waitForModels(zh.page);
    await zh.frames(); // a few frames with the models listed
    const s = await status(zh.page);
    assert.equal(s.language, 'zh-Hans');
    assert.equal(s.sample, '结果', 'tr("Findings") is not Chinese');
    assert.equal(s.cjkFontLoaded, true, 'the CJK font subset was not in dxlens.data');
    assert.ok(s.uiCharacters > 300, `only ${s.uiCharacters} non-ASCII UI characters: catalogue not compiled in?`);
    assert.equal(s.missingGlyphs, '', `these characters would render as '?': ${s.missingGlyphs}`);
    assert.equal(await zh.page.evaluate(() => document.documentElement.lang), 'zh-Hans');
    assert.equal(await zh.page.evaluate(() => document.getElementById('dx-findings').lang), 'zh-Hans');
    zhShot = await zh.screenshot('i18n-zh');
    const st = await pixelStats(zh.page, readFileSync(zhShot), TEXT_REGIONS);
    for (const [name, r] of Object.entries(st))
      assert.ok(r.std > 8 && r.colours > 8, `no text drawn in the ${name} region: ${JSON.stringify(r)}`);
    // The browser's own meaning of the UI's shortcuts (F1: its help page) is suppressed on the canvas; other keys
    // are left alone. Not bubbling, so ImGui (listening on window) does not act on these synthetic keys.
    const prevented = await zh.page.evaluate(() => [
      { key: 'F1' }, { key: 'o', ctrlKey: true }, { key: 'Enter', ctrlKey: true }, { key: '¬', code: 'KeyL', altKey: true },
      { key: 'a' }, { key: 'l', code: 'KeyL' },
    ].map((init) => {
      const e = new KeyboardEvent('keydown', { ...init, cancelable: true, bubbles: false });
      document.getElementById('canvas').dispatchEvent(e);
      return e.defaultPrevented;
    }));
    assert.deepEqual(prevented, [true, true, true, true, false, false]);
    // F1: the keyboard shortcuts window, in Chinese, for a person to review.
    await zh.page.focus('#canvas');
    await zh.page.keyboard.press('F1');
    await zh.frames();
    const helpShot = await zh.screenshot('i18n-zh-shortcuts');
    const whole = { x: 0, y: 0, w: 1, h: 1 };
    assert.ok(await regionDifference(zh.page, zhShot, helpShot, whole) > 0.5, 'F1 opened no window');
    assert.deepEqual(zh.consoleErrors, []);
  } finally {
    await zh.close();
  }

  // The same screen in English: where the UI has text, the pixels must differ (the Chinese was really drawn).
  const en = await openApp({ locale: 'en-US' });
  try {
    await en.waitForFirstFrame();
    await waitForModels(en.page);
    await en.frames();
    assert.equal((await status(en.page)).language, 'en');
    assert.equal((await status(en.page)).sample, 'Findings');
    const enShot = await en.screenshot('i18n-en');
    for (const [name, region] of Object.entries(TEXT_REGIONS)) {
      const d = await regionDifference(en.page, zhShot, enShot, region);
      assert.ok(d > 3, `the ${name} region looks the same in Chinese and English (mean difference ${d.toFixed(2)})`);
    }
  } finally {
    await en.close();
  }
});

test('Chinese text is rasterised at the device pixel size on a HiDPI screen', async () => {
  const app = await openApp({ locale: 'zh-CN', deviceScaleFactor: 2, viewport: { width: 900, height: 600 } });
  try {
    await app.waitForFirstFrame();
    await app.frames(); // the font atlas is rebuilt for the DPR
    const s = await status(app.page);
    assert.equal(s.missingGlyphs, '');
    // The atlas is rebuilt for DPR 2: glyphs twice the size need at least twice the atlas area of DPR 1 (512x512).
    assert.ok(s.atlas[0] * s.atlas[1] >= 2 * 512 * 512, `atlas ${s.atlas.join('x')} was not built for DPR 2`);
    await app.screenshot('i18n-zh-hidpi');
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('switching language at runtime keeps the open study, speaks Chinese and is remembered', async (t) => {
  const app = await openApp({ locale: 'en-US' });
  try {
    await app.waitForFirstFrame();
    const models = await waitForModels(app.page);
    if (!models.some((m) => m.id === 'cxr-pneumonia' && m.state === 'ready'))
      return t.skip('cxr-pneumonia is not shipped in this build');
    if (!existsSync(CXR)) return t.skip('sample chest X-rays not available');
    await app.page.evaluate(() => window.dxlens.api.setActiveModel('cxr-pneumonia'));
    await app.page.setInputFiles('#dx-file-input', CXR);
    await waitForLiveRegion(app.page, /nih_cxr14_00000001_000\.png: .*population not verified.*Research use only/);
    // The findings panel's population confirmation (a PNG does not say who the patient is), remembered for the study.
    assert.equal(await app.page.evaluate(() => window.dxlens.api.confirmPopulation()), true);
    const english = await waitForLiveRegion(app.page, /population confirmed by the user.*Research use only/);
    assert.match(english, /pneumonia \d\.\d\d/);

    // Alt+L, the shortcut listed in the F1 window, with the canvas focused as a keyboard user would have it.
    await app.page.focus('#canvas');
    await app.page.keyboard.press('Alt+L');
    assert.equal(await waitForLiveRegion(app.page, /界面语言/), '界面语言：简体中文');
    assert.equal(await app.page.evaluate(() => localStorage.getItem('dxlens.language')), 'zh-Hans');
    assert.equal(await app.page.evaluate(() => document.documentElement.lang), 'zh-Hans');

    // The study is still selected: Ctrl+Enter analyzes it again, now announced in Chinese with Chinese labels.
    await app.page.keyboard.press('Control+Enter');
    const chinese = await waitForLiveRegion(app.page, /nih_cxr14_00000001_000\.png：.*仅供研究使用/);
    assert.match(chinese, /正常 \d\.\d\d/);
    assert.match(chinese, /肺炎 \d\.\d\d（(不低于|低于)阈值 \d\.\d\d）/);
    assert.match(chinese, /。模型 cxr-pneumonia，运行于 (wasm|webgpu)。/);
    await app.frames();
    const shot = await app.screenshot('i18n-zh-findings');
    const s = await pixelStats(app.page, readFileSync(shot), { centre: { x: 0.35, y: 0.3, w: 0.3, h: 0.4 } });
    assert.ok(s.centre.colours > 40, `the X-ray is no longer shown after the switch (${JSON.stringify(s.centre)})`);

    // Remembered: a new visit opens in Chinese although the browser prefers English.
    await app.page.reload();
    await app.waitForFirstFrame();
    await app.page.waitForFunction(() => window.dxlens?.api);
    assert.equal((await status(app.page)).language, 'zh-Hans');
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});
