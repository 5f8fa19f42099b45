// browser_bench.mjs — in the real page in Chromium, on ONNX Runtime Web's WASM backend: pure ORT `session.run`
// vs DxLens end to end (file bytes -> findings through window.dxlens.api.analyze), same model, same 2048 x 2048
// image, measured side by side in one run. Usage (repository root, after `cmake --build --preset wasm`):
//
//   node bench/browser_bench.mjs [--model DIR | --arch cnn224|densenet121] [--runs 20] [--rounds 3] [--web build/web]
//
// Without --model it generates a stand-in 224 x 224 classifier (bench/inference_bench_model.py; --arch cnn224, the
// default, or densenet121). For each page set-up (cross-origin isolated = ORT's multi-threaded WASM; not isolated =
// one thread) and each image format (8-bit PNG, 16-bit uncompressed DICOM of the same pixels) it prints, as
// medians over interleaved rounds:
//   pure     ORT Web session.run on a tensor of the model's input shape, in the same page and ORT runtime as the app
//   e2e      DxLens, one image at a time: decode + preprocess + inference (bridge included) + postprocess
//   pipelined DxLens, `--runs` images submitted at once (a batch): wall time / images. (ORT Web's WASM backend
//            computes on the page's main thread, so decoding cannot overlap inference there; see bench/README.md.)
// and the ratios e2e / pure and pipelined / pure (the target: e2e / pure <= 1.15 for a 224 x 224 classifier).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchModelDir } from './stand_in_model.mjs';
import { startServer } from '../web/serve.mjs';
import { launchChromium, waitForModels } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(opt('--runs', 20));
const rounds = Number(opt('--rounds', 3));
const webDir = path.resolve(opt('--web', path.join(root, 'build/web')));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dxlens-browser-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

const modelDir = benchModelDir(opt, root, work);

// The same radiograph-like 2048 x 2048 pattern as bench/inference_bench.mjs, as an 8-bit PNG and as a 16-bit
// MONOCHROME2 DICOM (explicit VR little endian, uncompressed), both written by Debian's Python packages.
execFileSync('/usr/bin/python3', ['-c', `
import numpy as np, pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid, SecondaryCaptureImageStorage
rng = np.random.default_rng(0); y, x = np.mgrid[0:2048, 0:2048] / 2048.0
a = 90 + 60*np.sin(6*x)*np.cos(4*y) + 50*((x-0.35)**2/0.04 + (y-0.5)**2/0.12 < 1) + 50*((x-0.65)**2/0.04 + (y-0.5)**2/0.12 < 1)
a = np.clip(a + rng.normal(0, 8, a.shape), 0, 255)
Image.fromarray(a.astype(np.uint8)).save('${work}/image2048.png')
meta = FileMetaDataset(); meta.TransferSyntaxUID = ExplicitVRLittleEndian
meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage; meta.MediaStorageSOPInstanceUID = generate_uid()
ds = Dataset(); ds.file_meta = meta; ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID; ds.Modality = 'OT'
ds.Rows = ds.Columns = 2048; ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = 'MONOCHROME2'
ds.BitsAllocated = 16; ds.BitsStored = 12; ds.HighBit = 11; ds.PixelRepresentation = 0
ds.PixelData = (a * 16).astype('<u2').tobytes()
ds.save_as('${work}/image2048.dcm', write_like_original=False)`]);

// Every file of the package, sub-folders included (a shipped package's self-test reads reference/).
const packageFiles = fs.readdirSync(modelDir, { recursive: true })
  .filter((f) => fs.statSync(path.join(modelDir, f)).isFile())
  .map((f) => ({ path: `bench/${f}`, b64: fs.readFileSync(path.join(modelDir, f)).toString('base64') }));
const images = ['image2048.png', 'image2048.dcm'].map((name) => ({
  name, b64: fs.readFileSync(path.join(work, name)).toString('base64'),
}));

// Runs in the page: opens the package on WASM, then measures `rounds` rounds, each of `runs` pure and e2e runs
// alternating one by one, then a pipelined batch per image. Everything the page needs arrives as arguments; nothing leaves the page.
async function measureInPage({ packageFiles, images, runs, rounds }) {
  const api = window.dxlens.api;
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  api.setBackend('wasm');
  const slot = await api.loadModelFiles(packageFiles.map((f) => ({ path: f.path, bytes: bytes(f.b64) })));
  const modelId = slot.id;
  const manifest = JSON.parse(new TextDecoder().decode(bytes(packageFiles.find((f) => f.path.endsWith('manifest.json')).b64)));
  const ort = await import(new URL('ort/ort.wasm.min.mjs', document.baseURI).href); // the app's own runtime
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes(packageFiles.find((f) => f.path.endsWith('.onnx')).b64),
                                                    { executionProviders: ['wasm'] });
  const createMs = performance.now() - t0;
  const { name, channels, height, width } = manifest.input;
  const data = new Float32Array(channels * height * width);
  let seed = 1;
  for (let i = 0; i < data.length; i++) data[i] = ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 4;
  const runPure = async () => {
    const s = performance.now();
    // A fresh copy each run, as DxLens's bridge makes (HEAPF32.slice).
    const out = await session.run({ [name]: new ort.Tensor('float32', data.slice(), [1, channels, height, width]) });
    for (const t of Object.values(out)) t.dispose?.();
    return performance.now() - s;
  };
  const firstPureMs = await runPure();
  const inputs = images.map((im) => ({ name: im.name, bytes: bytes(im.b64) }));
  const firstE2e = {};
  for (const im of inputs) {
    const s = performance.now();
    await api.analyze(im.bytes, { model: modelId, name: im.name });
    firstE2e[im.name] = performance.now() - s;
  }
  const rows = { pure: [] };
  for (const im of inputs) rows[im.name] = { e2e: [], pipelined: [], stages: [] };
  for (let r = 0; r < rounds; r++) {
    // Pure and end-to-end runs alternate one by one, so a slow spell of the machine hits both alike.
    for (let i = 0; i < runs; i++) {
      rows.pure.push(await runPure());
      for (const im of inputs) {
        const s = performance.now();
        const result = await api.analyze(im.bytes, { model: modelId, name: im.name });
        rows[im.name].e2e.push(performance.now() - s);
        rows[im.name].stages.push(result.timings_ms);
      }
    }
    for (const im of inputs) {
      const row = rows[im.name];
      const s = performance.now();
      await Promise.all(Array.from({ length: runs }, () => api.analyze(im.bytes, { model: modelId, name: im.name })));
      row.pipelined.push((performance.now() - s) / runs);
    }
  }
  await session.release();
  return { createMs, firstPureMs, firstE2e, rows, threads: ort.env.wasm.numThreads, proxy: ort.env.wasm.proxy,
           isolated: self.crossOriginIsolated };
}

async function measure(isolate) {
  const server = await startServer({ root: webDir, port: 0, isolate });
  const { context, profile } = await launchChromium('dxlens-bench-profile-');
  try {
    const page = context.pages()[0] || (await context.newPage());
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await waitForModels(page, 120_000);
    return await page.evaluate(measureInPage, { packageFiles, images, runs, rounds });
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`# DxLens browser inference benchmark — ${new Date().toISOString()}`);
console.log(`# ${cpu}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`# model ${modelDir}; ${runs} runs x ${rounds} rounds; medians in ms\n`);
console.log('| page | image | ORT create / first | pure run | DxLens first | e2e | = decode + preprocess + inference + postprocess | e2e / pure | pipelined | pipelined / pure |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const isolate of [true, false]) {
  const m = await measure(isolate);
  const pure = median(m.rows.pure);
  const pageName = `${m.isolated ? 'isolated' : 'not isolated'}, ${m.threads} thread${m.threads > 1 ? 's' : ''}${m.proxy ? ', proxy worker' : ''}`;
  for (const im of images) {
    const row = m.rows[im.name];
    const e2e = median(row.e2e), piped = median(row.pipelined);
    const stage = (k) => fmt(median(row.stages.map((t) => t[k])));
    console.log(`| ${pageName} | ${im.name} | ${fmt(m.createMs)} / ${fmt(m.firstPureMs)} | ${fmt(pure)} | ` +
                `${fmt(m.firstE2e[im.name])} | ${fmt(e2e)} | ${stage('decode')} + ${stage('preprocess')} + ` +
                `${stage('inference')} + ${stage('postprocess')} | ${(e2e / pure).toFixed(2)} | ${fmt(piped)} | ` +
                `${(piped / pure).toFixed(2)} |`);
  }
}
fs.rmSync(work, { recursive: true, force: true });
