// dxlens-embed.js — the SDK a telemedicine portal imports to embed DxLens (ES module, no dependencies).
//
//   import { DxLens } from 'https://dxlens.example/dxlens-embed.js';
//   const dx = await DxLens.embed(document.getElementById('viewer'), { src: 'https://dxlens.example/' });
//   dx.on('progress', ({ id, fraction }) => ...);
//   const result = await dx.analyze(fileOrBlobOrArrayBuffer, { model: 'cxr-pneumonia' });
//   const opened = await dx.openStudy({ archive: 'pacs', studyUid, seriesUid, token });   // protocol 2
//   dx.destroy();
//
// Options: src (where DxLens is deployed; default: this module's folder), models (ids to open; default all
// shipped), ui ('compact' shows DxLens in the frame, 'none' keeps it headless), timeoutMs (for start-up).
// The portal's origin must be listed in the deployment's embed-config.json. Images go to the frame by
// postMessage (the bytes are transferred, not copied) and are analyzed inside the browser; nothing is sent
// to any server. Results have the shape `dxlens analyze` prints. Protocol: EMBEDDING.md.
// openStudy asks the frame to open a study (or one series) from an archive the DxLens deployment names in
// archives.json; the frame fetches it from that archive, with the portal's bearer token when the archive wants
// one (kept in the frame's memory only, sent only to that archive).
const PROTOCOL_VERSION = 2;

class DxLensFrame {
  constructor(iframe, origin) {
    this.iframe = iframe;
    this.origin = origin;
    this.listeners = { progress: [], result: [], opened: [], error: [], ready: [] };
    this.pending = new Map();
    this.nextId = 1;
    this.info = null;
    this.onMessage = (event) => this.receive(event);
    window.addEventListener('message', this.onMessage);
  }

  // Only messages from our own frame, from the origin we loaded it from, count.
  receive(event) {
    if (event.source !== this.iframe.contentWindow || event.origin !== this.origin) return;
    const m = event.data;
    if (!m || typeof m.type !== 'string' || !m.type.startsWith('dxlens:')) return;
    const kind = m.type.slice('dxlens:'.length);
    if (kind === 'ready') this.info = m;
    (this.listeners[kind] ?? []).forEach((fn) => fn(m));
    const p = this.pending.get(m.id);
    if (!p) return;
    if (kind === 'result') {
      this.pending.delete(m.id);
      p.resolve(m.result);
    } else if (kind === 'opened') {
      this.pending.delete(m.id);
      p.resolve({ studyIds: m.studyIds, series: m.series });
    } else if (kind === 'error') {
      this.pending.delete(m.id);
      p.reject(new Error(m.message));
    }
  }

  on(event, fn) {
    if (!this.listeners[event]) throw new Error(`Unknown DxLens event '${event}' (progress, result, opened, error, ready)`);
    this.listeners[event].push(fn);
    return () => { this.listeners[event] = this.listeners[event].filter((f) => f !== fn); };
  }

  async analyze(input, { model, name, population } = {}) {
    if (!this.iframe) throw new Error('This DxLens frame was destroyed.');
    const bytes = input instanceof ArrayBuffer ? input
                : ArrayBuffer.isView(input) ? input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength)
                : await input.arrayBuffer();
    const id = `dx-${this.nextId++}`;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.iframe.contentWindow.postMessage(
      { type: 'dxlens:analyze', id, name: name ?? input.name ?? 'image', bytes, model: model ?? this.info?.models?.[0]?.id,
        ...(population === undefined ? {} : { population }) },
      this.origin, [bytes]);
    return promise;
  }

  // Opens a study (all its series, or only seriesUid) from the archive `archive` (its id in the deployment's
  // archives.json) into DxLens's study list; resolves with { studyIds, series: [{ seriesUid, state,
  // instancesOpened, framesNotLoaded, message }] }. `token`: the bearer token for that archive, if it wants one.
  async openStudy({ archive, studyUid, seriesUid, token } = {}) {
    if (!this.iframe) throw new Error('This DxLens frame was destroyed.');
    if (!(this.info?.protocols ?? [this.info?.protocol]).includes(2))
      throw new Error('This DxLens deployment cannot open studies from an archive (protocol 2).');
    const id = `dx-${this.nextId++}`;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.iframe.contentWindow.postMessage(
      { type: 'dxlens:open-study', id, archive, studyUid, ...(seriesUid ? { seriesUid } : {}), ...(token ? { token } : {}) },
      this.origin);
    return promise;
  }

  destroy() {
    window.removeEventListener('message', this.onMessage);
    for (const p of this.pending.values()) p.reject(new Error('The DxLens frame was destroyed.'));
    this.pending.clear();
    this.iframe?.remove();
    this.iframe = null;
  }
}

export const DxLens = {
  async embed(element, { src = new URL('./', import.meta.url).href, models = null, ui = 'compact', timeoutMs = 120_000 } = {}) {
    const base = new URL(src, document.baseURI);
    const url = new URL('embed.html', base);
    if (ui === 'none') url.searchParams.set('ui', 'none');
    if (models) url.searchParams.set('models', models.join(','));
    const iframe = document.createElement('iframe');
    iframe.src = url.href;
    iframe.title = 'DxLens (research use only, not a medical device)';
    iframe.allow = 'cross-origin-isolated';
    iframe.style.border = '0';
    iframe.style.width = '100%';
    iframe.style.height = ui === 'none' ? '0' : '100%';
    const frame = new DxLensFrame(iframe, url.origin);
    const ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `DxLens did not start within ${timeoutMs / 1000} s. Is ${location.origin} listed in the deployment's embed-config.json?`)),
        timeoutMs);
      frame.on('ready', (m) => {
        clearTimeout(timer);
        // A frame lists the versions it understands (protocols, from 2 on); a version 1 frame only `protocol`.
        const understood = Array.isArray(m.protocols) ? m.protocols : [m.protocol];
        if (!understood.includes(1)) reject(new Error(`DxLens speaks protocol ${m.protocol}, this SDK ${PROTOCOL_VERSION}`));
        else resolve();
      });
    });
    element.appendChild(iframe);
    try {
      await ready;
    } catch (err) {
      frame.destroy();
      throw err;
    }
    return frame;
  },
};
