// dx-api.mjs — the page's JavaScript API over the C++ workstation (src/platform/web/js_api.cpp).
//
// How to use (main.mjs creates it as window.dxlens.api):
//   await api.loadModel('models/cxr-pneumonia/', { onProgress: (done, total) => ... });  // total 0: not known yet
//   const d = downloadPackage('models/cxr-pneumonia/');   // before the app is up; later api.loadModel(url, { download: d })
//   await api.loadModelFiles([{ path: 'my-model/manifest.json', bytes }, ...]);          // a picked folder
//   const result = await api.analyze(arrayBufferOrBlob, { model: 'cxr-pneumonia', name: 'cxr.png' });
//   // result.population: { status: 'in' | 'out' | 'unverified', reason }; { population: 'in' } confirms the
//   // patient is in the model's intended population (an 'unverified' result then reads 'in')
//   api.setBackend('auto' | 'webgpu' | 'wasm');   // for models opened afterwards
//   api.setActiveModel('cxr-pneumonia');          // the preferred model: analyzes first; batch/validation use it
//   api.setModelOn('malaria-cell', false);        // an image model off (or on) for the session
//   api.models();                                 // [{ key, id, state, on, bytes_done/_total, backend, ... }]
//   api.studies();                                // the study list: [{ id, name, status, models: [...], ... }]
//   api.setLanguage('zh-Hans' | 'en');            // the UI language (remembered); api.i18nStatus() its state
// The study browser over the archives archives.json names (web/dicomweb.mjs fetches, C++ reads the answers):
//   await api.archiveSearch({ patientName: 'doe', modality: 'MR', dateFrom: '20240101', page: 0 });  // results page
//   await api.archiveSeries(studyUid);            // its series (with thumbnails once { thumbnails: true })
//   await api.archiveOpenSeries(studyUid, seriesUid);   // into the study list; resolves with the retrieval
//   await api.archiveOpenStudy(studyUid);         // every series of it
//   api.archiveStatus(); api.archiveCancel(); api.archiveShow(true); await api.archiveSetToken('pacs', token);
//   await api.sendResultsToArchive();   // the selected study's SR (+ SEG) by STOW-RS to the archive it came from,
//                                       // where archives.json allows it: { state, stored, failed, message, ... }
//   api.archiveSendStatus();            // { offered, possible, why, send }: whether the command is there and why not
// Results have the same shape as `dxlens analyze` prints. Errors reject with an Error whose message a person
// can read. Package files go through Emscripten's in-memory file system, so C++ reads a picked folder and a
// downloaded package the same way; nothing is written to disk or sent anywhere.
import { setModuleHooks } from './module-hooks.mjs';
import { wasmMemory } from './wasm-memory.mjs';

export class DxApi {
  constructor(module) {
    this.m = module;
    this.memory = wasmMemory(module);
    // The names C++ gives the numbers and words its functions take, in its enums' order (js_api.cpp,
    // dx_api_enums): { reportFormats, batchQueues, batchExports, backendChoices }. batch.mjs uses them too.
    this.enums = JSON.parse(this.memory.readString(module._dx_api_enums()));
    this.pending = new Map();
    this.nextRequest = 1;
    setModuleHooks(module, { dxApiAnswer: (request, ok, json) => this.answer(request, ok, json) });
  }

  answer(request, ok, json) {
    const p = this.pending.get(request);
    if (!p) return;
    this.pending.delete(request);
    const value = JSON.parse(json);
    if (ok) p.resolve(value);
    else p.reject(new Error(value.message));
  }

  // Calls an exported C++ function whose first argument is a request id answered later.
  request(fn, ...args) {
    const id = this.nextRequest++;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.memory.call(fn, id, ...args);
    return promise;
  }

  models() {
    return this.memory.takeJson(this.m._dx_api_models());
  }

  // dicomweb.mjs's handle (app.mjs passes it): archives.json is loaded through it before any archive call.
  useArchives(archives) {
    this.archives = archives;
  }

  // Everything the study browser shows: { configured, archives, search: { state, message, studies, hasNextPage },
  // series: { studyUid, loading, rows }, retrievals: [{ id, state, instancesOpened, message, ... }], inFlight, ... }.
  archiveStatus() {
    return this.memory.takeJson(this.m._dx_app_archive_status());
  }

  // Re-reads the status after each tick until `done(status)` holds (the answers arrive from the network).
  async archiveUntil(done, timeoutMs = 120_000) {
    await this.archives?.ready;
    const start = performance.now();
    for (;;) {
      const status = this.archiveStatus();
      if (done(status)) return status;
      if (performance.now() - start > timeoutMs) throw new Error('The archive did not answer in time.');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }

  // Searches the archive (query fields: archive, patientId, patientName, dateFrom, dateTo as YYYYMMDD, modality,
  // accession, page, pageSize); resolves with { studies, hasNextPage, page, message }, rejects with the message.
  async archiveSearch(query = {}) {
    await this.archives?.ready;
    if (this.memory.call('_dx_app_archive_search', JSON.stringify(query)) !== 1) {
      const s = this.archiveStatus();
      throw new Error(s.search.message || s.configMessage || 'archives.json names no archive.');
    }
    const s = await this.archiveUntil((st) => st.search.state !== 'searching');
    if (s.search.state === 'failed') throw new Error(s.search.message);
    return s.search;
  }

  // Lists a found study's series (by its UID in the current results); with thumbnails: true, waits for them too.
  async archiveSeries(studyUid, { thumbnails = false } = {}) {
    const index = this.archiveStatus().search.studies.findIndex((st) => st.studyUid === studyUid);
    if (index < 0) throw new Error(`The study ${studyUid} is not among the search results.`);
    this.m._dx_app_archive_select(index);
    const s = await this.archiveUntil((st) => !st.series.loading &&
      (!thumbnails || st.series.rows.every((r) => r.thumbnail.state !== 'loading')));
    return s.series;
  }

  // Retrieves a series into the study list (each instance becomes an opened DICOM file); resolves with the
  // retrieval ({ state: 'done', instancesOpened, framesNotLoaded, studyIds, message, ... }), rejects with its message.
  async archiveOpenSeries(studyUid, seriesUid) {
    await this.archives?.ready;
    const id = this.memory.call('_dx_app_archive_open_series', String(studyUid), String(seriesUid));
    if (!id) throw new Error(this.archiveStatus().message);
    const s = await this.archiveUntil((st) => ['done', 'failed', 'cancelled']
      .includes(st.retrievals.find((r) => r.id === id)?.state));
    const r = s.retrievals.find((x) => x.id === id);
    if (r.state !== 'done') throw new Error(r.message);
    return r;
  }

  // Every series of a study; resolves with the retrievals once nothing is under way any more.
  async archiveOpenStudy(studyUid) {
    await this.archives?.ready;
    if (this.memory.call('_dx_app_archive_open_study', String(studyUid)) === 0) throw new Error(this.archiveStatus().message);
    const s = await this.archiveUntil((st) => !st.busy);
    return s.retrievals.filter((r) => r.studyUid === studyUid);
  }

  // Which archive (its id in archives.json) the next searches and openings use.
  async archiveUse(archiveId) {
    await this.archives?.ready;
    if (this.memory.call('_dx_app_archive_use', String(archiveId)) !== 1)
      throw new Error(`archives.json names no archive '${archiveId}'.`);
  }

  archiveCancel() {
    this.m._dx_app_archive_cancel();
  }

  // Opens (or closes) the Open from archive window; it opens only when archives.json names an archive.
  archiveShow(visible = true) {
    this.m._dx_app_archive_show(visible ? 1 : 0);
  }

  // Send results to archive for the selected study: { offered, possible, why, send } where send is the latest
  // (or, with an id, that) upload: { id, state: 'sending'|'done'|'failed', archive, studyUid, files, httpStatus,
  // stored: [{ sopClassUid, sopInstanceUid, retrieveUrl, warningReason, reason }], failed: [...], message }.
  archiveSendStatus(id = 0) {
    return this.memory.takeJson(this.m._dx_app_archive_send_status(id));
  }

  // The findings panel's "Send results to archive" (a DICOM SR per model, a SEG per segmentation, STOW-RS to the
  // archive the selected study was opened from). Offered only where archives.json says "stowAllowed": true;
  // rejects with the reason when nothing was sent; resolves with the upload once the archive answered, whatever
  // it answered (state 'failed' with the archive's reasons or the HTTP error in words in `message`).
  async sendResultsToArchive({ timeoutMs = 180_000 } = {}) {
    await this.archives?.ready;
    const now = this.archiveSendStatus();
    if (!now.possible) throw new Error(now.why || 'There is nothing to send.');
    const id = this.m._dx_app_archive_send();
    if (!id) throw new Error(this.archiveSendStatus().why || 'Nothing was sent.');
    const start = performance.now();
    for (;;) {
      const { send } = this.archiveSendStatus(id);
      if (send && send.state !== 'sending') return send;
      if (performance.now() - start > timeoutMs) throw new Error('The archive did not answer in time.');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // The portal's bearer token for an archive whose auth is "bearer": kept in dicomweb.mjs's memory only.
  async archiveSetToken(archiveId, token) {
    if (!this.archives) throw new Error('This page reaches no archive.');
    await this.archives.ready;
    this.archives.setToken(archiveId, token);
  }

  version() {
    return this.memory.readString(this.m._dx_api_version());
  }

  // The UI language, as the Language menu sets it (remembered for the next visit): 'en' or 'zh-Hans' (zh-CN too).
  setLanguage(tag) {
    this.memory.call('_dx_app_set_language', String(tag));
  }

  // { language, uiCharacters, missingGlyphs, cjkFontLoaded, atlas: [w, h], sample }: the font's coverage of
  // every character the UI can draw (missingGlyphs '' when all render).
  i18nStatus() {
    return this.memory.takeJson(this.m._dx_app_i18n_status());
  }

  // The preferred image model: opened images are analyzed by every image model that is on and fits them, this
  // one first; batch screening and validation use this one alone.
  setActiveModel(id) {
    this.memory.call('_dx_app_set_active_model', String(id));
  }

  // Turns an image model off (or on again) for this session, as the findings panel's checkboxes do.
  setModelOn(id, on) {
    this.memory.call('_dx_app_set_model_on', String(id), on ? 1 : 0);
  }

  // "Show where the model looked" in that model's section of the findings panel for the selected study (no
  // model: the preferred one, or else the first classifier with a result); false if nothing to explain.
  explainSelected(model = '') {
    return this.memory.call('_dx_app_explain_selected', String(model)) === 1;
  }

  // The findings panel's one-click confirmation that the selected study's patient is in the models' intended
  // population (remembered for the study; held-back findings are then shown). false if no study is selected.
  confirmPopulation() {
    return this.m._dx_app_confirm_population() === 1;
  }

  // File > Export report for the selected study; the browser downloads it. false if there is nothing to export.
  exportReport(format) {
    const formats = this.enums.reportFormats;
    const index = formats.indexOf(format);
    if (index < 0) throw new Error(`Unknown report format '${format}' (${formats.join(', ')})`);
    return this.m._dx_app_export_report(index) === 1;
  }

  // What the viewport shows now: { slice, slices, frame, window: { center, width, name }, zoom, ruler?, patient, ... }.
  viewerState() {
    return JSON.parse(this.memory.readString(this.m._dx_app_viewer_state()));
  }

  // The studies the workstation has open and what the image models made of each, as the study list shows it:
  // [{ id, name, model (the preferred one), status: 'queued' | 'analyzing' | 'done' | 'error' | 'not analyzed' |
  //    'cannot open' (all models together: analyzing while any runs, done once all have finished), ahead (the
  //    fewest analyses before a queued one), waitingForModel (queued before any model was ready), message,
  //    summary: { model, label, score } (the most important positive finding),
  //    models: [{ id, name, status, ahead?, message?, listedApart?: 'not made for this image' |
  //              'out of distribution' | 'outside the intended population', reason?,
  //              population?: { status: 'in' | 'out' | 'unverified', reason } (once analyzed),
  //              findingsHeldBack?: true (population unverified: findings after confirmPopulation()),
  //              findings?: [{ label, score, threshold?, positive? }],
  //              areas?: [{ name, fraction }] }] (every image model that is on, in the findings panel's order) }].
  studies() {
    return this.memory.takeJson(this.m._dx_app_studies());
  }

  setBackend(choice) {
    if (!this.enums.backendChoices.includes(choice)) throw new Error(`Unknown backend '${choice}'`);
    this.memory.call('_dx_api_set_backend', choice);
  }

  // `download`: a downloadPackage() started earlier (app.mjs starts the shipped models' downloads before the
  // WebAssembly app is up); `openAfter`: a Promise to wait for between the download and opening the session
  // (the backends are known). The slot shows the download's progress from the moment it is registered here.
  async loadModel(baseUrl, { onProgress, download = downloadPackage(baseUrl), openAfter = null } = {}) {
    const key = this.memory.call('_dx_api_begin_model', download.base.pathname);
    const report = (done, total) => {
      this.m._dx_api_model_progress(key, done, total);
      onProgress?.(done, total);
    };
    if (download.done > 0) report(download.done, download.total);
    download.listeners.add(report);
    try {
      const files = await download.files;
      download.listeners.delete(report);
      await openAfter;
      return await this.openPackage(key, files);
    } catch (err) {
      download.listeners.delete(report);
      this.memory.call('_dx_api_model_failed', key, err.message);
      throw err;
    }
  }

  // files: [{ path, bytes }] or File objects (webkitRelativePath or name) that a user picked together.
  async loadModelFiles(files) {
    const entries = await Promise.all(Array.from(files).map(async (f) => ({
      path: f.path ?? (f.webkitRelativePath || f.name),
      bytes: f.bytes ? new Uint8Array(f.bytes) : new Uint8Array(await f.arrayBuffer()),
    })));
    const manifest = entries.find((e) => e.path === 'manifest.json' || e.path.endsWith('/manifest.json'));
    const source = manifest ? manifest.path.replace(/manifest\.json$/, '') || 'picked files' : 'picked files';
    const key = this.memory.call('_dx_api_begin_model', `picked: ${source}`);
    if (!manifest) {
      const message = 'The picked files contain no manifest.json: pick the model package folder ' +
                      '(manifest.json, the .onnx file it names and reference/).';
      this.memory.call('_dx_api_model_failed', key, message);
      throw new Error(message);
    }
    const prefix = manifest.path.slice(0, manifest.path.length - 'manifest.json'.length);
    const inPackage = entries.filter((e) => e.path.startsWith(prefix))
                             .map((e) => ({ path: e.path.slice(prefix.length), bytes: e.bytes }));
    return this.openPackage(key, inPackage);
  }

  async openPackage(key, files) {
    const folder = `/packages/${key}`;
    const FS = this.m.FS;
    for (const f of files) {
      if (f.path.split('/').includes('..')) continue; // never outside the package folder
      const file = `${folder}/${f.path}`;
      FS.mkdirTree(file.slice(0, file.lastIndexOf('/')));
      FS.writeFile(file, f.bytes);
    }
    try {
      return await this.request('_dx_api_open_model', key, folder);
    } finally {
      removeTree(FS, folder); // C++ keeps what it needs; the copies would only double memory use
    }
  }

  async analyze(input, { model, name = 'image', population } = {}) {
    if (population !== undefined && population !== 'in')
      throw new Error(`population must be 'in' (the patient is in the model's intended population) or left out, not '${population}'`);
    const bytes = input instanceof Uint8Array ? input
                : input instanceof ArrayBuffer ? new Uint8Array(input)
                : new Uint8Array(await input.arrayBuffer());
    // The copy in the heap lasts for the call only: C++ copies the bytes before returning; the answer comes later.
    return this.request('_dx_api_analyze', String(model), name, bytes, bytes.length, population === 'in' ? 1 : 0);
  }
}

// Downloads a model package (manifest.json and the files it names) with the page's fetch: usable before the
// WebAssembly app exists. `files`: the paths the manifest is expected to name (models/index.json lists them for
// the shipped packages), fetched alongside the manifest instead of after it; whatever the manifest names is what
// the package is made of. Returns { base, files: Promise<[{ path, bytes }]>, done, total, listeners }, where
// listeners (a Set of (done, total) => void) hear the progress; total is 0 until every file has answered (its
// size comes with the response), rather than the sum of the small files that answered first.
export function downloadPackage(baseUrl, { files = [] } = {}) {
  const base = new URL(baseUrl, document.baseURI);
  const download = { base, done: 0, total: 0, listeners: new Set() };
  const fetches = new Map(); // path -> { bytes: Promise<Uint8Array>, done, total, answered }
  let expected = files;
  const report = () => {
    const list = expected.map((p) => fetches.get(p));
    download.done = list.reduce((sum, f) => sum + (f?.done ?? 0), 0);
    download.total = list.every((f) => f?.answered) ? list.reduce((sum, f) => sum + f.total, 0) : 0;
    for (const listener of download.listeners) listener(download.done, download.total);
  };
  const start = (p) => {
    if (!fetches.has(p)) {
      const f = { done: 0, total: 0, answered: false };
      f.bytes = fetchBytes(new URL(p, base), (done, total) => {
        Object.assign(f, { done, total, answered: true });
        report();
      });
      f.bytes.catch(() => {}); // a file the manifest turns out not to name may fail unnoticed; named ones are awaited
      fetches.set(p, f);
    }
    return fetches.get(p).bytes;
  };
  files.forEach(start);
  download.files = (async () => {
    const manifestBytes = await fetchBytes(new URL('manifest.json', base));
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
    expected = packageFilePaths(manifest);
    const bodies = await Promise.all(expected.map(start));
    return [{ path: 'manifest.json', bytes: manifestBytes }, ...expected.map((p, i) => ({ path: p, bytes: bodies[i] }))];
  })();
  download.files.catch(() => {}); // loadModel reports a failure; until it takes over, it is not unhandled
  return download;
}

async function fetchBytes(url, onProgress) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('Content-Length')) || 0;
  if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks = [];
  let done = 0;
  onProgress(0, total);
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    chunks.push(value);
    done += value.length;
    onProgress(done, Math.max(total, done));
  }
  const out = new Uint8Array(done);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

// The files a manifest names besides itself: the model and, when present, its reference input and outputs.
function packageFilePaths(manifest) {
  const paths = [manifest.file];
  if (manifest.reference?.input) paths.push(manifest.reference.input);
  if (manifest.reference?.outputs) paths.push(manifest.reference.outputs);
  return paths.filter((p) => typeof p === 'string' && p.length > 0);
}

function removeTree(FS, path) {
  let stat;
  try { stat = FS.stat(path); } catch { return; }
  if (FS.isDir(stat.mode)) {
    for (const name of FS.readdir(path)) if (name !== '.' && name !== '..') removeTree(FS, `${path}/${name}`);
    FS.rmdir(path);
  } else {
    FS.unlink(path);
  }
}
