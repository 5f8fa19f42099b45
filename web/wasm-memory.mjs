// wasm-memory.mjs — the one place where strings and bytes cross between the page's JavaScript and the C++ heap
// (Emscripten's _malloc/_free, HEAPU8/HEAPF32 and UTF-8 helpers). The page's modules (dx-api.mjs, intake.mjs,
// batch.mjs, risk-form.mjs) import it; src/platform/web/dx_library.js, an Emscripten --js-library that cannot
// import an ES module, reaches the same functions as Module.dxMemory (module-hooks.mjs), which app.mjs installs
// before the WASM starts.
//
// How to use:
//   const memory = wasmMemory(module);   // also before createDxLens resolves: the heap is looked up at each call
//   memory.call('_dx_app_open_file', name, bytes, bytes.length);  // strings and Uint8Arrays are copied in for
//                                                                  // the call (C++ copies what it keeps)
//   memory.withArgs(args, (cargs) => ...);   // the same copies, for the duration of `use`
//   memory.takeJson(ptr);                    // JSON text C++ malloc'd for the page: parsed, then freed
//   memory.readString(ptr);                  // text C++ keeps (static storage)
//   memory.writeString(text, buffer, capacity);   // into a buffer C++ passed; returns the bytes written
//   memory.copyBytes(ptr, length); memory.copyFloats(ptr, count);   // copies out (the heap may grow and move)
//   const { ptr, floats } = memory.giveFloats(count);   // malloc'd for C++, which takes it over and frees it
export function wasmMemory(module) {
  // Strings become NUL-terminated UTF-8 and Uint8Arrays a copy of their bytes (at least one byte allocated);
  // other arguments pass as they are. Everything copied is freed when `use` returns.
  function withArgs(args, use) {
    const allocated = [];
    try {
      const cargs = args.map((a) => {
        if (typeof a === 'string') {
          const size = module.lengthBytesUTF8(a) + 1;
          const ptr = module._malloc(size);
          allocated.push(ptr);
          module.stringToUTF8(a, ptr, size);
          return ptr;
        }
        if (a instanceof Uint8Array) {
          const ptr = module._malloc(Math.max(1, a.length));
          allocated.push(ptr);
          module.HEAPU8.set(a, ptr);
          return ptr;
        }
        return a;
      });
      return use(cargs);
    } finally {
      allocated.forEach((p) => module._free(p));
    }
  }

  return {
    withArgs,
    // Calls an exported C++ function (by its name on the Module, '_dx_...') with its arguments copied in.
    call: (fn, ...args) => withArgs(args, (cargs) => module[fn](...cargs)),
    readString: (ptr) => module.UTF8ToString(ptr),
    takeJson(ptr) {
      try {
        return JSON.parse(module.UTF8ToString(ptr));
      } finally {
        module._free(ptr);
      }
    },
    writeString: (text, buffer, capacity) => module.stringToUTF8(text, buffer, capacity),
    copyBytes: (ptr, length) => module.HEAPU8.slice(ptr, ptr + length),
    copyFloats: (ptr, count) => module.HEAPF32.slice(ptr >> 2, (ptr >> 2) + count),
    // The view is valid until the heap next grows: fill it before allocating anything else.
    giveFloats(count) {
      const ptr = module._malloc(Math.max(1, count) * 4);
      return { ptr, floats: module.HEAPF32.subarray(ptr >> 2, (ptr >> 2) + count) };
    },
  };
}
