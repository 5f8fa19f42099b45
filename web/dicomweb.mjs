// dicomweb.mjs — the network side of the study browser: fetches the DICOMweb requests C++ asks for
// (src/platform/web/archive_bridge.cpp) from the archives that archives.json names, and hands the answers back
// as they came (status, Content-Type, bytes). C++ decides what to ask and reads every answer (QIDO-RS JSON,
// multipart/related WADO-RS bodies, DICOM decoding); nothing is parsed here.
//
// How to use (app.mjs does this once the WASM module is ready):
//   const archives = installDicomweb(module);          // loads archives.json from the app's own origin
//   await archives.ready;                              // { configured, archives: [{ id, name, auth }] }
//   archives.setToken('pacs', token);                  // a portal's bearer token: memory only (null clears it)
//
// What it promises:
//   - Requests go only to the roots of the archive C++ names for them (a URL under no root of that archive is
//     refused here, whatever C++ asked), with `cache: 'no-store'`, never with cookies (`credentials: 'omit'`
//     for other origins, 'same-origin' for a proxied path on the app's own origin).
//   - Authorization: Bearer only for an archive whose auth is "bearer" and only once a token was set. The token
//     lives in this module's closure: never in localStorage/sessionStorage/IndexedDB/cookies, never logged,
//     never passed to C++, never in an export.
//   - Every request has an AbortController: C++ cancels through it, and its timeout aborts it. A body larger than
//     the limit C++ gives is abandoned (reported as tooLarge) instead of filling the WASM heap.
//   - A POST (Send results to archive, STOW-RS) carries the body and Content-Type C++ made; it goes, like every
//     request, only under the roots of its archive (stowRoot among them) and only when C++ asks, i.e. on a click.
//   - Progress (bytes so far, Content-Length when sent) goes to C++ at most every 100 ms per request.
//   - A request C++ marks `stream` hands a 2xx body over piece by piece as it arrives (_dx_app_archive_piece,
//     each copied into the heap only for that call), then answers with no bytes: C++ decodes a whole series'
//     first instances while the later ones are still coming. The byte limit counts every piece.
import { setModuleHooks } from './module-hooks.mjs';
import { wasmMemory } from './wasm-memory.mjs';

const PROGRESS_EVERY_MS = 100;

// archives.json beside index.html: its text, or '' when the deployment has none (404) or it cannot be read.
export async function loadArchivesText(base = document.baseURI) {
  try {
    const res = await fetch(new URL('archives.json', base), { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) return '';
    return await res.text();
  } catch (err) {
    console.warn(`DxLens: archives.json could not be read: ${err.message}`);
    return '';
  }
}

// The roots of each archive, as absolute URLs with a trailing '/', for the check that a request stays inside.
function archiveRoots(text, base) {
  const roots = new Map();
  let config;
  try {
    config = JSON.parse(text);
  } catch {
    return roots; // C++ reports why; with no roots nothing can be fetched
  }
  for (const a of Array.isArray(config?.archives) ? config.archives : []) {
    if (typeof a?.id !== 'string') continue;
    const list = [a.qidoRoot, a.wadoRoot, a.stowRoot ?? a.wadoRoot].filter((r) => typeof r === 'string')
      .map((r) => new URL(r.replace(/\/+$/, ''), base).href + '/');
    roots.set(a.id, { name: a.name, auth: a.auth === 'bearer' ? 'bearer' : 'none', roots: list });
  }
  return roots;
}

export function installDicomweb(module, { base = document.baseURI } = {}) {
  const memory = wasmMemory(module);
  const inFlight = new Map(); // id -> { controller, cancelled }
  const tokens = new Map();   // archive id -> bearer token (this closure only)
  let archives = new Map();

  const answer = (id, { status = 0, timedOut = false, tooLarge = false, contentType = '', networkError = '',
                        bytes = new Uint8Array(0) }) => {
    // C++ copies the bytes before this returns; the heap copy is freed right after.
    memory.call('_dx_app_archive_answer', id, status, timedOut ? 1 : 0, tooLarge ? 1 : 0, contentType, networkError,
                bytes, bytes.length);
  };

  async function run({ id, archiveId, method, url, accept, timeoutMs, maxBytes, stream = false,
                       contentType: sendType = '', body = null }) {
    const archive = archives.get(archiveId);
    let target;
    try {
      target = new URL(url, base);
    } catch {
      return answer(id, { networkError: 'not a URL' });
    }
    if (!archive || !archive.roots.some((root) => target.href.startsWith(root) || `${target.href}/` === root)) {
      // Never reached in normal use: C++ builds URLs from the same roots. A guard, not a code path to rely on.
      return answer(id, { networkError: 'refused: the URL is not under this archive\'s roots in archives.json' });
    }
    const controller = new AbortController();
    const entry = { controller, cancelled: false, timedOut: false };
    inFlight.set(id, entry);
    const timer = setTimeout(() => { entry.timedOut = true; controller.abort(); }, Math.max(1000, timeoutMs));
    const headers = { Accept: accept };
    // A STOW-RS upload (C++ made the multipart body and its type); every other request is a GET without one.
    if (body) headers['Content-Type'] = sendType;
    const token = tokens.get(archiveId);
    if (archive.auth === 'bearer' && token) headers.Authorization = `Bearer ${token}`;
    const sameOrigin = target.origin === new URL(base).origin;
    let result;
    try {
      const res = await fetch(target.href, { method, headers, cache: 'no-store', signal: controller.signal,
                                             credentials: sameOrigin ? 'same-origin' : 'omit', redirect: 'error',
                                             ...(body ? { body } : {}) });
      const contentType = res.headers.get('Content-Type') ?? '';
      const total = Number(res.headers.get('Content-Length')) || 0;
      if (maxBytes > 0 && total > maxBytes) {
        controller.abort();
        result = { status: res.status, contentType, tooLarge: true };
      } else {
        const chunks = [];
        const piecewise = stream && res.ok;
        let done = 0;
        let reported = 0;
        let tooLarge = false;
        if (res.body) {
          const reader = res.body.getReader();
          for (;;) {
            const { value, done: finished } = await reader.read();
            if (finished) break;
            done += value.length;
            if (maxBytes > 0 && done > maxBytes) {
              tooLarge = true;
              controller.abort();
              break;
            }
            if (!piecewise) chunks.push(value);
            else if (!entry.cancelled) memory.call('_dx_app_archive_piece', id, contentType, value, value.length);
            const now = performance.now();
            if (now - reported >= PROGRESS_EVERY_MS && !entry.cancelled) {
              reported = now;
              module._dx_app_archive_progress(id, done, Math.max(total, done));
            }
          }
        }
        if (tooLarge) {
          result = { status: res.status, contentType, tooLarge: true };
        } else {
          const bytes = new Uint8Array(piecewise ? 0 : done); // streamed: C++ has every piece already
          let at = 0;
          for (const c of chunks) { bytes.set(c, at); at += c.length; }
          result = { status: res.status, contentType, bytes };
        }
      }
    } catch (err) {
      // A TypeError: no answer at all (network down, name unknown, CORS refusal); JS cannot tell them apart.
      result = entry.timedOut ? { timedOut: true } : { networkError: `${err.name}: ${err.message}` };
      if (!entry.cancelled && !entry.timedOut) console.warn(`DxLens: ${method} ${target.origin}${target.pathname} got no answer: ${err.message}`);
    } finally {
      clearTimeout(timer);
      inFlight.delete(id);
    }
    if (!entry.cancelled) answer(id, result);
  }

  const fetchFor = (request) => { run(request).catch((err) => answer(request.id, { networkError: String(err) })); };
  const cancel = (id) => {
    const entry = inFlight.get(id);
    if (!entry) return;
    entry.cancelled = true; // C++ no longer waits for it: no answer is sent
    entry.controller.abort();
  };
  setModuleHooks(module, { dxArchive: { fetch: fetchFor, cancel } });

  const ready = loadArchivesText(base).then((text) => {
    archives = archiveRoots(text, base);
    const configured = memory.call('_dx_app_archive_configure', text) === 1;
    return { configured, archives: [...archives].map(([id, a]) => ({ id, name: a.name, auth: a.auth })) };
  });

  return {
    ready,
    // A bearer token for an archive whose auth is "bearer" (from the embedding portal); null or '' forgets it.
    setToken(archiveId, token) {
      const archive = archives.get(archiveId);
      if (!archive) throw new Error(`archives.json names no archive '${archiveId}'`);
      if (archive.auth !== 'bearer') throw new Error(`The archive '${archiveId}' takes no token (its auth is "none")`);
      if (token) tokens.set(archiveId, String(token));
      else tokens.delete(archiveId);
    },
    hasToken: (archiveId) => tokens.has(archiveId),
    inFlight: () => inFlight.size,
  };
}
