// saliency_bench.mjs — runs the WASM build of bench/saliency_bench.cpp under Node with the app's own inference
// bridge (web/dx-bridge.mjs over web/wasm-memory.mjs, as the page wires them in module-hooks.mjs), on ONNX
// Runtime Web's WASM backend, one thread (a page that is not cross-origin isolated). Only where ONNX Runtime
// Web is loaded from differs from the page: Node imports the npm package instead of ./ort/ on the app's origin.
//
// How to use (bench/run_saliency_bench.sh does this):
//   node bench/saliency_bench.mjs build/wasm/bin/dx_saliency_bench.cjs MODEL_DIR IMAGE LABEL [ROUNDS] [GRID PATCH BATCH]
import { createRequire } from 'node:module';
import path from 'node:path';
import { DxBridge } from '../web/dx-bridge.mjs';
import { setModuleHooks } from '../web/module-hooks.mjs';
import { wasmMemory } from '../web/wasm-memory.mjs';

class NodeBridge extends DxBridge {
  loadRuntime(backend = 'wasm') {
    if (backend !== 'wasm') return Promise.reject(new Error(`Node has no '${backend}' backend here`));
    this.runtimes.wasm ??= import('onnxruntime-web').then((ort) => {
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'fatal';
      return ort;
    });
    return this.runtimes.wasm;
  }
}

const [benchJs, ...args] = process.argv.slice(2);
if (!benchJs || args.length < 3) {
  console.error('usage: node bench/saliency_bench.mjs DX_SALIENCY_BENCH.cjs MODEL_DIR IMAGE LABEL [ROUNDS] [GRID PATCH BATCH]');
  process.exit(2);
}
const module = { arguments: args };
setModuleHooks(module, { dxMemory: wasmMemory(module), dxBridge: new NodeBridge(null) });
createRequire(import.meta.url)(path.resolve(benchJs))(module);
