// golden_ort.mjs MODEL.onnx DUMP_DIR RESULTS.jsonl — feeds every tensor `dxlens analyze --dump-input` wrote to
// onnxruntime-node (the reference ORT build, independent of DxLens's C++ backend) and checks that its outputs equal
// the raw outputs analyze printed, element by element within 1e-5 * max(1, |reference|).
// Exit 0 when all agree, 1 on any disagreement (printed), 2 when it cannot run (missing files or package).
import fs from 'node:fs';
import path from 'node:path';

let ort;
try {
    ort = (await import('onnxruntime-node')).default;
} catch (e) {
    console.error(`golden_ort: onnxruntime-node is not installed (run npm install at the repository root): ${e.message}`);
    process.exit(2);
}

const [modelPath, dumpDir, resultsPath] = process.argv.slice(2);
const session = await ort.InferenceSession.create(modelPath);
const results = fs.readFileSync(resultsPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const dumps = new Map();
for (const name of fs.readdirSync(dumpDir).filter((n) => n.endsWith('.input.json'))) {
    const meta = JSON.parse(fs.readFileSync(path.join(dumpDir, name), 'utf8'));
    dumps.set(meta.file, { meta, data: path.join(dumpDir, name.replace(/\.input\.json$/, '.input.f32')) });
}

let failures = 0;
let compared = 0;
for (const r of results) {
    const dump = dumps.get(r.file);
    if (!dump) {
        console.log(`FAIL ${r.file}: no dumped input tensor`);
        failures++;
        continue;
    }
    const bytes = fs.readFileSync(dump.data);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const feeds = { [dump.meta.name]: new ort.Tensor('float32', Float32Array.from(data), dump.meta.shape) };
    const outputs = await session.run(feeds);
    for (const [name, ours] of Object.entries(r.outputs)) {
        const ref = outputs[name];
        const sameShape = ref && ref.dims.length === ours.shape.length && ref.dims.every((d, i) => d === ours.shape[i]);
        if (!sameShape) {
            console.log(`FAIL ${r.file} ${name}: shape ${JSON.stringify(ours.shape)} vs ORT ${ref && JSON.stringify(ref.dims)}`);
            failures++;
            continue;
        }
        let worst = 0;
        let at = 0;
        for (let i = 0; i < ref.data.length; i++) {
            const err = Math.abs(ours.data[i] - ref.data[i]) / Math.max(1, Math.abs(ref.data[i]));
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        const ok = worst <= 1e-5;
        failures += ok ? 0 : 1;
        compared++;
        console.log(`${ok ? 'ok' : 'FAIL'} ${r.file} ${name}: ${ref.data.length} values, max relative error ` +
                    `${worst.toExponential(2)} at ${at} (dxlens ${ours.data[at]}, onnxruntime-node ${ref.data[at]})`);
    }
}
if (compared === 0) {
    console.log('golden_ort: nothing was compared');
    process.exit(1);
}
process.exit(failures ? 1 : 0);
