// dicomweb_fetch.test.mjs — web/dicomweb.mjs, the study browser's network side, in Node (its fetch is the
// browser's API) against a local archive stand-in, with a stand-in for the WASM module that records what C++
// would receive: archives.json comes from the app's own origin; the bearer token goes only to the archive whose
// auth is "bearer", only once set, and never into what C++ sees; a URL outside the archive's roots is refused
// before any request; timeouts, cancel, the byte limit and an unreachable archive each end as C++ expects.
// No browser and no WASM build needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { installDicomweb } from '../../web/dicomweb.mjs';

let server, origin;
const hits = [];

before(async () => {
  server = createServer((req, res) => {
    hits.push({ url: req.url, authorization: req.headers.authorization ?? null, accept: req.headers.accept });
    if (req.url === '/archives.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ archives: [
        { id: 'open', name: 'Open', qidoRoot: '/archive/open', wadoRoot: '/archive/open' },
        { id: 'secure', name: 'Secure', qidoRoot: '/archive/secure', wadoRoot: '/archive/secure', auth: 'bearer' }] }));
    }
    if (req.url.startsWith('/archive/secure/slow') || req.url.startsWith('/archive/open/slow')) return; // never answers
    if (req.url.startsWith('/archive/open/pieces')) { // three writes, apart in time: at least two pieces
      res.writeHead(req.url.endsWith('/missing') ? 404 : 200,
                    { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=x' });
      res.write('--x\r\n\r\nDICM-1\r\n');
      setTimeout(() => res.write('--x\r\n\r\nDICM-2\r\n'), 50);
      return setTimeout(() => res.end('--x--'), 100);
    }
    if (req.url.startsWith('/archive/open/big')) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      return res.end(Buffer.alloc(4096, 1));
    }
    res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=x' });
    res.end('--x\r\n\r\nDICM\r\n--x--');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.closeAllConnections?.() ?? server.close());

// A stand-in for the Emscripten module: a bump-allocated heap and the exports dicomweb.mjs calls.
function fakeModule() {
  const heap = new Uint8Array(1 << 20);
  let top = 8;
  const decoder = new TextDecoder(), encoder = new TextEncoder();
  const readString = (ptr) => decoder.decode(heap.subarray(ptr, heap.indexOf(0, ptr)));
  const m = {
    HEAPU8: heap, answers: [], progress: [], configured: null,
    _malloc: (n) => { const p = top; top += n + 8; return p; },
    _free: () => {},
    lengthBytesUTF8: (s) => encoder.encode(s).length,
    stringToUTF8: (s, ptr) => { const b = encoder.encode(s); heap.set(b, ptr); heap[ptr + b.length] = 0; },
    UTF8ToString: readString,
    _dx_app_archive_configure: (ptr) => { m.configured = JSON.parse(readString(ptr)); return 1; },
    _dx_app_archive_progress: (id, done, total) => m.progress.push({ id, done, total }),
    pieces: [],
    _dx_app_archive_piece: (id, ct, bytes, length) => {
      top = 8;
      m.pieces.push({ id, contentType: readString(ct), body: decoder.decode(heap.subarray(bytes, bytes + length)) });
    },
    _dx_app_archive_answer: (id, status, timedOut, tooLarge, ct, err, bytes, length) => {
      top = 8; // everything copied in for this call is free again once it returns
      m.answers.push({ id, status, timedOut: !!timedOut, tooLarge: !!tooLarge, contentType: readString(ct),
                       networkError: readString(err), body: decoder.decode(heap.subarray(bytes, bytes + length)) });
    },
  };
  return m;
}

async function answerFor(m, id) {
  for (let i = 0; i < 400; i++) {
    const a = m.answers.find((x) => x.id === id);
    if (a) return a;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no answer for request ${id}`);
}

const request = (id, archiveId, url, extra = {}) => ({ id, archiveId, method: 'GET', url, accept: 'application/dicom+json',
                                                      timeoutMs: 5000, maxBytes: 0, ...extra });

test('archives.json from the app\'s origin; the token only to the bearer archive, and only once set', async () => {
  const m = fakeModule();
  const archives = installDicomweb(m, { base: `${origin}/` });
  const ready = await archives.ready;
  assert.equal(ready.configured, true);
  assert.deepEqual(ready.archives.map((a) => [a.id, a.auth]), [['open', 'none'], ['secure', 'bearer']]);
  assert.equal(m.configured.archives.length, 2, 'C++ got the file\'s text');
  assert.throws(() => archives.setToken('open', 'abc'), /takes no token/);
  m.dxArchive.fetch(request(1, 'secure', '/archive/secure/studies'));
  assert.equal((await answerFor(m, 1)).status, 200);
  archives.setToken('secure', 's3cret-token');
  m.dxArchive.fetch(request(2, 'secure', '/archive/secure/studies'));
  m.dxArchive.fetch(request(3, 'open', '/archive/open/studies'));
  const [two, three] = [await answerFor(m, 2), await answerFor(m, 3)];
  assert.equal(two.body, '--x\r\n\r\nDICM\r\n--x--');
  assert.match(two.contentType, /boundary=x/);
  const seen = hits.filter((h) => h.url.startsWith('/archive/'));
  assert.deepEqual(seen.map((h) => h.authorization), [null, 'Bearer s3cret-token', null]);
  assert.ok(seen.every((h) => h.accept === 'application/dicom+json'));
  assert.ok(!JSON.stringify(m.answers).includes('s3cret'), 'C++ never sees the token');
  assert.equal(three.status, 200);
  archives.setToken('secure', null);
  assert.equal(archives.hasToken('secure'), false);
});

test('a URL outside the archive\'s roots is refused before any request', async () => {
  const m = fakeModule();
  await installDicomweb(m, { base: `${origin}/` }).ready;
  const before = hits.length;
  m.dxArchive.fetch(request(1, 'open', '/archive/secure/studies')); // the other archive's root
  m.dxArchive.fetch(request(2, 'open', 'http://203.0.113.9/archive/open/studies'));
  m.dxArchive.fetch(request(3, 'nope', '/archive/open/studies'));
  for (const id of [1, 2, 3]) {
    const a = await answerFor(m, id);
    assert.equal(a.status, 0);
    assert.match(a.networkError, /refused/);
  }
  assert.equal(hits.length, before, 'nothing reached any server');
});

test('timeout, cancel, the byte limit and an unreachable archive end as C++ expects', async () => {
  const m = fakeModule();
  await installDicomweb(m, { base: `${origin}/` }).ready;
  m.dxArchive.fetch(request(1, 'open', '/archive/open/slow', { timeoutMs: 1000 }));
  const timedOut = await answerFor(m, 1);
  assert.equal(timedOut.timedOut, true);
  assert.equal(timedOut.status, 0);
  m.dxArchive.fetch(request(2, 'open', '/archive/open/slow/2'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  m.dxArchive.cancel(2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(m.answers.find((a) => a.id === 2), undefined, 'a cancelled request is not answered');
  m.dxArchive.fetch(request(3, 'open', '/archive/open/big', { maxBytes: 1000 }));
  const big = await answerFor(m, 3);
  assert.equal(big.tooLarge, true);
  assert.equal(big.body, '');
  const dead = fakeModule();
  // An archive whose server is gone: no HTTP answer at all (status 0), as a CORS refusal would be.
  const closed = createServer((req, res) => res.end(JSON.stringify({ archives: [
    { id: 'gone', name: 'Gone', qidoRoot: 'http://127.0.0.1:9/dicom-web', wadoRoot: 'http://127.0.0.1:9/dicom-web' }] })));
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  await installDicomweb(dead, { base: `http://127.0.0.1:${closed.address().port}/` }).ready;
  closed.close();
  dead.dxArchive.fetch(request(1, 'gone', 'http://127.0.0.1:9/dicom-web/studies'));
  const unreachable = await answerFor(dead, 1);
  assert.equal(unreachable.status, 0);
  assert.equal(unreachable.timedOut, false);
  assert.match(unreachable.networkError, /TypeError/);
});

test('a streamed request hands its 2xx body over piece by piece, then answers with no bytes', async () => {
  const m = fakeModule();
  await installDicomweb(m, { base: `${origin}/` }).ready;
  m.dxArchive.fetch(request(1, 'open', '/archive/open/pieces', { stream: true, maxBytes: 1000 }));
  const streamed = await answerFor(m, 1);
  assert.equal(streamed.status, 200);
  assert.equal(streamed.body, '');
  const pieces = m.pieces.filter((p) => p.id === 1);
  assert.ok(pieces.length >= 2, `${pieces.length} pieces`);
  assert.equal(pieces.map((p) => p.body).join(''), '--x\r\n\r\nDICM-1\r\n--x\r\n\r\nDICM-2\r\n--x--');
  assert.match(pieces[0].contentType, /boundary=x/);
  // An error status comes whole in the answer (C++ reads why), never in pieces.
  m.dxArchive.fetch(request(2, 'open', '/archive/open/pieces/missing', { stream: true }));
  const missing = await answerFor(m, 2);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /DICM-2/);
  assert.equal(m.pieces.filter((p) => p.id === 2).length, 0);
  // Past the byte limit: abandoned (tooLarge) as an unstreamed answer would be.
  m.dxArchive.fetch(request(3, 'open', '/archive/open/pieces', { stream: true, maxBytes: 20 }));
  const big = await answerFor(m, 3);
  assert.equal(big.tooLarge, true);
});
