// archive-proxy.mjs — web/serve.mjs's reverse proxy to a hospital DICOMweb archive, so the browser reaches the
// archive under the app's own origin (/archive/ID/...) and the archive needs no CORS headers: the setup OHIF
// recommends. Node only; any production reverse proxy (nginx, Apache, the portal's gateway) can do the same job
// (README "Hospital archives (DICOMweb)").
//
// How to use:
//   const proxy = archiveProxyHandler({ orthanc: 'http://127.0.0.1:8042/dicom-web' }, { basePath: '/' });
//   // in a request handler, before serving files:
//   if (proxy(req, res, securityHeaders)) return;   // true: the request was under /archive/ and is answered
//
// What it does, and why:
//   - streams bodies both ways (a WADO-RS series is hundreds of MB; a STOW-RS upload too): nothing is buffered;
//   - passes GET, HEAD and POST (QIDO, WADO, STOW) and nothing else, so the archive's other methods (DELETE...)
//     are not reachable through the app's origin; point the upstream at the DICOMweb root, not the server root,
//     so the archive's non-DICOMweb API is not reachable either;
//   - forwards only Accept, Accept-Encoding, Content-Type, Content-Length and Authorization (the bearer token of
//     auth "bearer"): never the app origin's cookies; answers with the archive's status code and only the headers
//     a DICOMweb client reads, plus the app's security headers and Cache-Control: no-store (patient data is
//     never kept by a browser or an intermediate cache);
//   - waits `headersTimeoutMs` for the archive's answer to begin and `idleTimeoutMs` between bytes of a body,
//     then answers 504, or cuts the body (a cut body is never passed off as a whole one);
//   - an archive that is down or unreachable gives a 502 whose text says which archive and why.
import http from 'node:http';
import https from 'node:https';

const ID = /^[A-Za-z0-9_-]+$/;
const REQUEST_HEADERS = ['accept', 'accept-encoding', 'content-type', 'content-length', 'authorization'];
const RESPONSE_HEADERS = ['content-type', 'content-length', 'content-encoding', 'www-authenticate', 'warning',
                          'retry-after'];

// Parses "ID=URL" (the --archive-proxy argument) into [id, url]; throws a readable Error.
export function parseArchiveProxyArg(arg) {
  const eq = arg.indexOf('=');
  const id = eq > 0 ? arg.slice(0, eq) : '';
  const upstream = eq > 0 ? arg.slice(eq + 1) : '';
  if (!ID.test(id)) throw new Error(`--archive-proxy "${arg}": write ID=URL, ID of letters, digits, '-' and '_'`);
  checkUpstream(id, upstream);
  return [id, upstream];
}

function checkUpstream(id, upstream) {
  let url;
  try { url = new URL(upstream); } catch { throw new Error(`archive proxy ${id}: "${upstream}" is not a URL`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`archive proxy ${id}: "${upstream}" must be http(s)`);
  if (url.search || url.hash) throw new Error(`archive proxy ${id}: "${upstream}" must not carry a query or fragment`);
  return url;
}

function plainAnswer(res, status, headers, text) {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, { ...headers, 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8',
                          'Content-Length': body.length });
  res.end(body);
}

// proxies: { id: upstream URL }. Returns handler(req, res, headers) -> true when it answered the request.
export function archiveProxyHandler(proxies = {}, { basePath = '/', headersTimeoutMs = 30_000, idleTimeoutMs = 60_000,
                                                   log = () => {} } = {}) {
  const upstreams = new Map();
  for (const [id, upstream] of Object.entries(proxies)) {
    if (!ID.test(id)) throw new Error(`archive proxy "${id}": an id is letters, digits, '-' and '_'`);
    const url = checkUpstream(id, upstream);
    upstreams.set(id, { url, base: url.href.replace(/\/$/, '') });
  }
  const prefix = `${basePath}archive/`;
  return (req, res, securityHeaders) => {
    if (upstreams.size === 0 || !req.url.startsWith(prefix)) return false;
    const rest = req.url.slice(prefix.length);
    const slash = rest.search(/[/?]|$/);
    const id = rest.slice(0, slash);
    const target = upstreams.get(id);
    const headers = { ...securityHeaders, 'Cache-Control': 'no-store' };
    if (!target) {
      plainAnswer(res, 404, headers, `No archive "${id}" is proxied here.`);
      return true;
    }
    if (!['GET', 'HEAD', 'POST'].includes(req.method)) {
      plainAnswer(res, 405, { ...headers, Allow: 'GET, HEAD, POST' }, `The archive proxy passes GET, HEAD and POST only.`);
      return true;
    }
    const tail = rest.slice(slash);
    if (tail !== '' && !tail.startsWith('/') && !tail.startsWith('?')) {
      plainAnswer(res, 404, headers, 'Not found');
      return true;
    }
    // Dot segments would walk out of the upstream's root on the archive's side.
    const pathPart = tail.split('?')[0];
    if (/(^|\/)\.\.?(\/|$)/.test(pathPart) || /%2e%2e|%2f|%5c/i.test(pathPart)) {
      plainAnswer(res, 400, headers, 'The archive path may not contain "..", "." or encoded slashes.');
      return true;
    }
    const upstreamUrl = new URL(target.base + tail);
    const forward = {};
    for (const name of REQUEST_HEADERS) if (req.headers[name] !== undefined) forward[name] = req.headers[name];
    if (req.headers['transfer-encoding'] && forward['content-length'] === undefined) forward['transfer-encoding'] = 'chunked';
    const client = upstreamUrl.protocol === 'https:' ? https : http;
    let answered = false;
    const upstreamReq = client.request(upstreamUrl, { method: req.method, headers: forward });
    const fail = (status, why) => {
      if (answered) return;
      answered = true;
      log(`${status} ${req.method} ${req.url} (${why})`);
      plainAnswer(res, status, headers, `The archive "${id}" (${target.base}) ${why}. DxLens keeps working; try again ` +
                                        `later or ask the archive's administrators.`);
    };
    const headersTimer = setTimeout(() => {
      fail(504, `did not answer within ${Math.round(headersTimeoutMs / 1000)} s`);
      upstreamReq.destroy();
    }, headersTimeoutMs);
    upstreamReq.on('response', (upstreamRes) => {
      clearTimeout(headersTimer);
      if (answered) return upstreamRes.destroy();
      answered = true;
      const out = { ...headers };
      for (const name of RESPONSE_HEADERS) if (upstreamRes.headers[name] !== undefined) out[name] = upstreamRes.headers[name];
      res.writeHead(upstreamRes.statusCode, out);
      log(`${upstreamRes.statusCode} ${req.method} ${req.url} -> ${upstreamUrl.href}`);
      upstreamRes.setTimeout(idleTimeoutMs, () => upstreamRes.destroy(new Error('idle')));
      // A body cut on the archive's side is cut here too (destroy, not end), so the client sees an incomplete
      // answer rather than a short one that looks whole.
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.on('aborted', () => res.destroy());
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', (err) => {
      clearTimeout(headersTimer);
      if (!answered) {
        const why = { ECONNREFUSED: 'refused the connection (is it running?)', ENOTFOUND: 'has a host name that does not resolve',
                      ECONNRESET: 'closed the connection', ETIMEDOUT: 'did not answer', EHOSTUNREACH: 'is unreachable' }[err.code];
        fail(502, why ?? `could not be reached (${err.code ?? err.message})`);
      } else {
        res.destroy();
      }
    });
    // The browser went away (cancel): stop the archive's work too.
    res.on('close', () => {
      clearTimeout(headersTimer);
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.on('aborted', () => upstreamReq.destroy());
    if (req.method === 'GET' || req.method === 'HEAD') {
      req.resume();
      upstreamReq.end();
    } else {
      req.pipe(upstreamReq);
    }
    return true;
  };
}
