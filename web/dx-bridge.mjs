// dx-bridge.mjs — the JavaScript side of DxLens's inference bridge: ONNX Runtime Web, loaded from the app's
// own origin (./ort/), never from a CDN.
//
// How to use (web/main.mjs does this):
//   const bridge = new DxBridge(new URL('./ort/', import.meta.url));
//   const ort = await bridge.loadRuntime('wasm');  // optional: sessions load their runtime themselves
//   await bridge.warmUp('wasm');                   // optional: ORT fetches, compiles and starts its WebAssembly now
//   const caps = await bridge.probe();          // { webgpuAvailable, webgpu, crossOriginIsolated, wasmThreads, ... }
//   const id = await bridge.createSession(bytes, { backend: 'webgpu' | 'wasm' });
//   const outputs = await bridge.run(id, { input: { data: Float32Array, dims: [1, 1, 224, 224] } });
//   await bridge.release(id);
// C++ reaches these through src/platform/web (request id in, result delivered back by callback).
//
// Robustness, learnt the hard way with ORT Web 1.30 on WebGPU:
//   - Each execution provider has its own ONNX Runtime build and WebAssembly instance (ort.wasm.min.mjs for
//     the CPU, ort.min.mjs's JSEP build for WebGPU), so a WebGPU failure cannot take the CPU fallback down.
//   - All work on one runtime (create, run, release) is queued one operation at a time: the WebGPU EP refuses
//     concurrent session creation, and concurrent runs lose ORT's error text.
//   - A session whose WebGPU run failed is not released: releasing it corrupted ORT's heap ("memory access
//     out of bounds") and hung every later session. Its memory is left to the page's lifetime instead.
//   - A runtime that trapped (a WebAssembly RuntimeError) is marked broken; later requests fail at once with
//     the reason, and a watchdog turns an operation that never settles into an error, so the fallback to the
//     next backend always happens.
const RUNTIME_SCRIPTS = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.min.mjs' };
const WATCHDOG_MS = { wasm: 300_000, webgpu: 120_000 };
// The smallest ONNX model there is (IR 7, opset 13): one Identity node, float[1] x -> y. Opening it makes ONNX
// Runtime fetch, compile and start its WebAssembly (which it otherwise does inside the first real session) while
// the models' files are still downloading. Made by hand as protobuf bytes; onnxruntime-node runs it too.
const WARM_UP_MODEL = new Uint8Array([
  8, 7, 58, 61, 10, 16, 10, 1, 120, 18, 1, 121, 34, 8, 73, 100, 101, 110, 116, 105, 116, 121, 18, 7, 119, 97, 114,
  109, 95, 117, 112, 90, 15, 10, 1, 120, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 98, 15, 10, 1, 121, 18, 10, 10, 8,
  8, 1, 18, 4, 10, 2, 8, 1, 66, 2, 16, 13]);

export class DxBridge {
  constructor(ortBaseUrl) {
    this.ortBaseUrl = ortBaseUrl;
    this.runtimes = {};
    this.queues = {};
    this.broken = {};
    this.sessions = new Map();
    this.nextId = 1;
  }

  // Loads one ONNX Runtime build's script (its .wasm is fetched when the first session is created).
  loadRuntime(backend = 'wasm') {
    const script = RUNTIME_SCRIPTS[backend];
    if (!script) return Promise.reject(new Error(`Unknown inference backend '${backend}'`));
    this.runtimes[backend] ??= import(new URL(script, this.ortBaseUrl).href).then((ort) => {
      ort.env.wasm.wasmPaths = this.ortBaseUrl.href;
      ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
      // ORT's own error log lines would duplicate what DxLens reports: a failed run rejects with ORT's
      // message, which the self-test fallback and the UI show in words. Keep the console for real faults.
      ort.env.logLevel = 'fatal';
      return ort;
    });
    return this.runtimes[backend];
  }

  // Runs `work(ort)` after everything queued before it on the same runtime.
  enqueue(backend, what, work) {
    const previous = this.queues[backend] ?? Promise.resolve();
    const result = previous.then(async () => {
      if (this.broken[backend]) throw new Error(`the ${backend} runtime failed earlier (${this.broken[backend]})`);
      const ort = await this.loadRuntime(backend);
      let timer;
      const watchdog = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} on ${backend} did not finish within ` +
                                                  `${WATCHDOG_MS[backend] / 1000} s`)), WATCHDOG_MS[backend]);
      });
      const start = performance.now();
      try {
        return await Promise.race([work(ort), watchdog]);
      } catch (err) {
        if (err instanceof WebAssembly.RuntimeError || /did not finish within/.test(err.message))
          this.broken[backend] = err.message;
        throw err;
      } finally {
        clearTimeout(timer);
        // Each operation's own time, without its wait in the queue (bench/startup_bench.mjs sums them).
        performance.measure(`dx:ort ${what}`, { start, end: performance.now() });
      }
    });
    this.queues[backend] = result.catch(() => {});
    return result;
  }

  // Starts ONNX Runtime's WebAssembly for `backend` ahead of the first model (queued like a session, so the
  // models' sessions follow it); a failure here is left to the real sessions to report.
  warmUp(backend = 'wasm') {
    return this.enqueue(backend, 'Starting ONNX Runtime', async (ort) => {
      const session = await ort.InferenceSession.create(WARM_UP_MODEL, { executionProviders: [backend],
                                                                         logSeverityLevel: 4 });
      await session.release();
    });
  }

  // What this browser offers for inference. Never throws: every failure becomes a readable reason.
  async probe() {
    const caps = {
      crossOriginIsolated: self.crossOriginIsolated === true,
      wasmThreads: self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1,
      webgpuAvailable: false,
      webgpu: 'unavailable: this browser has no WebGPU (navigator.gpu)',
    };
    if (navigator.gpu) {
      try {
        const adapter = await navigator.gpu.requestAdapter();
        if (adapter) {
          const info = adapter.info || {};
          const name = [info.vendor, info.architecture || info.device].filter(Boolean).join(' ') || 'adapter';
          caps.webgpuAvailable = true;
          caps.webgpuSoftware = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
          caps.webgpu = `available (${name}${caps.webgpuSoftware ? ', software fallback' : ''})`;
        } else {
          caps.webgpu = 'unavailable: no GPU adapter (blocked or unsupported GPU)';
        }
      } catch (err) {
        caps.webgpu = `unavailable: ${err.message}`;
      }
    }
    return caps;
  }

  createSession(bytes, { backend = 'wasm' } = {}) {
    return this.enqueue(backend, 'Opening the model', async (ort) => {
      // logSeverityLevel 4 (fatal): see loadRuntime(); errors still reach us as rejected promises.
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], logSeverityLevel: 4 });
      const id = this.nextId++;
      this.sessions.set(id, { session, ort, backend, failed: false });
      return id;
    });
  }

  // Inputs and outputs as { name, shape, type }; symbolic dimensions become -1 on the C++ side.
  describe(id) {
    const s = this.entry(id).session;
    const meta = (list, names) => names.map((name, i) => {
      const m = list?.[i] ?? {};
      return { name, shape: m.isTensor === false ? [] : Array.from(m.shape ?? []), type: m.type ?? 'unknown' };
    });
    return { inputs: meta(s.inputMetadata, s.inputNames), outputs: meta(s.outputMetadata, s.outputNames) };
  }

  run(id, feeds) {
    let entry;
    try {
      entry = this.entry(id);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(entry.backend, 'Running the model', async (ort) => {
      try {
        return await this.runNow(entry, ort, feeds);
      } catch (err) {
        entry.failed = true;
        throw err;
      }
    });
  }

  async runNow({ session }, ort, feeds) {
    const inputs = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
    const results = await session.run(inputs, { logSeverityLevel: 4 }); // kernel errors are logged per run
    const outputs = {};
    for (const [name, t] of Object.entries(results)) {
      outputs[name] = { data: await t.getData(), dims: Array.from(t.dims) };
      t.dispose?.();
    }
    return outputs;
  }

  release(id) {
    const entry = this.sessions.get(id);
    if (!entry) return Promise.resolve();
    this.sessions.delete(id);
    if (entry.failed && entry.backend === 'webgpu') return Promise.resolve(); // see the note at the top
    return this.enqueue(entry.backend, 'Closing the model', () => entry.session.release());
  }

  entry(id) {
    const entry = this.sessions.get(id);
    if (!entry) throw new Error(`No model session ${id} (it was released or never created)`);
    return entry;
  }
}
