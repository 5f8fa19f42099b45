// Check each shipped package with ONNX Runtime (onnxruntime-node), independently of torch:
// sha256 of model.onnx, input/output names against the manifest, and the reference input -> outputs.json
// within the manifest's tolerance. Preprocessing is only scale/normalise because reference/input.png is
// already at the model's input size (tabular: reference/input.json in manifest feature order).
//
// Usage: node models/training/verify_onnx.mjs [models/<id> ...]   (default: every models/*/manifest.json)
// Needs onnxruntime-node (repo package.json, or NODE_PATH pointing at a node_modules that has it) and
// Debian python3-pil for PNG decoding (a one-line python call, to avoid an npm PNG dependency).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const modelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function readPngGray(file) {
  const py = "import sys,json,numpy as n;from PIL import Image;a=n.asarray(Image.open(sys.argv[1]).convert('L'));" +
    "print(json.dumps([list(a.shape),a.ravel().tolist()]))";
  const [shape, data] = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, file], { maxBuffer: 1 << 26 }));
  return { shape, data };
}

function referenceInput(dir, m) {
  const ref = path.join(dir, m.reference.input);
  if (ref.endsWith(".json")) {
    const v = JSON.parse(readFileSync(ref, "utf8"));
    const names = m.input.features.map((f) => f.name);
    return new ort.Tensor("float32", Float32Array.from(names.map((n) => v[n])), [1, names.length]);
  }
  const { shape, data } = readPngGray(ref);
  const { scale, mean, std } = m.input.normalize;
  if (shape[0] !== m.input.height || shape[1] !== m.input.width) throw new Error(`${ref}: not ${m.input.height}x${m.input.width}`);
  const x = Float32Array.from(data, (v) => (v * scale - mean[0]) / std[0]);
  return new ort.Tensor("float32", x, [1, 1, shape[0], shape[1]]);
}

async function verify(dir) {
  const m = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const bytes = readFileSync(path.join(dir, m.file));
  const problems = [];
  if (createHash("sha256").update(bytes).digest("hex") !== m.sha256) problems.push("sha256 mismatch");
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  if (session.inputNames[0] !== m.input.name) problems.push(`input ${session.inputNames[0]} != ${m.input.name}`);
  const outs = await session.run({ [m.input.name]: referenceInput(dir, m) });
  const expected = JSON.parse(readFileSync(path.join(dir, m.reference.outputs), "utf8"));
  for (const o of m.outputs) {
    if (!outs[o.name]) { problems.push(`output ${o.name} missing in graph`); continue; }
    const got = outs[o.name].data, want = expected[o.name].data;
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
    if (got.length !== want.length || diff > m.reference.tolerance) problems.push(`${o.name}: max diff ${diff}`);
    else console.log(`  ${m.id}/${o.name}: max |diff| ${diff.toExponential(2)} <= ${m.reference.tolerance}`);
  }
  console.log(`${m.id}: ${problems.length ? "FAIL " + problems.join("; ") : "ok"}`);
  return problems.length === 0;
}

const dirs = process.argv.length > 2 ? process.argv.slice(2) :
  readdirSync(modelsDir).map((d) => path.join(modelsDir, d)).filter((d) => existsSync(path.join(d, "manifest.json")));
let ok = true;
for (const d of dirs) ok = (await verify(d)) && ok;
process.exit(ok ? 0 : 1);
