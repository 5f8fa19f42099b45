// serve.mjs — static file server for developing and testing DxLens (not needed in production: any static
// host that sets the headers below will do; see README "Deploying"), and optionally a reverse proxy to a
// hospital DICOMweb archive under the app's own origin (README "Hospital archives (DICOMweb)").
//
//   node web/serve.mjs [FOLDER]            # default FOLDER: build/web, PORT env (default 8080), HOST 127.0.0.1
//   node web/serve.mjs build/web --port 0  # port 0: pick a free port; the URL is printed on the first line
//   node web/serve.mjs build/web --allow-embed http://127.0.0.1:9001   # let that origin embed the app
//   node web/serve.mjs build/web --base /tools/dxlens/                 # serve under a sub-path
//   node web/serve.mjs build/web --archive-proxy orthanc=http://127.0.0.1:8042/dicom-web
//       # /archive/orthanc/... is forwarded to http://127.0.0.1:8042/dicom-web/...; archives.json then names
//       # "/archive/orthanc" as the archive's roots (no CORS needed: the browser sees one origin)
//
// Sets what the app needs and what a careful deployment should set:
//   - COOP same-origin + COEP require-corp (+ CORP same-origin on every file) so the page is cross-origin
//     isolated and ONNX Runtime can use WASM threads;
//   - a strict Content-Security-Policy (nothing but our own origin and the archives archives.json names;
//     'wasm-unsafe-eval' for WebAssembly; frame-ancestors from embed-config.json's allowedOrigins). The same
//     archive origins are written, as the files are served, into the pages' CSP <meta> and into sw.js
//     (archive-origins.mjs says why; the files on disk are not touched);
//   - correct MIME types (application/wasm for .wasm, text/javascript for .mjs).
// Binds to loopback only. Answers GET and HEAD for files, and nothing is ever written; the archive proxy also
// passes POST (STOW-RS).
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { ARCHIVES_FILE, archivesFromText, contentSecurityPolicy, readArchivesConfig, withArchiveOrigins }
  from './archive-origins.mjs';
import { archiveProxyHandler, parseArchiveProxyArg } from './archive-proxy.mjs';

export { contentSecurityPolicy };

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.css': 'text/css; charset=utf-8', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.ttf': 'font/ttf', '.onnx': 'application/octet-stream',
  '.data': 'application/octet-stream', '.md': 'text/markdown; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream', '.dcm': 'application/dicom',
};

// The embedding allowlist: embed-config.json in the served folder, unless the caller supplies one.
async function readEmbedConfig(root, override) {
  if (override) return override;
  try {
    return JSON.parse(await fs.readFile(path.join(root, 'embed-config.json'), 'utf8'));
  } catch {
    return { allowedOrigins: [] };
  }
}

function securityHeaders(isolate, csp) {
  const h = {
    'Content-Security-Policy': csp,
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  if (isolate) {
    h['Cross-Origin-Opener-Policy'] = 'same-origin';
    h['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  return h;
}

// resolveInside: the file a URL path names, or null when it would leave the served folder.
function resolveInside(root, urlPath) {
  let decoded;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

// embedConfig: { allowedOrigins: [...] } to use instead of the folder's embed-config.json (tests, dev).
// archives: { archives: [...] } to use instead of the folder's archives.json (tests, dev); a file that does not
// parse stops the server from starting, with the reason.
// archiveProxies: { id: upstream URL } — /archive/ID/... is forwarded there (archive-proxy.mjs).
// basePath: serve the folder under a sub-path (e.g. '/tools/dxlens/'), as a portal's web server might.
export async function startServer({ root, port = 8080, host = '127.0.0.1', isolate = true, embedConfig = null,
                                    archives = null, archiveProxies = {}, archiveProxyOptions = {},
                                    basePath = '/', log = () => {} }) {
  root = path.resolve(root);
  const config = await readEmbedConfig(root, embedConfig);
  const archivesBytes = archives ? Buffer.from(JSON.stringify(archives)) : null;
  const { origins: archiveOrigins } = archivesBytes ? archivesFromText(archivesBytes.toString(), ARCHIVES_FILE)
                                                    : await readArchivesConfig(path.join(root, ARCHIVES_FILE));
  const csp = contentSecurityPolicy({ frameAncestors: config.allowedOrigins ?? [], connectOrigins: archiveOrigins });
  const configBytes = embedConfig ? Buffer.from(JSON.stringify(embedConfig)) : null;
  const proxy = archiveProxyHandler(archiveProxies, { basePath, log, ...archiveProxyOptions });
  const server = createServer(async (req, res) => {
    const headers = securityHeaders(isolate, csp);
    if (proxy(req, res, headers)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url, 'http://localhost');
    if (!url.pathname.startsWith(basePath)) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    url.pathname = '/' + url.pathname.slice(basePath.length);
    if (configBytes && url.pathname.endsWith('/embed-config.json')) {
      res.writeHead(200, { ...headers, 'Content-Type': MIME['.json'], 'Content-Length': configBytes.length });
      return res.end(req.method === 'HEAD' ? undefined : configBytes);
    }
    if (archivesBytes && url.pathname === `/${ARCHIVES_FILE}`) {
      res.writeHead(200, { ...headers, 'Content-Type': MIME['.json'], 'Content-Length': archivesBytes.length });
      return res.end(req.method === 'HEAD' ? undefined : archivesBytes);
    }
    // The embedding SDK is the one file another origin loads (as a module, which needs CORS): allowed portals only.
    if (url.pathname.endsWith('/dxlens-embed.js') && (config.allowedOrigins ?? []).includes(req.headers.origin)) {
      headers['Access-Control-Allow-Origin'] = req.headers.origin;
      headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
      headers.Vary = 'Origin';
    }
    let file = resolveInside(root, url.pathname);
    try {
      if (!file) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      let stat = await fs.stat(file);
      if (stat.isDirectory()) {
        file = path.join(file, 'index.html');
        stat = await fs.stat(file);
      }
      const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
      // The pages' CSP <meta> and sw.js carry the archive origins (archive-origins.mjs): small files, rewritten
      // in memory; the same bytes as on disk when archives.json names no other origin.
      if (archiveOrigins.length && (/\.html?$/i.test(file) || file === path.join(root, 'sw.js'))) {
        const body = Buffer.from(withArchiveOrigins(file, await fs.readFile(file, 'utf8'), archiveOrigins));
        res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
        log(`200 ${req.method} ${url.pathname}`);
        return res.end(req.method === 'HEAD' ? undefined : body);
      }
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': stat.size });
      log(`200 ${req.method} ${url.pathname}`);
      if (req.method === 'HEAD') return res.end();
      // Reads of up to 1 MiB rather than the default 64 KiB: ONNX Runtime's 14 MB WebAssembly in a few dozen turns
      // of the event loop instead of hundreds (on a busy machine most of its time on localhost), and a small file
      // in one read of its own size.
      createReadStream(file, { highWaterMark: Math.max(1, Math.min(stat.size, 1 << 20)) }).pipe(res);
    } catch {
      log(`404 ${req.method} ${url.pathname}`);
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function main() {
  const args = process.argv.slice(2);
  let root = 'build/web';
  let port = Number(process.env.PORT || 8080);
  let isolate = true;
  const allow = [];
  const archiveProxies = {};
  let basePath = '/';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--no-isolation') isolate = false;
    else if (args[i] === '--allow-embed') allow.push(args[++i]); // an origin that may embed the app (dev only)
    else if (args[i] === '--archive-proxy') {
      try {
        const [id, upstream] = parseArchiveProxyArg(args[++i] ?? '');
        archiveProxies[id] = upstream;
      } catch (err) {
        console.error(`serve: ${err.message}`);
        process.exit(2);
      }
    } else if (args[i] === '--base') basePath = args[++i].replace(/\/?$/, '/'); // serve under a sub-path
    else root = args[i];
  }
  try {
    await fs.access(path.join(root, 'index.html'));
  } catch {
    console.error(`serve: ${path.resolve(root)}/index.html not found. Build the app first (bash web/serve.sh).`);
    process.exit(2);
  }
  let server;
  try {
    server = await startServer({ root, port, isolate, basePath, embedConfig: allow.length ? { allowedOrigins: allow } : null,
                                 archiveProxies, log: process.env.DX_SERVE_LOG ? console.log : () => {} });
  } catch (err) {
    if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') {
      console.error(`serve: ${err.message}`);
      process.exit(2);
    }
    console.error(`serve: cannot listen on 127.0.0.1:${port}: ${err.message} (set PORT to use another port)`);
    process.exit(2);
  }
  console.log(`DxLens is served at http://127.0.0.1:${server.address().port}${basePath}  (Ctrl-C stops)`);
  for (const [id, upstream] of Object.entries(archiveProxies))
    console.log(`  archive "${id}": ${basePath}archive/${id}/ -> ${upstream}`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
