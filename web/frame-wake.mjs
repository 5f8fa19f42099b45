// frame-wake.mjs — wakes DxLens's drawing loop whenever something may change what it shows. The loop
// (src/platform/web/main.cpp, app/frame_pacing.h) sleeps while nothing happens, so an idle tab costs no CPU;
// it must hear of
//   - every input event the UI reacts to: pointer, mouse, touch, keys, wheel, focus, window resize, a change of
//     devicePixelRatio (browser zoom, a window moved to another screen), the tab becoming visible again;
//   - every call from the page's JavaScript into the WASM: the page's API (dx-api.mjs, batch.mjs, risk-form.mjs,
//     intake.mjs), the answers of ONNX Runtime and of file reads (dx_library.js), the embed protocol's requests.
//     Each '_dx_...' export of the Module is wrapped once here, so a new export wakes the loop without anyone
//     remembering to; reading state (api.viewerState(), which tests poll for frames drawn) wakes it too, which
//     is what lets "wait for the next frame" work at all while the loop sleeps.
// A wake costs one call into the WASM (a few microseconds); the loop then draws for a short while.
//
// How to use: installFrameWake(module) once createDxLens has resolved (app.mjs); the listeners live as long as
// the page.
const WAKE_EXPORT = '_dx_app_wake';
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'mousedown', 'mousemove',
                      'mouseup', 'wheel', 'touchstart', 'touchmove', 'touchend', 'touchcancel', 'keydown', 'keyup',
                      'focus', 'blur', 'resize'];

// Replaces each '_dx_...' export with one that calls it, then wakes the loop. Emscripten's exports replace
// themselves on their first call (a stub that looks the real function up, then stores it on the Module): the
// accessor keeps that working and keeps the wrapper in place.
function wakeAfterExports(module, wake) {
  for (const name of Object.keys(module)) {
    if (!name.startsWith('_dx_') || name === WAKE_EXPORT || typeof module[name] !== 'function') continue;
    let target = module[name];
    const wrapped = function (...args) {
      try {
        return target.apply(this, args);
      } finally {
        wake();
      }
    };
    Object.defineProperty(module, name, {
      configurable: true, enumerable: true, get: () => wrapped, set: (fn) => { target = fn; },
    });
  }
}

// devicePixelRatio has no change event: a media query on the current ratio fires once when it changes, and is
// then replaced by one on the new ratio.
function onPixelRatioChange(callback) {
  const watch = () => {
    const query = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    query.addEventListener('change', () => { callback(); watch(); }, { once: true });
  };
  watch();
}

export function installFrameWake(module) {
  const rawWake = module[WAKE_EXPORT];
  if (typeof rawWake !== 'function') throw new Error(`the WASM has no ${WAKE_EXPORT} export`);
  const wake = () => rawWake();
  wakeAfterExports(module, wake);
  // Capture on the window: ImGui's listeners (GLFW's, on the canvas and window) and ours see the same events.
  const options = { capture: true, passive: true };
  for (const type of INPUT_EVENTS) window.addEventListener(type, wake, options);
  document.addEventListener('visibilitychange', wake);
  onPixelRatioChange(wake);
  if (module.canvas && typeof ResizeObserver === 'function') new ResizeObserver(wake).observe(module.canvas);
  return wake;
}
