// first_xray.test.mjs — a newcomer's first chest X-ray: from a fresh browser profile, with no model chosen
// (no API call picks one), opening a frontal chest X-ray runs every shipped image model that fits it, so the
// pneumonia probability and the lung fields both appear once the user confirms, with one click, that the
// patient is in the models' intended population (a PNG does not say), and the malaria cell model, whose
// out-of-distribution check rejects a radiograph, is listed apart with the reason instead of giving a
// result. The findings panel's texts fit at 1280 x 720: nothing runs past its edge (the app measures its
// widest line, findings_overflow_px in viewerState()). Screenshots go to build/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openApp, pixelStats, ROOT, waitForModels } from './harness.mjs';

const CXR = path.join(ROOT, '../shared/data/samples/nih_cxr14_00000001_000.png');
const CT = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';

const liveText = (page) => page.evaluate(() => document.getElementById('dx-findings').textContent);
const studyNamed = (page, name) =>
  page.evaluate((n) => window.dxlens.api.studies().find((s) => s.name === n), name);

// Opens `file` and waits until every model that analyzes it has finished (the study's status is "done").
async function openAndWait(app, file) {
  const name = path.basename(file);
  await app.page.setInputFiles('#dx-file-input', file);
  return app.untilDrawn(() => studyNamed(app.page, name), (s) => s && (s.status === 'done' || s.status === 'error' ||
    (s.status === 'not analyzed' && s.models.length > 0)), `${name} analyzed by every model`, 120_000);
}

function shippedImageModels(models) {
  const ids = models.filter((m) => m.state === 'ready' && m.task !== 'tabular').map((m) => m.id);
  return ['cxr-pneumonia', 'cxr-lung-seg', 'malaria-cell'].every((id) => ids.includes(id));
}

test('a first chest X-ray shows the pneumonia probability and the lungs, and no malaria result', async (t) => {
  if (!existsSync(CXR)) return t.skip('sample chest X-rays not available');
  const app = await openApp(); // a fresh profile: nothing remembered, no model chosen
  try {
    await app.waitForFirstFrame();
    if (!shippedImageModels(await waitForModels(app.page))) return t.skip('the shipped image models are not in this build');
    const study = await openAndWait(app, CXR);
    assert.equal(study.status, 'done', JSON.stringify(study));
    const byId = Object.fromEntries(study.models.map((m) => [m.id, m]));
    // The pneumonia classifier and the lung segmentation both apply, each with its result.
    const pneumonia = byId['cxr-pneumonia'];
    assert.equal(pneumonia.listedApart, undefined, JSON.stringify(pneumonia));
    const p = pneumonia.findings.find((f) => f.label === 'pneumonia');
    assert.ok(p && p.score >= 0 && p.score <= 1 && typeof p.positive === 'boolean', JSON.stringify(pneumonia));
    const lungs = byId['cxr-lung-seg'];
    assert.equal(lungs.listedApart, undefined, JSON.stringify(lungs));
    const lung = lungs.areas.find((a) => a.name === 'lung');
    assert.ok(lung && lung.fraction > 0.1 && lung.fraction < 0.7, JSON.stringify(lungs));
    // The malaria model is listed apart, with the reason, and none of its findings is offered as a result.
    const malaria = byId['malaria-cell'];
    assert.equal(malaria.listedApart, 'out of distribution', JSON.stringify(malaria));
    assert.match(malaria.reason, /^Out of distribution: /);
    if (study.summary) assert.notEqual(study.summary.model, 'malaria-cell');
    // The models come in the findings panel's stable order (the library's), whatever order they ran in.
    const order = study.models.map((m) => m.id).filter((id) => byId[id]);
    assert.deepEqual(order, (await app.page.evaluate(() => window.dxlens.api.models()))
      .filter((m) => m.state === 'ready' && m.task !== 'tabular').map((m) => m.id));

    // A PNG says nothing about the patient: the findings wait for the one-click population confirmation, and
    // the live region says so instead of a finding.
    assert.equal(pneumonia.population.status, 'unverified', JSON.stringify(pneumonia));
    assert.equal(pneumonia.findingsHeldBack, true, JSON.stringify(pneumonia));
    const before = await liveText(app.page);
    assert.match(before, /cxr-pneumonia: population not verified: confirm in the findings panel\./);
    assert.doesNotMatch(before, /pneumonia \d\.\d\d/);
    assert.equal(study.summary, undefined, JSON.stringify(study.summary));
    // The findings panel's confirmation button (the API call does what the click does); remembered for the study.
    assert.equal(await app.page.evaluate(() => window.dxlens.api.confirmPopulation()), true);
    const confirmed = await studyNamed(app.page, path.basename(CXR));
    assert.equal(confirmed.models.find((m) => m.id === 'cxr-pneumonia').population.status, 'in');
    assert.equal(confirmed.models.find((m) => m.id === 'cxr-pneumonia').findingsHeldBack, undefined);

    // The live region's last word carries both results and names the malaria model only as listed apart.
    await app.page.waitForFunction(() => /population confirmed by the user; the findings are shown\./.test(
      document.getElementById('dx-findings').textContent), null, { timeout: 10_000 });
    const said = await liveText(app.page);
    assert.match(said, /^nih_cxr14_00000001_000\.png: /);
    assert.match(said, /pneumonia \d\.\d\d \((at or above|below) the \d\.\d\d threshold\)/);
    assert.match(said, /lung \d+\.\d\d% of the image/);
    assert.match(said, /Model cxr-pneumonia on \w+\./);
    assert.match(said, /Model cxr-lung-seg on \w+\./);
    assert.match(said, /malaria-cell is listed apart: Out of distribution/);
    assert.doesNotMatch(said, /parasitized|uninfected|Model malaria-cell/);
    assert.match(said, /Research use only/);

    // The lung mask is drawn over the radiograph: colour where a grey image has none.
    await app.frames();
    const shot = await app.screenshot('first-xray-findings');
    const s = await pixelStats(app.page, readFileSync(shot), { image: { x: 0.3, y: 0.2, w: 0.35, h: 0.6 } });
    assert.ok(s.image.colours > 200, `no overlay on the image (${JSON.stringify(s.image)})`);
    // At the harness's default window size (1280 x 800) no line of the findings panel runs past its edge.
    assert.equal((await app.page.evaluate(() => window.dxlens.api.viewerState())).findings_overflow_px, 0);
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});

test('the findings panel fits its texts at 1280 x 720: nothing runs past its edge', async (t) => {
  if (!existsSync(CXR)) return t.skip('sample chest X-rays not available');
  const app = await openApp({ viewport: { width: 1280, height: 720 } });
  try {
    await app.waitForFirstFrame();
    if (!shippedImageModels(await waitForModels(app.page))) return t.skip('the shipped image models are not in this build');
    const overflow = async () => (await app.page.evaluate(() => window.dxlens.api.viewerState())).findings_overflow_px;
    await app.frames();
    assert.equal(await overflow(), 0, 'with no image open (the risk form button, the models loading)');
    await openAndWait(app, CXR);
    await app.frames();
    await app.screenshot('findings-1280x720-xray-unconfirmed');
    assert.equal(await overflow(), 0, 'with the population confirmation button');
    await app.page.evaluate(() => window.dxlens.api.confirmPopulation());
    await app.frames();
    await app.screenshot('findings-1280x720-xray');
    assert.equal(await overflow(), 0, 'with the chest X-ray\'s findings');
    // The Models section open too (its header sits below the risk form's button, which wraps to two lines at
    // this width): the model switches, the preferred model and the models' list.
    await app.page.click('#canvas', { position: { x: 1000, y: 100 } });
    await app.frames();
    await app.screenshot('findings-1280x720-models');
    assert.equal(await overflow(), 0, 'with the Models section open');
    // And in Chinese, whose texts wrap at other places.
    await app.page.evaluate(() => window.dxlens.api.setLanguage('zh-Hans'));
    await app.frames();
    await app.screenshot('findings-1280x720-zh');
    assert.equal(await overflow(), 0, 'in Chinese');
    await app.page.evaluate(() => window.dxlens.api.setLanguage('en'));
    await app.frames();
    if (existsSync(CT)) {
      // A CT: every shipped image model is listed apart ("not made for this image"), with the reason.
      const ct = await openAndWait(app, CT);
      assert.ok(ct.models.every((m) => m.listedApart === 'not made for this image'), JSON.stringify(ct.models));
      assert.match(await liveText(app.page), /CT_small\.dcm: .*is listed apart: Not made for this image/);
      await app.frames();
      await app.screenshot('findings-1280x720-ct');
      assert.equal(await overflow(), 0, 'with the models listed apart');
    }
    assert.deepEqual(app.consoleErrors, []);
  } finally {
    await app.close();
  }
});
