// dx-bridge.mjs — the JavaScript side of DxLens's inference bridge: ONNX Runtime Web, loaded from the app's
// own origin (./ort/), never from a CDN.
//
// How to use (web/main.mjs does this):
//   const bridge = new DxBridge(new URL('./ort/', import.meta.url));
//   const ort = await bridge.loadRuntime('wasm');  // optional: sessions load their runtime themselves
//   const caps = await bridge.probe();          // { webgpuAvailable, webgpu, crossOriginIsolated, wasmThreads, ... }
//   const id = await bridge.createSession(bytes, { backend: 'webgpu' | 'wasm' });
//   const outputs = await bridge.run(id, { input: { data: Float32Array, dims: [1, 1, 224, 224] } });
//   await bridge.release(id);
// C++ reaches these through src/platform/web (request id in, result delivered back by callback); runs on one
// session are queued, because concurrent session.run calls on one session lose ONNX Runtime's error text.
// Each execution provider gets its own ONNX Runtime build and WebAssembly instance: ort.wasm.min.mjs (CPU) and
// ort.webgpu.min.mjs (the native WebGPU EP). A WebGPU failure can then never take the CPU fallback down with
// it: with one shared instance, releasing a session whose WebGPU kernel had failed corrupted ORT's heap
// ("memory access out of bounds"), and every later session on that instance hung.
const RUNTIME_SCRIPTS = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.webgpu.min.mjs' };

export class DxBridge {
  constructor(ortBaseUrl) {
    this.ortBaseUrl = ortBaseUrl;
    this.runtimes = {};
    this.sessions = new Map();
    this.nextId = 1;
  }

  // Loads one ONNX Runtime build's script (tens of KB; its .wasm is fetched when a session is created).
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
          caps.webgpu = `available (${name}${adapter.isFallbackAdapter || info.isFallbackAdapter ? ', software fallback' : ''})`;
        } else {
          caps.webgpu = 'unavailable: no GPU adapter (blocked or unsupported GPU)';
        }
      } catch (err) {
        caps.webgpu = `unavailable: ${err.message}`;
      }
    }
    return caps;
  }

  async createSession(bytes, { backend = 'wasm' } = {}) {
    const ort = await this.loadRuntime(backend);
    // logSeverityLevel 4 (fatal): see loadRuntime(); errors still reach us as rejected promises.
    const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], logSeverityLevel: 4 });
    const id = this.nextId++;
    this.sessions.set(id, { session, ort, queue: Promise.resolve() });
    return id;
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
    const entry = this.entry(id);
    const result = entry.queue.then(() => this.runNow(entry, feeds));
    entry.queue = result.catch(() => {});
    return result;
  }

  async runNow({ session, ort }, feeds) {
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

  async release(id) {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    await entry.queue;
    await entry.session.release();
  }

  entry(id) {
    const entry = this.sessions.get(id);
    if (!entry) throw new Error(`No model session ${id} (it was released or never created)`);
    return entry;
  }
}
