// archive_bench.mjs — throughput of an archive run (`dxlens analyze --list ... --out ... --shard`), in one run:
//   1. images per second per core for each shipped image model: one task, one inference thread (its read-ahead
//      workers, one per CPU, read, decode and preprocess on the other cores: "per inference thread");
//   2. one task vs two tasks (shards 0/2 and 1/2 side by side, one thread each) over the same list: the scaling
//      ratio on this machine (2.0 would be perfect on two idle cores);
//   3. the CLI against ONNX Runtime alone (onnxruntime-node, the same library, one thread) running the very tensors
//      the CLI fed the model, already decoded and preprocessed: the limit. Target: within 1.2x for cxr-pneumonia
//      on 512 x 512 PNGs.
// Rounds alternate the measurements (CLI, ORT alone, CLI, ...) and report medians, so load changes on this
// shared machine hit both sides alike. The CLI's fixed start-up (model load, self-test) is measured with a
// one-image list and taken out, so both sides are per-image costs.
//
// Usage (repository root, after the native build and npm ci; needs ../shared/data):
//   node bench/archive_bench.mjs [--images 200] [--rounds 4] [--dxlens build/bin/dxlens]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const count = Number(opt('--images', 200));
const rounds = Number(opt('--rounds', 4));
const dxlens = path.resolve(opt('--dxlens', path.join(root, 'build/bin/dxlens')));
const data = path.join(root, '..', 'shared', 'data', 'chest_xray_kermany');
if (!fs.existsSync(path.join(data, 'labels.csv'))) {
  console.log(`skipped: ${data} is absent`);
  process.exit(0);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dxlens-archive-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 512 x 512 PNGs made from the Kermany JPEGs (every 10th labelled file), as a PACS export would give.
const rows = fs.readFileSync(path.join(data, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
const sources = rows.filter((_, i) => i % 10 === 0).slice(0, count).map((r) => path.join(data, r.split(',')[0]));
const pngDir = path.join(work, 'png');
fs.mkdirSync(pngDir);
execFileSync('/usr/bin/python3', ['-c', `
import sys
from PIL import Image
out = sys.argv[1]
for i, p in enumerate(sys.argv[2:]):
    Image.open(p).convert('L').resize((512, 512), Image.BILINEAR).save(f"{out}/img{i:05d}.png")
`, pngDir, ...sources]);
const pngs = fs.readdirSync(pngDir).sort().map((f) => path.join(pngDir, f));
const list = path.join(work, 'list.txt');
fs.writeFileSync(list, pngs.join('\n') + '\n');
const oneList = path.join(work, 'one.txt');
fs.writeFileSync(oneList, pngs[0] + '\n');

let runId = 0;
function runTask(model, listPath, shard) {
  const out = path.join(work, `out-${runId++}`);
  return new Promise((resolve, reject) => {
    const child = spawn(dxlens, ['analyze', '--model', model, '--threads', '1', '--no-outputs', '--list', listPath,
      '--out', out, '--shard', shard], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dxlens exited ${code}: ${err}`))));
  });
}
async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}
// Seconds per image for one task: (list run - one-image run) / (n - 1).
async function cliPerImage(model) {
  const startup = await timed(() => runTask(model, oneList, '0/1'));
  const all = await timed(() => runTask(model, list, '0/1'));
  return { perImage: (all - startup) / (pngs.length - 1), wall: all };
}

// The tensors the CLI feeds the model, dumped once, for ORT alone.
async function ortAlonePerImage(model, session, tensors) {
  const inputName = session.inputNames[0];
  const start = process.hrtime.bigint();
  for (const t of tensors) await session.run({ [inputName]: t });
  return Number(process.hrtime.bigint() - start) / 1e9 / tensors.length;
}
function dumpTensors(model) {
  const dump = path.join(work, `dump-${path.basename(model)}`);
  execFileSync(dxlens, ['analyze', '--model', model, '--threads', '1', '--no-outputs', '--dump-input', dump, ...pngs],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  return pngs.map((p) => {
    const stem = path.basename(p, '.png');
    const meta = JSON.parse(fs.readFileSync(path.join(dump, `${stem}.input.json`), 'utf8'));
    const raw = fs.readFileSync(path.join(dump, `${stem}.input.f32`));
    const data = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4).slice();
    return new ort.Tensor('float32', data, meta.shape);
  });
}

const models = ['cxr-pneumonia', 'cxr-lung-seg', 'malaria-cell'].map((id) => path.join(root, 'models', id));
console.log(`archive_bench: ${pngs.length} PNGs 512 x 512, ${rounds} rounds, ${os.cpus().length} CPUs, ` +
  `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const results = {};
for (const model of models) {
  const id = path.basename(model);
  const tensors = dumpTensors(model);
  const session = await ort.InferenceSession.create(path.join(model, 'model.onnx'), {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  await session.run({ [session.inputNames[0]]: tensors[0] }); // warm-up
  const r = { cli: [], ort: [], one: [], two: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round so that neither side always runs first after a load change.
    const steps = [
      async () => r.cli.push((await cliPerImage(model)).perImage),
      async () => r.ort.push(await ortAlonePerImage(model, session, tensors)),
    ];
    if (round % 2) steps.reverse();
    for (const step of steps) await step();
    // 1 task vs 2 tasks, whole wall time of the list.
    const one = await timed(() => runTask(model, list, '0/1'));
    const two = await timed(() => Promise.all([runTask(model, list, '0/2'), runTask(model, list, '1/2')]));
    r.one.push(one);
    r.two.push(two);
  }
  results[id] = r;
  const cli = median(r.cli), alone = median(r.ort);
  console.log(`${id}: ${(1 / cli).toFixed(1)} images/s per core (CLI, 1 inference thread + read-ahead, decode + preprocess + inference + ` +
    `postprocess + write); ORT alone ${(1 / alone).toFixed(1)} images/s; CLI / ORT alone ${(cli / alone).toFixed(2)}x ` +
    `(rounds: ${r.cli.map((c, i) => (c / r.ort[i]).toFixed(2)).join(', ')}); 2 tasks / 1 task throughput ` +
    `${(median(r.one) / median(r.two)).toFixed(2)}x (rounds: ${r.one.map((o, i) => (o / r.two[i]).toFixed(2)).join(', ')})`);
}
fs.rmSync(work, { recursive: true, force: true });
