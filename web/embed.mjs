// embed.mjs — DxLens inside a telemedicine portal's <iframe> (embed.html). Speaks the versioned postMessage
// protocol of web/EMBEDDING.md with the host page, and only with origins the deployment allowed in
// embed-config.json: messages from any other origin are ignored and counted, replies go to the sender's
// allowed origin only (never "*"), and every message is validated before use. Messages that come before
// DxLens is ready are held by embed-intake.mjs and handled here once it is.
//
//   host -> frame  { type: "dxlens:analyze", id, name, bytes: ArrayBuffer (transferred), model, population? }
//                  { type: "dxlens:open-study", id, archive, studyUid, seriesUid?, token? }   (protocol 2)
//   frame -> host  { type: "dxlens:ready", protocol, protocols, version, models, backends, archives }
//                  { type: "dxlens:progress", id, fraction } / { type: "dxlens:result", id, result }
//                  { type: "dxlens:opened", id, studyIds, series: [...] }                      (protocol 2)
//                  { type: "dxlens:error", id, message }
// Protocol 2 adds opening a study by its UIDs from an archive that archives.json names; every protocol 1
// message is unchanged. A token for a "bearer" archive goes to dicomweb.mjs's memory and nowhere else: it is
// never logged, never counted among rejected reasons, never stored, and sent only to that archive.
import { showFatal, startApp } from './app.mjs';
import { allowedOrigins, MAX_NAME, onPortalMessage } from './embed-intake.mjs';

export const PROTOCOL_VERSION = 2;
export const PROTOCOLS = [1, 2]; // the versions this frame understands (ready.protocols)
const MAX_BYTES = 512 * 1024 * 1024; // the largest image we accept through the protocol
const MAX_ID = 128, MAX_MODEL = 128, MAX_TOKEN = 16384;
const UID = /^(?=.*[0-9])[0-9.]{1,64}$/;

const params = new URLSearchParams(window.location.search);
if (params.get('ui') === 'none') document.body.classList.add('dx-headless');

export const embedState = { rejectedMessages: 0, rejectedReasons: [], allowedOrigins: [], ready: false };
window.dxlensEmbed = embedState;

function reject(reason) {
  embedState.rejectedMessages++;
  if (embedState.rejectedReasons.length < 50) embedState.rejectedReasons.push(reason);
}

// A valid analyze request, or a string saying what is wrong with it.
function validateAnalyze(data, knownModels) {
  if (typeof data.id !== 'string' && typeof data.id !== 'number') return 'id must be a string or a number';
  if (String(data.id).length > MAX_ID) return 'id is too long';
  if (!(data.bytes instanceof ArrayBuffer)) return 'bytes must be an ArrayBuffer';
  if (data.bytes.byteLength === 0) return 'bytes is empty';
  if (data.bytes.byteLength > MAX_BYTES) return `bytes is larger than ${MAX_BYTES} bytes`;
  if (data.name !== undefined && (typeof data.name !== 'string' || data.name.length > MAX_NAME)) return 'name must be a short string';
  if (typeof data.model !== 'string' || data.model.length > MAX_MODEL) return 'model must be a model id string';
  if (data.population !== undefined && data.population !== 'in') return "population must be 'in' or left out";
  if (!knownModels.includes(data.model)) return `model '${data.model}' is not available here (available: ${knownModels.join(', ') || 'none'})`;
  return null;
}

// A valid open-study request, or a string saying what is wrong with it (never quoting the token).
function validateOpenStudy(data, archives) {
  if (typeof data.id !== 'string' && typeof data.id !== 'number') return 'id must be a string or a number';
  if (String(data.id).length > MAX_ID) return 'id is too long';
  const archive = typeof data.archive === 'string' ? archives.find((a) => a.id === data.archive) : null;
  if (!archive) return `archive must be the id of an archive in archives.json (${archives.map((a) => a.id).join(', ') || 'none configured'})`;
  if (typeof data.studyUid !== 'string' || !UID.test(data.studyUid)) return 'studyUid must be a DICOM UID';
  if (data.seriesUid !== undefined && (typeof data.seriesUid !== 'string' || !UID.test(data.seriesUid)))
    return 'seriesUid must be a DICOM UID or left out';
  if (data.token !== undefined) {
    if (typeof data.token !== 'string' || data.token.length === 0 || data.token.length > MAX_TOKEN) return 'token must be a non-empty string';
    if (archive.auth !== 'bearer') return `the archive '${archive.id}' takes no token`;
  }
  return null;
}

// Opens the study (or one series) into the study list; the answer sums up each series' retrieval.
async function openStudy(api, data, reply) {
  if (data.token !== undefined) await api.archiveSetToken(data.archive, data.token);
  await api.archiveUse(data.archive);
  const retrievals = data.seriesUid ? [await api.archiveOpenSeries(data.studyUid, data.seriesUid)]
                                    : await api.archiveOpenStudy(data.studyUid);
  const series = retrievals.map((r) => ({ seriesUid: r.seriesUid, state: r.state, instancesOpened: r.instancesOpened,
                                          instancesFailed: r.instancesFailed, framesNotLoaded: r.framesNotLoaded,
                                          message: r.message }));
  if (!series.some((r) => r.instancesOpened > 0))
    throw new Error(series.map((r) => r.message).filter(Boolean).join(' ') || 'Nothing could be opened from the archive.');
  reply({ type: 'dxlens:opened', id: data.id, studyIds: retrievals.flatMap((r) => r.studyIds), series });
}

function readyModels(api) {
  return api.models().filter((m) => m.state === 'ready').map((m) => m.id);
}

async function main() {
  const only = params.get('models') ? params.get('models').split(',').filter(Boolean) : null;
  const [app, allowed] = await Promise.all([startApp({ models: only }), allowedOrigins]);
  embedState.allowedOrigins = allowed;
  await app.defaultModels;
  const { api, platform } = app;

  onPortalMessage(async (event) => {
    if (!allowed.includes(event.origin)) return reject(`origin ${event.origin} is not allowed`);
    if (event.source !== window.parent) return reject('message not from the embedding page');
    const data = event.data;
    const reply = (message, transfer) => window.parent.postMessage(message, event.origin, transfer);
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') return reject('not a DxLens message');
    if (data.type === 'dxlens:open-study') {
      const archives = (await app.module.archives.ready).archives;
      const problem = validateOpenStudy(data, archives);
      const usableId = (typeof data.id === 'string' || typeof data.id === 'number') && String(data.id).length <= MAX_ID;
      if (problem) {
        reject(problem);
        return reply({ type: 'dxlens:error', id: usableId ? data.id : null, message: `Invalid dxlens:open-study: ${problem}.` });
      }
      reply({ type: 'dxlens:progress', id: data.id, fraction: 0 });
      try {
        await openStudy(api, data, reply);
      } catch (err) {
        reply({ type: 'dxlens:error', id: data.id, message: err.message });
      }
      return;
    }
    if (data.type !== 'dxlens:analyze') {
      reject(`unknown type ${String(data.type).slice(0, 40)}`);
      if (data.id !== undefined && String(data.id).length <= MAX_ID)
        reply({ type: 'dxlens:error', id: data.id, message: `Unknown message type '${String(data.type).slice(0, 40)}'.` });
      return;
    }
    const problem = validateAnalyze(data, readyModels(api));
    if (problem) {
      reject(problem);
      const id = (typeof data.id === 'string' || typeof data.id === 'number') && String(data.id).length <= MAX_ID ? data.id : null;
      return reply({ type: 'dxlens:error', id, message: `Invalid dxlens:analyze: ${problem}.` });
    }
    reply({ type: 'dxlens:progress', id: data.id, fraction: 0 });
    try {
      const result = await api.analyze(data.bytes, { model: data.model, name: data.name ?? 'image',
                                                     population: data.population });
      reply({ type: 'dxlens:progress', id: data.id, fraction: 1 });
      reply({ type: 'dxlens:result', id: data.id, result });
    } catch (err) {
      reply({ type: 'dxlens:error', id: data.id, message: err.message });
    }
  });

  const ready = {
    type: 'dxlens:ready',
    protocol: PROTOCOL_VERSION,
    protocols: PROTOCOLS,
    version: api.version(),
    models: api.models().filter((m) => m.state === 'ready').map((m) => ({ id: m.id, name: m.name, task: m.task,
                                                                        intended_use: m.intended_use, backend: m.backend })),
    backends: { webgpu: platform.webgpuAvailable === true, wasmThreads: platform.wasmThreads ?? 1,
                crossOriginIsolated: self.crossOriginIsolated === true },
    archives: (await app.module.archives.ready).archives,
    notice: 'Research use only - not a medical device',
  };
  embedState.ready = true;
  // postMessage drops a message whose target origin is not the parent's, so each allowed origin is tried
  // and only the real parent (if allowed) receives it; "*" is never used.
  if (window.parent !== window) for (const origin of allowed) window.parent.postMessage(ready, origin);
}

main().catch((err) => showFatal(err.message || String(err)));
