// embed.test.mjs — DxLens embedded in a telemedicine portal on another origin, through the SDK
// (web/dxlens-embed.js) and the postMessage protocol (web/EMBEDDING.md): an allowed portal analyses an image
// and gets the result; a non-allowed origin gets nothing and the frame counts what it rejected; malformed
// messages are answered with errors or ignored without breaking the frame; a portal that sends an image as soon
// as the frame has loaded, without waiting for dxlens:ready, has it held and analyzed once DxLens is ready.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureFixtures, openApp, WEB_DIR } from './harness.mjs';

// A stand-in for a portal: serves one HTML page per path, as a third party would (no DxLens headers).
async function startPortal(pages) {
  const server = createServer((req, res) => {
    const body = pages[new URL(req.url, 'http://x').pathname];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

let app, portal, stranger;

before(async () => {
  ensureFixtures();
  // Ports are known only after listening, so the portals' pages are filled in afterwards.
  const portalPages = {}, strangerPages = {};
  portal = await startPortal(portalPages);
  stranger = await startPortal(strangerPages);
  app = await openApp({ embedConfig: { allowedOrigins: [portal.origin] }, page: 'index.html' });
  const sdk = `${app.origin}/dxlens-embed.js`;
  portalPages['/portal.html'] = `<!doctype html><title>portal</title><div id="viewer" style="height:400px"></div>
    <iframe id="intruder" src="${stranger.origin}/intruder.html"></iframe>
    <script type="module">
      const { DxLens } = await import('${sdk}');
      window.embedding = DxLens.embed(document.getElementById('viewer'), { src: '${app.origin}/' })
        .then((dx) => { window.dx = dx; return dx.info; });
    </script>`;
  // A portal speaking the protocol by hand, eagerly: the image goes as soon as the frame's page has loaded,
  // while DxLens's WebAssembly and models are still on their way.
  portalPages['/eager.html'] = `<!doctype html><title>eager portal</title><script type="module">
      window.events = [];
      addEventListener('message', (e) => { if (e.origin === '${app.origin}') window.events.push(e.data); });
      const bytes = Uint8Array.from(atob(await (await fetch('/probe.b64')).text()), (c) => c.charCodeAt(0)).buffer;
      const frame = document.createElement('iframe');
      frame.src = '${app.origin}/embed.html?models=cxr-pneumonia';
      frame.addEventListener('load', () => {
        window.events.push({ type: 'sent' });
        frame.contentWindow.postMessage({ type: 'dxlens:analyze', id: 'early', name: 'probe.png', bytes,
                                          model: 'cxr-pneumonia' }, '${app.origin}', [bytes]);
      });
      document.body.appendChild(frame);
    </script>`;
  portalPages['/probe.b64'] = readFileSync(path.join(ensureFixtures(), 'probe.png')).toString('base64');
  strangerPages['/intruder.html'] = `<!doctype html><title>intruder</title><script>
      // Finds DxLens's frame next to it and tries to use it from a non-allowed origin.
      window.attack = () => {
        for (let i = 0; i < parent.frames.length; i++)
          if (parent.frames[i] !== window)
            parent.frames[i].postMessage({ type: 'dxlens:analyze', id: 'evil', name: 'x.png', bytes: new ArrayBuffer(8), model: 'x' }, '*');
        return true; };
      window.replies = []; addEventListener('message', (e) => window.replies.push(e.data));
    </script>`;
  strangerPages['/direct.html'] = `<!doctype html><title>stranger</title><div id="viewer"></div><script type="module">
      const { DxLens } = await import('${sdk}').catch((e) => ({ DxLens: null, error: e }));
      window.outcome = DxLens ? DxLens.embed(document.getElementById('viewer'), { src: '${app.origin}/', timeoutMs: 8000 })
                                  .then(() => 'embedded', (e) => 'refused: ' + e.message)
                              : Promise.resolve('sdk blocked');
    </script>`;
});

after(async () => {
  await app?.close();
  portal?.server.close();
  stranger?.server.close();
});

// Waits for the portal's module script to have started the embedding, then for DxLens to be ready.
async function embedded(page) {
  await page.waitForFunction(() => window.embedding !== undefined, null, { timeout: 60_000 });
  return page.evaluate(() => window.embedding);
}

// The DxLens frame on the portal page, or null (frames attach asynchronously after navigation: if it is not
// there yet, wait for it to navigate to DxLens).
async function dxFrame(page) {
  const isDxLens = (f) => f.url().includes('/embed.html') && !f.isDetached();
  return page.frames().find(isDxLens) ??
         page.waitForEvent('framenavigated', { predicate: isDxLens, timeout: 5_000 }).catch(() => null);
}

test('an allowed portal embeds DxLens with the SDK and analyses an image', async () => {
  const page = app.page;
  await page.goto(`${portal.origin}/portal.html`);
  const info = await embedded(page);
  assert.equal(info.type, 'dxlens:ready');
  assert.equal(info.protocol, 2);
  assert.deepEqual(info.protocols, [1, 2]); // version 1 messages (analyze) are still understood
  assert.deepEqual(info.archives, []); // the shipped archives.json names none
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.equal(info.backends.crossOriginIsolated, false, 'a non-isolated portal gets single-threaded WASM');
  const model = info.models.find((m) => m.task !== 'tabular');
  if (!model) return; // nothing to analyze images with in this build
  const png = readFileSync(path.join(ensureFixtures(), 'probe.png')).toString('base64');
  const outcome = await page.evaluate(async ({ b64, model }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const progress = [];
    window.dx.on('progress', (m) => progress.push(m.fraction));
    const result = await window.dx.analyze(new Blob([bytes]), { model, name: 'probe.png' });
    const confirmed = await window.dx.analyze(new Blob([bytes]), { model, name: 'probe.png', population: 'in' });
    return { result, progress, confirmed };
  }, { b64: png, model: model.id });
  assert.equal(outcome.result.model, model.id);
  // A PNG says nothing about the patient: unverified until the portal passes the user's confirmation.
  assert.equal(outcome.result.population.status, 'unverified');
  assert.deepEqual(outcome.confirmed.population, { status: 'in', reason: 'population confirmed by the user' });
  assert.equal(outcome.result.file, 'probe.png');
  assert.ok(outcome.result.outputs && Object.keys(outcome.result.outputs).length > 0);
  assert.deepEqual(outcome.progress, [0, 1, 0, 1]);
});

test('a non-allowed origin gets nothing and the frame counts the rejected messages', async () => {
  const page = app.page;
  const frame = await dxFrame(page);
  assert.ok(frame, 'the DxLens frame is on the portal page');
  const before = await frame.evaluate(() => window.dxlensEmbed.rejectedMessages);
  const intruder = page.frames().find((f) => f.url().includes('/intruder.html'));
  await intruder.evaluate(() => window.attack());
  // The frame counts a message from a non-allowed origin before doing anything else with it, so once it is
  // counted no reply can follow.
  await frame.waitForFunction((n) => window.dxlensEmbed.rejectedMessages > n, before, { timeout: 10_000 });
  const after = await frame.evaluate(() => window.dxlensEmbed);
  assert.equal(after.rejectedMessages, before + 1);
  assert.match(after.rejectedReasons.at(-1), /not allowed/);
  assert.deepEqual(await intruder.evaluate(() => window.replies), [], 'the intruder got no reply');
});

test('a page on a non-allowed origin cannot embed DxLens at all', async () => {
  const page = await app.context.newPage();
  try {
    await page.goto(`${stranger.origin}/direct.html`);
    const outcome = await page.evaluate(() => window.outcome);
    assert.notEqual(outcome, 'embedded');
  } finally {
    await page.close();
  }
});

test('malformed messages get an error or are ignored, and the frame keeps working', async () => {
  const page = app.page;
  await page.goto(`${portal.origin}/portal.html`);
  const info = await embedded(page);
  const frame = await dxFrame(page);
  const before = await frame.evaluate(() => window.dxlensEmbed.rejectedMessages);
  const replies = await page.evaluate(async (origin) => {
    const target = document.querySelector('#viewer iframe').contentWindow;
    const got = [];
    // Four of the six deserve an answer (they carry a usable id).
    let answered;
    const threeErrors = new Promise((resolve) => { answered = resolve; });
    const listener = (e) => {
      if (e.origin !== origin) return;
      got.push(e.data);
      if (got.filter((m) => m.type === 'dxlens:error').length === 4) answered();
    };
    addEventListener('message', listener);
    target.postMessage('just a string', origin);
    target.postMessage({ type: 'dxlens:analyze', id: 'm1', bytes: 'not bytes', model: 'x' }, origin);
    target.postMessage({ type: 'dxlens:analyze', id: 'm2', bytes: new ArrayBuffer(4), model: 'no-such-model' }, origin);
    target.postMessage({ type: 'dxlens:delete-everything', id: 'm3' }, origin);
    target.postMessage({ type: 'dxlens:analyze', id: 'm4', bytes: new ArrayBuffer(4), model: 'x', population: 'yes' }, origin);
    target.postMessage({ type: 'dxlens:analyze', id: 'x'.repeat(10000), bytes: new ArrayBuffer(4), model: 'x' }, origin);
    // Wait for those (10 s at most), then a little longer: nothing marks "no further message", and a reply to
    // the two without a usable id, or a result, would come within that time.
    await Promise.race([threeErrors, new Promise((r) => setTimeout(r, 10_000))]);
    await new Promise((r) => setTimeout(r, 300));
    removeEventListener('message', listener);
    return got;
  }, app.origin);
  const errors = Object.fromEntries(replies.filter((r) => r.type === 'dxlens:error').map((r) => [r.id, r.message]));
  assert.match(errors.m1, /bytes must be an ArrayBuffer/);
  assert.match(errors.m2, /no-such-model/);
  assert.match(errors.m3, /Unknown message type/);
  assert.match(errors.m4, /population must be 'in' or left out/);
  assert.ok(!replies.some((r) => r.type === 'dxlens:result'));
  const after = await frame.evaluate(() => window.dxlensEmbed.rejectedMessages);
  assert.equal(after - before, 6, 'every malformed message is counted');
  // Still working.
  const model = info.models.find((m) => m.task !== 'tabular');
  if (model) {
    const png = readFileSync(path.join(ensureFixtures(), 'probe.png')).toString('base64');
    const result = await page.evaluate(async ({ b64, model }) =>
      window.dx.analyze(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer, { model }), { b64: png, model: model.id });
    assert.equal(result.model, model.id);
  }
});

test('an image a portal sends before DxLens is ready is held and analyzed once it is', {
  skip: !existsSync(path.join(WEB_DIR, 'models/cxr-pneumonia/manifest.json')) && 'cxr-pneumonia is not in this build',
}, async () => {
  const page = app.page;
  await page.goto(`${portal.origin}/eager.html`);
  await page.waitForFunction(() => window.events?.some((m) => m.id === 'early' && /result|error/.test(m.type)), null,
                             { timeout: 120_000 });
  const events = await page.evaluate(() => window.events);
  const kinds = events.map((m) => (m.type === 'dxlens:progress' ? `progress ${m.fraction}` : m.type));
  // Sent before the frame said it was ready: held, not lost.
  assert.ok(kinds.indexOf('sent') < kinds.indexOf('dxlens:ready'), kinds.join(', '));
  const result = events.find((m) => m.type === 'dxlens:result');
  assert.ok(result, `no result: ${JSON.stringify(events.filter((m) => m.type === 'dxlens:error'))}`);
  assert.equal(result.result.file, 'probe.png');
  assert.equal(result.result.model, 'cxr-pneumonia');
});
