// idle_bench.mjs — what the open workstation costs the browser's main thread, idle and busy, measured side by
// side in one run: the real page in Debian's Chromium (headless, software WebGL as in the tests), a chest X-ray
// opened and analyzed with the shipped models, then interleaved rounds of
//   idle         nobody touches the page, nothing runs
//   dragging     synthetic input: panning the image with the mouse and zooming it with the wheel, non-stop
//   analyzing    the X-ray analyzed again and again through window.dxlens.api.analyze (analyses / s printed too)
// each `--seconds` long. Per phase it prints the main thread's task time as a share of one core (Chrome DevTools
// Protocol Performance.getMetrics, TaskDuration delta / wall time) and the UI frames drawn per second (ImGui's
// frame counter; for idle read 1.5 s before the phase starts: reading it wakes the loop once, so idle shows those
// few frames, drawn before the task time is measured), as medians over the rounds, and the busy / idle ratios.
// Each round opens a fresh browser, waits for the shipped models and analyzes the X-ray once first. Usage (repository root, after the wasm build):
//
//   node bench/idle_bench.mjs [--seconds 5] [--rounds 3] [--web build/web] [--compare OTHER_WEB_DIR]
//
// --compare: another build's web folder (one from before the loop slept, say), measured in the same rounds,
// alternating with --web (a fresh browser for each, one at a time), so that the machine's load hits both alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../web/serve.mjs';
import { launchChromium, waitForModels } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const seconds = Number(opt('--seconds', 5));
const rounds = Number(opt('--rounds', 3));
const webDir = path.resolve(opt('--web', path.join(root, 'build/web')));
const compareDir = args.includes('--compare') ? path.resolve(opt('--compare')) : null;
const xray = path.join(root, '../shared/data/samples/nih_cxr14_00000001_000.png'); // a 512 x 512 chest X-ray
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One round in a fresh browser on `dir`: each phase once; returns { phase: { load, fps, analyses } } and the model.
async function measureRound(dir) {
  const server = await startServer({ root: dir, port: 0, isolate: true });
  const { context, profile } = await launchChromium('dxlens-idle-bench-', { viewport: { width: 1280, height: 800 } });
  try {
    const page = context.pages()[0] || (await context.newPage());
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await waitForModels(page, 120_000);
    await page.setInputFiles('#dx-file-input', xray);
    await page.waitForFunction((n) => window.dxlens.api.studies().some((s) => s.name === n && s.status === 'done'),
                               path.basename(xray), { timeout: 120_000 });
    const models = await page.evaluate(() => window.dxlens.api.models().filter((m) => m.state === 'ready'));
    const model = (models.find((m) => m.id === 'cxr-pneumonia') ?? models[0])?.id;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
    const frames = () => page.evaluate(() => window.dxlens.api.viewerState().frames_drawn);

    const phases = {
      idle: async (until) => { await sleep(until - Date.now()); },
      dragging: async (until) => {
        // Over the viewport (the centre of the window): drag to pan, then wheel to zoom in and out.
        for (let i = 0; Date.now() < until; i++) {
          await page.mouse.move(600, 400);
          await page.mouse.down();
          for (let s = 1; s <= 10; s++) await page.mouse.move(600 + 8 * s * (i % 2 ? -1 : 1), 400 + 4 * s);
          await page.mouse.up();
          for (let s = 0; s < 5; s++) await page.mouse.wheel(0, i % 2 ? 120 : -120);
        }
      },
      analyzing: async (until) => page.evaluate(async ({ until, model, b64 }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        // Date.now() on both sides: the page's clock is the machine's.
        let done = 0;
        for (; Date.now() < until; done++) await window.dxlens.api.analyze(bytes, { model, name: 'bench.png' });
        return done;
      }, { until, model, b64: fs.readFileSync(xray).toString('base64') }),
    };
    const out = { model };
    for (const [phase, run] of Object.entries(phases)) {
      // Reading ImGui's frame counter wakes the loop (as any call into the WASM does): for idle it is read first,
      // and those frames (and the last phase's) settle before the task time is measured; they are counted.
      // A busy phase reads it as it starts (before the loop slept, frames came every vsync, settling or not).
      const early = await frames();
      await sleep(1500);
      const f0 = phase === 'idle' ? early : await frames();
      const t0 = await taskSeconds();
      const start = Date.now();
      const analyses = await run(start + seconds * 1000);
      const t1 = await taskSeconds();
      const wall = (Date.now() - start) / 1000;
      out[phase] = { load: (t1 - t0) / wall, fps: ((await frames()) - f0) / wall,
                     analyses: analyses === undefined ? null : analyses / wall };
    }
    return out;
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const dirs = compareDir ? [webDir, compareDir] : [webDir];
const results = new Map(dirs.map((d) => [d, []]));
for (let r = 0; r < rounds; r++)
  for (const dir of dirs) results.get(dir).push(await measureRound(dir)); // alternating: load hits both alike

const PHASES = ['idle', 'dragging', 'analyzing'];
const summary = (dir) => Object.fromEntries(PHASES.map((p) => {
  const rows = results.get(dir).map((round) => round[p]);
  return [p, { load: median(rows.map((x) => x.load)), fps: median(rows.map((x) => x.fps)),
               analyses: rows[0].analyses === null ? null : median(rows.map((x) => x.analyses)) }];
}));
console.log(`# DxLens main-thread load, idle vs busy — ${new Date().toISOString()}`);
console.log(`# ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, load average at the end ` +
            `${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`# ${rounds} rounds x ${seconds} s per phase${compareDir ? ', the builds alternating' : ''}; medians; ` +
            `analyzing with ${results.get(webDir)[0].model}\n`);
console.log('| build | phase | main thread (% of one core) | frames / s | analyses / s | load / idle load |');
console.log('|---|---|---|---|---|---|');
for (const dir of dirs) {
  const s = summary(dir);
  for (const p of PHASES)
    console.log(`| ${path.relative(root, dir) || dir} | ${p} | ${(s[p].load * 100).toFixed(1)} | ${s[p].fps.toFixed(1)} | ` +
                `${s[p].analyses === null ? '' : s[p].analyses.toFixed(2)} | ` +
                `${p === 'idle' ? '1' : (s[p].load / Math.max(s.idle.load, 1e-4)).toFixed(1)} |`);
}
if (compareDir) {
  const a = summary(webDir), b = summary(compareDir);
  console.log(`\n${path.relative(root, webDir)} / ${path.relative(root, compareDir)}: ` + PHASES.map((p) =>
    `${p} main thread ${(a[p].load / b[p].load).toFixed(3)}, frames ${(a[p].fps / Math.max(b[p].fps, 1e-4)).toFixed(2)}` +
    (a[p].analyses === null ? '' : `, analyses ${(a[p].analyses / b[p].analyses).toFixed(2)}`)).join('; '));
}
