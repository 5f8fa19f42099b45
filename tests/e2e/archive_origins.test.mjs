// archive_origins.test.mjs — in Chromium, with archives.json naming archive X: the page may fetch X (with a bearer
// token and DICOMweb's Accept, i.e. through a CORS preflight, answered with the headers README "Hospital archives
// (DICOMweb)" lists) and its own proxied archive path, and the Content-Security-Policy blocks origin Y before any
// request leaves; the service worker lets every archive request through to the network and caches none of them.
// Runs on the shipped policy (web/index.html's meta, web/sw.js, web/serve.mjs's header) without the app build:
// the page is a probe with index.html's CSP meta, so it runs before and without the WASM build.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, ROOT } from './harness.mjs';
import { startServer } from '../../web/serve.mjs';

let app, appOrigin, archiveX, archiveY, xOrigin, yOrigin, browser, page, site;
const hits = { x: [], y: [] };

// An archive that sends the CORS headers the README asks for, and counts what reaches it.
function corsArchive(name) {
  return createServer((req, res) => {
    hits[name].push(`${req.method} ${req.url}`);
    const cors = { 'Access-Control-Allow-Origin': req.headers.origin ?? '*', Vary: 'Origin',
                   'Access-Control-Expose-Headers': 'Content-Type' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, POST',
                           'Access-Control-Allow-Headers': 'Authorization, Accept, Content-Type', 'Access-Control-Max-Age': '0' });
      return res.end();
    }
    res.writeHead(200, { ...cors, 'Content-Type': 'application/dicom+json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify([{ n: hits[name].length, authorization: req.headers.authorization ?? null }]));
  });
}
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
const close = (server) => new Promise((resolve) => (server ? server.close(resolve) : resolve()));

before(async () => {
  archiveX = corsArchive('x');
  archiveY = corsArchive('y');
  xOrigin = await listen(archiveX);
  yOrigin = await listen(archiveY);
  site = mkdtempSync(path.join(os.tmpdir(), 'dxlens-archive-csp-'));
  const meta = /<meta http-equiv="Content-Security-Policy"[^>]*>/.exec(readFileSync(path.join(ROOT, 'web/index.html'), 'utf8'))[0];
  writeFileSync(path.join(site, 'index.html'), `<!doctype html><html><head><meta charset="utf-8">${meta}<title>probe</title></head><body>probe</body></html>\n`);
  writeFileSync(path.join(site, 'sw.js'), readFileSync(path.join(ROOT, 'web/sw.js'), 'utf8')
    .replace('@DX_VERSION@', 'archive-test').replace('@DX_PRECACHE@', "['./', 'index.html']"));
  app = await startServer({
    root: site, port: 0,
    archives: { archives: [{ id: 'x', name: 'X', qidoRoot: `${xOrigin}/dicom-web`, wadoRoot: `${xOrigin}/dicom-web`, auth: 'bearer' },
                           { id: 'local', name: 'Proxied', qidoRoot: '/archive/local', wadoRoot: '/archive/local' }] },
    archiveProxies: { local: `${xOrigin}/dicom-web` },
  });
  appOrigin = `http://127.0.0.1:${app.address().port}`;
  browser = await launchChromium('dxlens-archive-csp-');
  await browser.context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
  page = browser.context.pages()[0] || (await browser.context.newPage());
  await page.goto(`${appOrigin}/`);
  // The worker installs, then controls the page after a reload.
  await page.evaluate(async () => {
    await navigator.serviceWorker.register('sw.js');
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the service worker controls the page');
});

after(async () => {
  await browser?.context.close();
  if (browser) rmSync(browser.profile, { recursive: true, force: true });
  await close(app);
  await close(archiveX);
  await close(archiveY);
  if (site) rmSync(site, { recursive: true, force: true });
});

const fetchIn = (url, headers = {}) => page.evaluate(async ({ url, headers }) => {
  try {
    const res = await fetch(url, { headers, cache: 'no-store' });
    return { status: res.status, body: await res.json() };
  } catch (err) {
    return { error: `${err.name}: ${err.message}` };
  }
}, { url, headers });

test('both policies (header and meta) name exactly the app and archive X', async () => {
  const header = (await fetch(`${appOrigin}/`)).headers.get('content-security-policy');
  const meta = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
  for (const policy of [header, meta]) assert.match(policy, new RegExp(`connect-src 'self' ${xOrigin};`));
  assert.doesNotMatch(header + meta, new RegExp(yOrigin));
});

test('the configured archive X is reachable, with a bearer token, every time from the network', async () => {
  const headers = { Authorization: 'Bearer t0ken', Accept: 'application/dicom+json' };
  const first = await fetchIn(`${xOrigin}/dicom-web/studies?PatientID=A*`, headers);
  const second = await fetchIn(`${xOrigin}/dicom-web/studies?PatientID=A*`, headers);
  assert.equal(first.status, 200, JSON.stringify(first));
  assert.equal(first.body[0].authorization, 'Bearer t0ken');
  assert.equal(second.status, 200);
  assert.ok(second.body[0].n > first.body[0].n, 'the second answer came from the archive, not a cache');
  assert.equal(hits.x.filter((h) => h.startsWith('GET /dicom-web/studies')).length, 2);
  assert.ok(hits.x.some((h) => h.startsWith('OPTIONS ')), 'the token made the browser ask first (preflight)');
});

test('the proxied archive path on the app\'s own origin is reachable and not cached', async () => {
  const before = hits.x.length;
  for (let i = 0; i < 2; i++) assert.equal((await fetchIn(`${appOrigin}/archive/local/studies`)).status, 200);
  assert.equal(hits.x.length - before, 2, 'both requests reached the archive');
});

test('another origin Y is blocked by the CSP before any request leaves', async () => {
  const blocked = await fetchIn(`${yOrigin}/dicom-web/studies`);
  assert.match(blocked.error ?? '', /TypeError/);
  const violations = await page.evaluate(() => window.__violations);
  assert.ok(violations.some((v) => v.directive === 'connect-src' && v.blocked.startsWith(yOrigin)),
            `a connect-src violation for ${yOrigin}: ${JSON.stringify(violations)}`);
  assert.ok(violations.every((v) => v.blocked.startsWith(yOrigin)), `only Y was blocked: ${JSON.stringify(violations)}`);
  assert.deepEqual(hits.y, [], 'nothing reached Y');
});

test('the service worker cached the app\'s pages and no archive answer', async () => {
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
    return urls;
  });
  assert.ok(cached.includes(`${appOrigin}/index.html`), `the precache is there: ${cached}`);
  assert.deepEqual(cached.filter((u) => u.startsWith(xOrigin) || u.includes('/archive/')), []);
});
