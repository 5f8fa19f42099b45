// archive-origins.mjs — the origins of the hospital archives a deployment names in archives.json, and the three
// places they must appear so the page may talk to exactly those archives and nothing else: the
// Content-Security-Policy header, the CSP <meta> of the HTML pages (a meta policy and a header policy are both
// enforced, so the meta must list them too), and sw.js (whose bytes must change when they change, so installed
// apps fetch the new pages instead of keeping the old policy in their offline cache).
// Node only (the dev server and the deploy step use it); the app itself reads archives.json in C++.
//
// How to use:
//   node web/archive-origins.mjs build/web     # static hosting: after editing archives.json, writes its origins
//                                              # into index.html, embed.html and sw.js there, prints the CSP header
//   import { readArchivesConfig, contentSecurityPolicy, withArchiveOrigins } from './archive-origins.mjs';
//   const { origins } = await readArchivesConfig('build/web/archives.json');   // ['https://pacs.example.org']
//   contentSecurityPolicy({ frameAncestors: [...], connectOrigins: origins })   // the header's value
//   withArchiveOrigins('index.html', text, origins)                             // the text to serve instead
//
// archives.json is { "archives": [ { "id", "name", "qidoRoot", "wadoRoot", "stowRoot"?, ... } ] } (README
// "Hospital archives (DICOMweb)"). A root is an absolute http(s) URL (its origin is allowed) or a path on the
// app's own origin such as "/archive/orthanc" behind web/serve.mjs --archive-proxy ('self' already covers it).
// Origins are written as the browser's URL.origin writes them, so the service worker compares by string.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const ARCHIVES_FILE = 'archives.json';
const ROOT_KEYS = ['qidoRoot', 'wadoRoot', 'stowRoot'];

// The origin a root reaches, '' for a path on the app's origin; throws a readable Error for anything else.
export function rootOrigin(root, where) {
  if (typeof root !== 'string' || root === '') throw new Error(`${where} must be a URL or a path starting with '/'`);
  if (root.startsWith('/')) {
    // "//host" and "/\host" are other sites to a browser, not paths.
    if (root.startsWith('//') || root.startsWith('/\\')) throw new Error(`${where} "${root}" names another site; write its https:// URL`);
    return '';
  }
  let url;
  try { url = new URL(root); } catch { throw new Error(`${where} "${root}" is neither an http(s) URL nor a path starting with '/'`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where} "${root}" must be an http(s) URL`);
  if (url.username || url.password) throw new Error(`${where} must not carry a user name or password (the browser downloads this file)`);
  return url.origin;
}

// { archives, origins }: the parsed file and the sorted, unique origins of its absolute roots.
export function archivesFromText(text, file = ARCHIVES_FILE) {
  let doc;
  try { doc = JSON.parse(text); } catch (err) { throw new Error(`${file} is not valid JSON: ${err.message}`); }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.archives)) throw new Error(`${file} must hold one JSON object with an "archives" list`);
  const origins = new Set();
  doc.archives.forEach((a, i) => {
    if (!a || typeof a !== 'object') throw new Error(`${file}: archives[${i}] must be an object`);
    for (const key of ROOT_KEYS) {
      if (a[key] === undefined && key === 'stowRoot') continue;
      const origin = rootOrigin(a[key], `${file}: archives[${i}].${key}`);
      if (origin) origins.add(origin);
    }
  });
  return { archives: doc.archives, origins: [...origins].sort() };
}

// A missing file is a deployment without archives (and builds from before archives existed).
export async function readArchivesConfig(file) {
  let text;
  try { text = await fs.readFile(file, 'utf8'); } catch (err) {
    if (err.code === 'ENOENT') return { archives: [], origins: [] };
    throw new Error(`${file}: ${err.message}`);
  }
  return archivesFromText(text, file);
}

// The policy the server sends. frame-ancestors comes from embed-config.json's allowedOrigins, connect-src's extra
// origins from archives.json; nothing else may be reached.
export function contentSecurityPolicy({ frameAncestors = [], connectOrigins = [] } = {}) {
  return [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self' blob:",
    ["connect-src 'self'", ...connectOrigins].join(' '),
    "img-src 'self' blob: data:", "style-src 'self' 'unsafe-inline'", "font-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'none'", `frame-ancestors ${["'self'", ...frameAncestors].join(' ')}`,
  ].join('; ');
}

const META_CSP = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i;
const SW_ORIGINS = /^const DX_ARCHIVE_ORIGINS = .*;$/m;

// An HTML page with its CSP meta's connect-src set to 'self' plus the origins (pages without one unchanged);
// sw.js with its DX_ARCHIVE_ORIGINS line set to them; any other file unchanged. Idempotent.
export function withArchiveOrigins(fileName, text, origins) {
  if (/\.html?$/i.test(fileName)) {
    return text.replace(META_CSP, (_, open, policy, close) => {
      const directives = policy.split(';').map((d) => d.trim()).filter(Boolean)
        .map((d) => (/^connect-src\b/.test(d) ? ["connect-src 'self'", ...origins].join(' ') : d));
      return open + directives.join('; ') + close;
    });
  }
  if (path.basename(fileName) === 'sw.js') return text.replace(SW_ORIGINS, `const DX_ARCHIVE_ORIGINS = ${JSON.stringify(origins)};`);
  return text;
}

// The deploy step for static hosting: rewrites index.html, embed.html and sw.js in DIR from DIR/archives.json.
export async function writeArchiveOrigins(dir) {
  const { origins } = await readArchivesConfig(path.join(dir, ARCHIVES_FILE));
  const changed = [];
  for (const name of ['index.html', 'embed.html', 'sw.js']) {
    const file = path.join(dir, name);
    let text;
    try { text = await fs.readFile(file, 'utf8'); } catch { continue; }
    const next = withArchiveOrigins(name, text, origins);
    if (name === 'sw.js' && !SW_ORIGINS.test(text)) throw new Error(`${file} has no DX_ARCHIVE_ORIGINS line (a build from before archives?)`);
    if (next !== text) {
      await fs.writeFile(file, next);
      changed.push(name);
    }
  }
  return { origins, changed };
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node web/archive-origins.mjs SERVED_FOLDER   (the folder holding index.html and archives.json)');
    process.exit(2);
  }
  try {
    const { origins, changed } = await writeArchiveOrigins(dir);
    console.log(`archives.json allows ${origins.length ? origins.join(' ') : 'no other origin'}; ` +
                `${changed.length ? `rewrote ${changed.join(', ')}` : 'nothing to change'}.`);
    let frameAncestors = [];
    try {
      frameAncestors = JSON.parse(await fs.readFile(path.join(dir, 'embed-config.json'), 'utf8')).allowedOrigins ?? [];
    } catch { /* no embedding allowed */ }
    console.log('Your web server\'s Content-Security-Policy header must be (frame-ancestors from embed-config.json):');
    console.log(`  ${contentSecurityPolicy({ frameAncestors, connectOrigins: origins })}`);
  } catch (err) {
    console.error(`archive-origins: ${err.message}`);
    process.exit(2);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
