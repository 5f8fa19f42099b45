// archive_proxy.test.mjs — web/serve.mjs's archive proxy against the real Orthanc test archive (no browser):
// QIDO-RS and WADO-RS answers pass through byte for byte, STOW-RS stores an instance that QIDO then finds, the
// request headers a DICOMweb client needs pass and cookies do not, status codes pass, nothing may be cached, an
// archive that is down gives a readable 502, one that hangs a 504, and a body cut upstream is cut for the client.
// Also the deployment's archive origins: the CSP header, the pages' meta and sw.js carry exactly them.
// Run: node --test tests/archive/archive_proxy.test.mjs   (CTest: native preset; skipped without Orthanc)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../web/serve.mjs';
import { archivesFromText, withArchiveOrigins, writeArchiveOrigins } from '../../web/archive-origins.mjs';
import { orthancUnavailable, startOrthanc } from './orthanc_fixture.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const FRAMES_ACCEPT = 'multipart/related; type=application/octet-stream; transfer-syntax=*';
const unavailable = orthancUnavailable();
let orthanc, app, appUrl, impatient, impatientUrl, site, fake, fakeUrl;
const fakeSeen = [];

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}
const close = (server) => new Promise((resolve) => (server ? server.close(resolve) : resolve()));
const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const boundaryOf = (type) => /boundary="?([^";]+)"?/i.exec(type)?.[1];

async function get(url, headers = {}) {
  const res = await fetch(url, { headers });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

// The same multipart answer fetched twice differs only in its random boundary: compare with it replaced.
function sameMultipart(a, b) {
  const ba = boundaryOf(a.res.headers.get('content-type')), bb = boundaryOf(b.res.headers.get('content-type'));
  assert.ok(ba && bb, 'both answers name a boundary');
  assert.equal(a.res.headers.get('content-type').replace(ba, 'B'), b.res.headers.get('content-type').replace(bb, 'B'));
  const norm = (body, boundary) => body.toString('latin1').split(boundary).join('B');
  assert.equal(sha(Buffer.from(norm(a.body, ba), 'latin1')), sha(Buffer.from(norm(b.body, bb), 'latin1')),
               'the proxied body is the archive\'s, byte for byte');
}

before(async () => {
  if (unavailable) return;
  orthanc = await startOrthanc();
  // A stand-in archive that records what reaches it and misbehaves on request.
  fake = createServer((req, res) => {
    fakeSeen.push({ method: req.method, url: req.url, headers: req.headers });
    if (req.url.startsWith('/dicom-web/hang')) return; // never answers
    if (req.url.startsWith('/dicom-web/cut')) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 100000 });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    if (req.url.startsWith('/dicom-web/private')) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="pacs"', 'Set-Cookie': 'session=archive',
                           'Content-Type': 'application/json', 'Cache-Control': 'max-age=3600' });
      return res.end('{"error":"token required"}');
    }
    let size = 0;
    req.on('data', (chunk) => { size += chunk.length; });
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"x"', 'Cache-Control': 'max-age=3600' });
      res.end(JSON.stringify({ method: req.method, size }));
    });
  });
  fakeUrl = await listen(fake);
  site = mkdtempSync(path.join(os.tmpdir(), 'dxlens-proxy-site-'));
  writeFileSync(path.join(site, 'index.html'), readFileSync(path.join(ROOT, 'web/index.html')));
  writeFileSync(path.join(site, 'sw.js'), readFileSync(path.join(ROOT, 'web/sw.js')));
  app = await startServer({
    root: site, port: 0,
    archives: { archives: [{ id: 'orthanc', name: 'Test PACS', qidoRoot: '/archive/orthanc', wadoRoot: '/archive/orthanc' },
                           { id: 'remote', name: 'Remote PACS', qidoRoot: 'https://PACS.example.org:443/dicom-web',
                             wadoRoot: 'https://pacs.example.org/dicom-web', stowRoot: 'http://127.0.0.1:8042/dicom-web' }] },
    archiveProxies: { orthanc: `${orthanc.url}/dicom-web`, fake: `${fakeUrl}/dicom-web`, down: 'http://127.0.0.1:9/dicom-web' },
  });
  appUrl = `http://127.0.0.1:${app.address().port}`;
  // Short timeouts only where a hang is the point: on a loaded machine the real archive may take seconds.
  impatient = await startServer({ root: site, port: 0, archiveProxies: { fake: `${fakeUrl}/dicom-web` },
                                  archiveProxyOptions: { headersTimeoutMs: 500, idleTimeoutMs: 2000 } });
  impatientUrl = `http://127.0.0.1:${impatient.address().port}`;
});

after(async () => {
  await close(app);
  await close(impatient);
  await close(fake);
  await orthanc?.stop();
  if (site) rmSync(site, { recursive: true, force: true });
});

test('QIDO-RS through the proxy is the archive\'s answer byte for byte, marked not cacheable', { skip: unavailable ?? false }, async () => {
  const direct = await get(`${orthanc.dicomweb}/studies?limit=100`, { Accept: 'application/dicom+json' });
  const proxied = await get(`${appUrl}/archive/orthanc/studies?limit=100`, { Accept: 'application/dicom+json' });
  assert.equal(proxied.res.status, 200);
  assert.equal(proxied.res.headers.get('content-type'), direct.res.headers.get('content-type'));
  // Byte for byte, RetrieveURL included: the proxy sends the archive its own Host, as a direct client does.
  assert.equal(sha(proxied.body), sha(direct.body));
  assert.equal(JSON.parse(proxied.body).length, orthanc.loaded.studies);
  assert.equal(proxied.res.headers.get('cache-control'), 'no-store');
  assert.match(proxied.res.headers.get('content-security-policy'), /connect-src 'self'/);
  assert.equal(proxied.res.headers.get('cross-origin-resource-policy'), 'same-origin');
});

test('WADO-RS: a whole series and single frames pass through as the same multipart bytes', { skip: unavailable ?? false }, async () => {
  const volume = orthanc.loaded.series['mr-volume'];
  const series = `studies/${volume.studyUid}/series/${volume.seriesUid}`;
  const accept = { Accept: 'multipart/related; type="application/dicom"' };
  const direct = await get(`${orthanc.dicomweb}/${series}`, accept);
  const proxied = await get(`${appUrl}/archive/orthanc/${series}`, accept);
  assert.equal(proxied.res.status, 200);
  assert.match(proxied.res.headers.get('content-type'), /^multipart\/related/);
  assert.ok(proxied.body.length > 20 * 256 * 256 * 2, `a series of 20 slices, got ${proxied.body.length} bytes`);
  sameMultipart(direct, proxied);
  for (const label of ['jpeg-ls-lossless', 'j2k', 'multiframe-jpeg-baseline']) {
    const i = orthanc.loaded.instances[label];
    const frame = `studies/${i.studyUid}/series/${i.seriesUid}/instances/${i.sopUid}/frames/1`;
    const a = await get(`${orthanc.dicomweb}/${frame}`, { Accept: FRAMES_ACCEPT });
    const b = await get(`${appUrl}/archive/orthanc/${frame}`, { Accept: FRAMES_ACCEPT });
    assert.equal(b.res.status, 200, label);
    assert.match(b.res.headers.get('content-type'), new RegExp(`transfer-syntax=${i.transferSyntax.replaceAll('.', '\\.')}`));
    sameMultipart(a, b);
  }
  // Unknown study: the archive's own answer (Orthanc: 200 with an empty list for QIDO, 404 for WADO).
  const missing = await get(`${appUrl}/archive/orthanc/studies/1.2.3.4/series/5.6.7`, accept);
  assert.equal(missing.res.status, (await get(`${orthanc.dicomweb}/studies/1.2.3.4/series/5.6.7`, accept)).res.status);
});

test('STOW-RS: a POST through the proxy stores the instance, and QIDO finds it', { skip: unavailable ?? false }, async () => {
  const file = readFileSync(`${PYDICOM}/liver_1frame.dcm`);
  const boundary = 'dxlens-stow-test-boundary';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), file,
                              Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await fetch(`${appUrl}/archive/orthanc/studies`, {
    method: 'POST', body,
    headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: 'application/dicom+json' },
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  const stored = answer['00081199']?.Value ?? [];
  assert.equal(stored.length, 1, 'one instance in ReferencedSOPSequence');
  const sop = stored[0]['00081155'].Value[0];
  const found = await (await fetch(`${appUrl}/archive/orthanc/instances?SOPInstanceUID=${sop}`)).json();
  assert.equal(found.length, 1, 'QIDO through the proxy finds the stored instance');
  // A body that is not multipart: the archive's refusal (415) reaches the client unchanged.
  const refused = await fetch(`${appUrl}/archive/orthanc/studies`, { method: 'POST', body: file,
                                                                      headers: { 'Content-Type': 'application/dicom' } });
  assert.equal(refused.status, 415);
});

test('request headers a DICOMweb client needs pass, cookies do not; status and WWW-Authenticate pass; caching is off',
     { skip: unavailable ?? false }, async () => {
  fakeSeen.length = 0;
  const res = await fetch(`${appUrl}/archive/fake/private/studies?PatientID=X*`, {
    headers: { Authorization: 'Bearer secret-token', Accept: 'application/dicom+json', Cookie: 'app-session=1',
               'X-Other': 'no' },
  });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="pacs"');
  assert.equal(res.headers.get('set-cookie'), null, 'the archive\'s cookies do not land on the app\'s origin');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(await res.text(), '{"error":"token required"}');
  const seen = fakeSeen.at(-1);
  assert.equal(seen.url, '/dicom-web/private/studies?PatientID=X*');
  assert.equal(seen.headers.authorization, 'Bearer secret-token');
  assert.equal(seen.headers.accept, 'application/dicom+json');
  assert.equal(seen.headers.cookie, undefined);
  assert.equal(seen.headers['x-other'], undefined);
  // A streamed (chunked) POST body arrives whole.
  const chunks = new ReadableStream({
    start(c) { for (let i = 0; i < 64; i++) c.enqueue(new Uint8Array(16384)); c.close(); },
  });
  const posted = await fetch(`${appUrl}/archive/fake/studies`, { method: 'POST', body: chunks, duplex: 'half',
                                                                   headers: { 'Content-Type': 'application/dicom' } });
  assert.deepEqual(await posted.json(), { method: 'POST', size: 64 * 16384 });
  assert.equal(posted.headers.get('etag'), null);
  assert.equal(posted.headers.get('cache-control'), 'no-store');
});

test('an archive that is down answers 502, one that hangs 504, a cut body stays cut; the proxy keeps serving',
     { skip: unavailable ?? false }, async () => {
  const down = await fetch(`${appUrl}/archive/down/studies`);
  assert.equal(down.status, 502);
  assert.match(await down.text(), /archive "down" \(http:\/\/127\.0\.0\.1:9\/dicom-web\) refused the connection/);
  const hang = await fetch(`${impatientUrl}/archive/fake/hang`);
  assert.equal(hang.status, 504);
  assert.match(await hang.text(), /did not answer within/);
  const cut = await fetch(`${impatientUrl}/archive/fake/cut`);
  assert.equal(cut.status, 200);
  await assert.rejects(cut.arrayBuffer(), 'a body cut by the archive must not look complete');
  assert.equal((await fetch(`${appUrl}/archive/nowhere/studies`)).status, 404);
  assert.equal((await fetch(`${appUrl}/archive/orthanc/studies`, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${appUrl}/archive/orthanc/..%2Fsystem`)).status, 400);
  assert.equal((await fetch(`${appUrl}/archive/orthanc/studies`)).status, 200, 'still serving after the failures');
});

test('the deployment\'s archive origins: exactly in the CSP header, the pages\' meta and sw.js', { skip: unavailable ?? false }, async () => {
  const want = "connect-src 'self' http://127.0.0.1:8042 https://pacs.example.org";
  const page = await fetch(`${appUrl}/`);
  assert.match(page.headers.get('content-security-policy'), new RegExp(`${want};`));
  const html = await page.text();
  assert.equal(Number(page.headers.get('content-length')), Buffer.byteLength(html));
  const meta = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)[1];
  assert.match(meta, new RegExp(`${want};`));
  assert.match(await (await fetch(`${appUrl}/sw.js`)).text(),
               /^const DX_ARCHIVE_ORIGINS = \["http:\/\/127\.0\.0\.1:8042","https:\/\/pacs\.example\.org"\];$/m);
  assert.deepEqual(await (await fetch(`${appUrl}/archives.json`)).json().then((c) => c.archives.map((a) => a.id)), ['orthanc', 'remote']);
});

test('archive-origins: parsing refuses what would reach elsewhere; the deploy step rewrites a folder', async () => {
  assert.deepEqual(archivesFromText('{"archives": []}').origins, []);
  for (const [root, why] of [['//evil.example', /another site/], ['ftp://x.example', /http\(s\)/],
                             ['https://u:p@x.example', /user name or password/], ['dicom-web', /neither/]])
    assert.throws(() => archivesFromText(JSON.stringify({ archives: [{ qidoRoot: root, wadoRoot: '/a' }] })), why, root);
  assert.throws(() => archivesFromText('[]'), /"archives" list/);
  assert.throws(() => archivesFromText('{'), /not valid JSON/);
  // Unchanged when no other origin is named (a plain deployment serves the built bytes).
  const index = readFileSync(path.join(ROOT, 'web/index.html'), 'utf8');
  assert.equal(withArchiveOrigins('index.html', index, []), index);
  const sw = readFileSync(path.join(ROOT, 'web/sw.js'), 'utf8');
  assert.equal(withArchiveOrigins('sw.js', sw, []), sw);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dxlens-deploy-'));
  try {
    for (const f of ['index.html', 'embed.html', 'sw.js']) writeFileSync(path.join(dir, f), readFileSync(path.join(ROOT, 'web', f)));
    writeFileSync(path.join(dir, 'archives.json'), JSON.stringify({ archives: [{ id: 'a', qidoRoot: 'https://a.example:8443/q', wadoRoot: '/archive/a' }] }));
    const { origins, changed } = await writeArchiveOrigins(dir);
    assert.deepEqual(origins, ['https://a.example:8443']);
    assert.deepEqual(changed.sort(), ['embed.html', 'index.html', 'sw.js']);
    for (const f of ['index.html', 'embed.html'])
      assert.match(readFileSync(path.join(dir, f), 'utf8'), /connect-src 'self' https:\/\/a\.example:8443; img-src/);
    // Run again with the archive removed: back to 'self' only, byte for byte the shipped files.
    writeFileSync(path.join(dir, 'archives.json'), '{"archives": []}');
    await writeArchiveOrigins(dir);
    for (const f of ['index.html', 'embed.html', 'sw.js'])
      assert.equal(readFileSync(path.join(dir, f), 'utf8'), readFileSync(path.join(ROOT, 'web', f), 'utf8'), f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
