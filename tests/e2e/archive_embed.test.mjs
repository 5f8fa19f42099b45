// archive_embed.test.mjs — protocol 2 of web/EMBEDDING.md against the real Orthanc fixture: a portal on another
// origin has the embedded DxLens open a series by its UIDs from an archive with auth "bearer", passing a token.
// The series lands in the frame's study list; the token goes out only as that archive's Authorization header
// (never with requests for the archive configured without auth, never to anything else), and is nowhere in the
// frame's storage or console. A version 1 portal message (dxlens:analyze) is still understood.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { openApp } from './harness.mjs';
import { orthancUnavailable, startOrthanc } from '../archive/orthanc_fixture.mjs';

const unavailable = orthancUnavailable();
const TOKEN = 'portal-t0ken-5e3c7';
let orthanc, app, portal;
const archiveRequests = [];

before(async () => {
  if (unavailable) return;
  orthanc = await startOrthanc();
  const pages = {};
  portal = createServer((req, res) => {
    const body = pages[new URL(req.url, 'http://x').pathname];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise((resolve) => portal.listen(0, '127.0.0.1', resolve));
  const portalOrigin = `http://127.0.0.1:${portal.address().port}`;
  app = await openApp({
    embedConfig: { allowedOrigins: [portalOrigin] },
    archives: { archives: [
      { id: 'secure', name: 'Secure PACS', qidoRoot: '/archive/orthanc', wadoRoot: '/archive/orthanc', auth: 'bearer' },
      { id: 'plain', name: 'Plain PACS', qidoRoot: '/archive/orthanc', wadoRoot: '/archive/orthanc' },
    ] },
    archiveProxies: { orthanc: orthanc.dicomweb },
  });
  app.context.on('request', (req) => {
    if (req.url().includes('/archive/')) archiveRequests.push({ url: req.url(), authorization: req.headers().authorization ?? null });
  });
  const volume = orthanc.loaded.series['mr-volume'];
  pages['/portal.html'] = `<!doctype html><title>portal</title><div id="viewer" style="height:400px"></div>
    <script type="module">
      const { DxLens } = await import('${app.origin}/dxlens-embed.js');
      window.outcome = DxLens.embed(document.getElementById('viewer'), { src: '${app.origin}/', models: ['none'] })
        .then(async (dx) => {
          window.dx = dx;
          const opened = await dx.openStudy({ archive: 'secure', studyUid: '${volume.studyUid}',
                                              seriesUid: '${volume.seriesUid}', token: '${TOKEN}' });
          const refused = await dx.openStudy({ archive: 'plain', studyUid: '${volume.studyUid}', token: 'x' })
            .then(() => 'accepted', (e) => e.message);
          return { info: dx.info, opened, refused };
        }, (e) => ({ error: e.message }));
    </script>`;
  await app.page.goto(`${portalOrigin}/portal.html`);
});

after(async () => {
  await app?.close();
  portal?.close();
  await orthanc?.stop();
});

const frame = () => app.page.frames().find((f) => f.url().includes('/embed.html'));

test('a portal opens a series by its UIDs from a bearer archive, with its token', { skip: unavailable ?? false }, async () => {
  await app.page.waitForFunction(() => window.outcome, null, { timeout: 120_000 });
  const outcome = await app.page.evaluate(() => window.outcome);
  assert.equal(outcome.error, undefined, outcome.error);
  assert.deepEqual(outcome.info.protocols, [1, 2]);
  assert.deepEqual(outcome.info.archives.map((a) => [a.id, a.auth]), [['secure', 'bearer'], ['plain', 'none']]);
  assert.equal(outcome.opened.series.length, 1);
  assert.equal(outcome.opened.series[0].instancesOpened, 20);
  assert.equal(outcome.opened.studyIds.length, 20);
  assert.match(outcome.refused, /takes no token/);
  const studies = await frame().evaluate(() => window.dxlens.api.studies());
  assert.equal(studies.length, 20);
  assert.ok(studies.every((s) => s.status !== 'cannot open'));
});

test('the token went only to the bearer archive, and is nowhere else', { skip: unavailable ?? false }, async () => {
  // A search on the archive without auth, from inside the frame: no Authorization header.
  const found = await frame().evaluate(async () => (await window.dxlens.api.archiveSearch({ archive: 'plain' })).studies.length);
  assert.equal(found, orthanc.loaded.studies);
  const withToken = archiveRequests.filter((r) => r.authorization);
  assert.ok(withToken.length >= 2, 'the list and the retrieval carried the token');
  assert.ok(withToken.every((r) => r.authorization === `Bearer ${TOKEN}`));
  const plainSearch = archiveRequests.filter((r) => r.url.includes('/studies?'));
  assert.ok(plainSearch.length >= 1 && plainSearch.every((r) => r.authorization === null),
            `no token on the plain archive's search: ${JSON.stringify(plainSearch)}`);
  const where = await frame().evaluate(async (token) => {
    const found = [];
    const look = (name, text) => { if (text.includes(token)) found.push(name); };
    look('localStorage', JSON.stringify({ ...localStorage }));
    look('sessionStorage', JSON.stringify({ ...sessionStorage }));
    look('cookie', document.cookie);
    look('studies', JSON.stringify(window.dxlens.api.studies()));
    look('archiveStatus', JSON.stringify(window.dxlens.api.archiveStatus()));
    if (indexedDB.databases) look('indexedDB', JSON.stringify(await indexedDB.databases()));
    return found;
  }, TOKEN);
  assert.deepEqual(where, []);
  assert.ok(!app.consoleAll.some((line) => line.includes(TOKEN)), 'never logged');
  assert.ok(app.requests.every((r) => r.url.startsWith(`${app.origin}/`) || !r.url.includes('/archive/')));
});
