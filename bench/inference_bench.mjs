// inference_bench.mjs — pure ONNX Runtime session.run vs DxLens end to end (bytes -> findings) on the same model
// and the same 2048x2048 image, in one run. Usage (repository root, after building dxlens and npm install):
//
//   node bench/inference_bench.mjs [--model models/cxr-pneumonia | --arch cnn224|densenet121] [--runs 30]
//                                  [--threads 1] [--dxlens build/bin/dxlens]
//
// Without --model, a stand-in 224x224 classifier is generated (bench/inference_bench_model.py; --arch picks the small
// CNN, the default, or DenseNet-121). Measured:
//   ORT (onnxruntime-node, CPU EP): session creation, first run, median of --runs session.run calls on the exact
//     tensor DxLens fed the model (dumped with --dump-input);
//   DxLens (`dxlens analyze`, native ORT CPU backend, same library): session creation, first analysis, median
//     end-to-end time per file = decode + preprocess + inference + postprocess, and each stage's median;
//   ORT Web (onnxruntime-web's WASM backend under Node, 1 thread): the same tensor, for the browser's fallback;
//   ratio = DxLens end to end / ORT session.run. Both use the same intra-op thread count (--threads, default 1).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchModelDir } from './stand_in_model.mjs';
import ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(opt('--runs', 30));
const threads = Number(opt('--threads', 1));
const dxlens = path.resolve(opt('--dxlens', path.join(root, 'build/bin/dxlens')));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dxlens-bench-'));
const modelDir = benchModelDir(opt, root, work);
const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// A 2048x2048 8-bit grey PNG with radiograph-like structure (smooth anatomy, edges, noise), written by PIL.
const image = path.join(work, 'image2048.png');
execFileSync('/usr/bin/python3', ['-c', `
import numpy as np; from PIL import Image
rng = np.random.default_rng(0); y, x = np.mgrid[0:2048, 0:2048] / 2048.0
a = 90 + 60*np.sin(6*x)*np.cos(4*y) + 50*((x-0.35)**2/0.04 + (y-0.5)**2/0.12 < 1) + 50*((x-0.65)**2/0.04 + (y-0.5)**2/0.12 < 1)
a += rng.normal(0, 8, a.shape)
Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save('${image}')`]);
const imageBytes = fs.statSync(image).size;

// DxLens end to end: the same file `runs` times in one process (one session), timings from each JSON line.
const dump = path.join(work, 'dump');
const run = spawnSync(dxlens, ['analyze', '--model', modelDir, '--threads', String(threads), '--no-outputs',
    '--session-info', '--dump-input', dump, ...Array(runs + 1).fill(image)], { maxBuffer: 1 << 26 });
if (run.status !== 0) throw new Error(`dxlens analyze failed: ${run.stderr}`);
const lines = run.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
const stages = ['decode', 'preprocess', 'inference', 'postprocess'];
const e2e = lines.map((r) => stages.reduce((s, k) => s + r.timings_ms[k], 0));
const session = JSON.parse(run.stderr.toString().trim().split('\n').pop());

// Pure ORT on the tensor DxLens produced.
const meta = JSON.parse(fs.readFileSync(path.join(dump, 'image2048.input.json'), 'utf8'));
const raw = fs.readFileSync(path.join(dump, 'image2048.input.f32'));
const tensor = new ort.Tensor('float32', new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)),
    meta.shape);
let t0 = process.hrtime.bigint();
const ortSession = await ort.InferenceSession.create(path.join(modelDir, manifest.file),
    { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
const ortCreate = ms(t0);
const feeds = { [meta.name]: tensor };
t0 = process.hrtime.bigint();
await ortSession.run(feeds);
const ortFirst = ms(t0);
const ortRuns = [];
for (let i = 0; i < runs; i++) {
    t0 = process.hrtime.bigint();
    await ortSession.run(feeds);
    ortRuns.push(ms(t0));
}

// The same model and tensor on ONNX Runtime Web's WASM backend (what the browser falls back to), single-threaded,
// under Node: the inference figure the classifier budget applies to (<= 50 ms single-threaded WASM).
const web = await import('onnxruntime-web');
web.env.wasm.numThreads = 1;
t0 = process.hrtime.bigint();
const webSession = await web.InferenceSession.create(path.join(modelDir, manifest.file), { executionProviders: ['wasm'] });
const webCreate = ms(t0);
const webFeeds = { [meta.name]: new web.Tensor('float32', tensor.data, meta.shape) };
t0 = process.hrtime.bigint();
await webSession.run(webFeeds);
const webFirst = ms(t0);
const webRuns = [];
for (let i = 0; i < runs; i++) {
    t0 = process.hrtime.bigint();
    await webSession.run(webFeeds);
    webRuns.push(ms(t0));
}

const steady = e2e.slice(1);
const f = (v) => v.toFixed(2);
console.log(`model ${manifest.id} (${path.relative(root, modelDir) || modelDir}), input ${meta.shape.join('x')}, ` +
            `image 2048x2048 8-bit PNG (${(imageBytes / 1e6).toFixed(2)} MB), ${runs} runs, ${threads} thread(s), ` +
            `${os.cpus()[0].model}`);
console.log(`ORT session.run (onnxruntime-node ${ort.env.versions?.common ?? ''}): create ${f(ortCreate)} ms, ` +
            `first run ${f(ortFirst)} ms, median ${f(median(ortRuns))} ms (min ${f(min(ortRuns))})`);
console.log(`ORT Web WASM session.run (onnxruntime-web, Node, 1 thread): create ${f(webCreate)} ms, ` +
            `first run ${f(webFirst)} ms, median ${f(median(webRuns))} ms (min ${f(min(webRuns))})`);
console.log(`DxLens analyze (${session.description}): create ${f(session.load_ms)} ms (+ self-test ` +
            `${f(session.self_test_ms)} ms, ${session.self_test}), first file ${f(e2e[0])} ms, median end to end ` +
            `${f(median(steady))} ms (min ${f(min(steady))}) = ` + stages.map((k) => `${k} ${f(median(lines.slice(1).map((r) => r.timings_ms[k])))}`).join(' + '));
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
console.log(`ratio end to end / pure session.run (medians): ${(median(steady) / median(ortRuns)).toFixed(2)}; ` +
            `without decode: ${(median(lines.slice(1).map((r) => r.timings_ms.preprocess + r.timings_ms.inference + r.timings_ms.postprocess)) / median(ortRuns)).toFixed(2)}`);
fs.rmSync(work, { recursive: true, force: true });
