// startup_bench.mjs — a first visit (cold cache) of the real page in Chromium: when the first ImGui frame is
// drawn, when the page's API is up and when the shipped models are ready, and what the time goes to (downloads,
// WebAssembly compile, main(), font atlas, ONNX Runtime's start, model sessions, self-tests). Two builds can be
// compared side by side in one run, alternating, each visit in a fresh browser profile (empty HTTP cache, no
// compiled-code cache, no service worker). Usage (repository root, after `cmake --build --preset wasm`):
//
//   node bench/startup_bench.mjs [--web build/web] [--before OTHER_WEB_DIR] [--rounds 7] [--no-isolation]
//
// Every figure is milliseconds from navigation start (performance.timeOrigin), median over the rounds.
// Measured the same way for any build, from outside the app's code: the first frame is when the loading overlay
// (#dx-loading) is hidden (the app hides it from its first frame), "API up" when window.dxlens is set, "models
// ready" when window.dxlens.defaultModels settles (with every default model's state checked). The breakdown comes
// from Resource Timing (downloads) and the performance marks and measures the page sets (dx:*), where the build
// sets them, plus each model's load_ms and self_test_ms from window.dxlens.api.models().
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const rounds = Number(opt('--rounds', 7));
const isolate = !args.includes('--no-isolation');
const builds = [];
if (opt('--before', null)) builds.push({ name: 'before', dir: path.resolve(opt('--before')) });
builds.push({ name: builds.length ? 'after' : 'build', dir: path.resolve(opt('--web', path.join(root, 'build/web'))) });
const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
};

// Runs in the page before any of its scripts: records the three moments without touching the app's code.
function recordStartup() {
  const t = (window.__dxStartup = { firstFrame: null, apiUp: null, modelsReady: null, modelStates: null });
  new MutationObserver(() => {
    const overlay = document.getElementById('dx-loading');
    if (t.firstFrame === null && overlay?.hidden) t.firstFrame = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['hidden'] });
  let instance;
  Object.defineProperty(window, 'dxlens', {
    configurable: true,
    get: () => instance,
    set: (v) => {
      instance = v;
      t.apiUp ??= performance.now();
      let models;
      // app.mjs hangs defaultModels on the instance (Object.assign): note when it settles.
      Object.defineProperty(v, 'defaultModels', {
        configurable: true, enumerable: true,
        get: () => models,
        set: (p) => {
          models = p;
          Promise.resolve(p).finally(() => {
            t.modelsReady = performance.now();
            t.modelStates = v.api?.models().map((m) => ({ id: m.id, state: m.state, load_ms: m.load_ms,
                                                         self_test_ms: m.self_test_ms, backend: m.backend }));
          });
        },
      });
    },
  });
}

// What the page knows afterwards: the three moments, Resource Timing of the files that matter, the dx:* marks.
function collect() {
  const name = (u) => new URL(u).pathname.slice(1); // 'dxlens.wasm', 'ort/...', 'models/ID/model.onnx'
  const resources = {};
  for (const r of performance.getEntriesByType('resource'))
    resources[name(r.name)] ??= { start: r.startTime, end: r.responseEnd, bytes: r.encodedBodySize };
  const marks = {};
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('dx:')) marks[m.name] = m.startTime;
  const measures = {};
  // A measure taken more than once (ONNX Runtime's operations) becomes its first start, the sum and the count.
  for (const m of performance.getEntriesByType('measure')) {
    if (!m.name.startsWith('dx:')) continue;
    const e = (measures[m.name] ??= { start: m.startTime, duration: 0, count: 0 });
    e.duration += m.duration;
    e.count++;
  }
  const nav = performance.getEntriesByType('navigation')[0];
  return { ...window.__dxStartup, resources, marks, measures, htmlDownloaded: nav?.responseEnd,
           domContentLoaded: nav?.domContentLoadedEventEnd };
}

// The development server (web/serve.mjs) in its own process, as `bash web/serve.sh` runs it, so that the
// benchmark's own work (driving the browser) does not slow the server down. Resolves to { url, stop }.
function serve(dir) {
  const child = spawn(process.execPath, [path.join(root, 'web/serve.mjs'), dir, '--port', '0',
                                          ...(isolate ? [] : ['--no-isolation'])], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`web/serve.mjs ${dir} exited with ${code}`)));
    child.stdout.once('data', (line) => {
      const url = /(http:\/\/\S+)/.exec(String(line))?.[1];
      if (!url) return reject(new Error(`web/serve.mjs printed no URL: ${line}`));
      resolve({ url, stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }) });
    });
  });
}

async function visit(server) {
  const { context, profile } = await launchChromium('dxlens-startup-bench-', { viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(recordStartup);
    const page = context.pages()[0] || (await context.newPage());
    await page.goto(server.url);
    await page.waitForFunction(() => window.__dxStartup?.modelStates, null, { timeout: 120_000, polling: 100 });
    return await page.evaluate(collect);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// One visit's figures as named rows (ms): the headline moments, then where the time went.
function rows(v) {
  const r = {};
  const res = (file) => v.resources[file];
  r['first frame'] = v.firstFrame;
  r['API up (window.dxlens)'] = v.apiUp;
  r['default models ready'] = v.modelsReady;
  r['models ready / of'] = v.modelStates.filter((m) => m.state === 'ready').length;
  r['  index.html downloaded'] = v.htmlDownloaded;
  r['  page scripts ready (DOMContentLoaded)'] = v.domContentLoaded;
  const pageModules = Object.entries(v.resources).filter(([k]) => /^[^/]+\.(mjs|js|css)$/.test(k));
  r['  page modules and style sheet: last downloaded'] = Math.max(...pageModules.map(([, e]) => e.end));
  for (const f of ['main.mjs', 'dxlens.js', 'dxlens.wasm', 'dxlens.data', 'ort/ort-wasm-simd-threaded.wasm']) {
    const e = res(f);
    r[`  ${f} requested`] = e?.start;
    r[`  ${f} downloaded`] = e?.end;
  }
  for (const [name, m] of Object.entries(v.measures)) {
    r[`  ${name} starts`] = m.start;
    r[`  ${name} takes${m.count > 1 ? ` (${m.count}, summed)` : ''}`] = m.duration;
  }
  for (const [name, t] of Object.entries(v.marks)) r[`  ${name}`] = t;
  const onnx = Object.entries(v.resources).filter(([k]) => k.endsWith('/model.onnx'));
  if (onnx.length) {
    r['  first model.onnx requested'] = Math.min(...onnx.map(([, e]) => e.start));
    r['  last model.onnx downloaded'] = Math.max(...onnx.map(([, e]) => e.end));
  }
  for (const m of v.modelStates) {
    r[`  ${m.id}: session (queue + create) takes`] = m.load_ms;
    r[`  ${m.id}: self-test takes`] = m.self_test_ms;
  }
  return r;
}

const servers = [];
for (const b of builds) {
  if (!fs.existsSync(path.join(b.dir, 'index.html'))) throw new Error(`${b.dir}/index.html missing: build it first`);
  b.server = await serve(b.dir);
  b.visits = [];
  servers.push(b.server);
}
try {
  for (let round = 0; round < rounds; round++) {
    // Alternating order, so a slow spell of the shared machine hits both builds alike.
    const order = round % 2 ? [...builds].reverse() : builds;
    for (const b of order) {
      const v = await visit(b.server);
      b.visits.push(rows(v));
      console.error(`round ${round + 1} ${b.name}: first frame ${v.firstFrame?.toFixed(0)} ms, API up ` +
                    `${v.apiUp?.toFixed(0)} ms, models ready ${v.modelsReady?.toFixed(0)} ms ` +
                    `(${v.modelStates.map((m) => `${m.id} ${m.state}`).join(', ')})`);
    }
  }
} finally {
  for (const s of servers) await s.stop();
}

const names = [];
for (const b of builds) for (const v of b.visits) for (const k of Object.keys(v)) if (!names.includes(k)) names.push(k);
const cell = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '');
console.log(`Cold first visit, ${isolate ? 'cross-origin isolated' : 'not isolated'}, ${rounds} rounds, medians in ms ` +
            `from navigation start (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
const header = ['', ...builds.map((b) => `${b.name} (${path.relative(root, b.dir) || b.dir})`)];
if (builds.length === 2) header.push('after / before');
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const k of names) {
  const m = builds.map((b) => median(b.visits.map((v) => v[k])));
  const cells = [k, ...m.map(cell)];
  if (builds.length === 2) cells.push(Number.isFinite(m[0]) && Number.isFinite(m[1]) && m[0] > 0 ? (m[1] / m[0]).toFixed(2) : '');
  console.log(`| ${cells.join(' | ')} |`);
}
const spread = (b, k) => b.visits.map((v) => cell(v[k])).join(' ');
for (const b of builds)
  console.log(`${b.name}: first frame per round ${spread(b, 'first frame')}; models ready ${spread(b, 'default models ready')}`);
