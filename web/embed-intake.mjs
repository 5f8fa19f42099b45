// embed-intake.mjs — the embedded page (embed.html) listens to its portal from the earliest moment: loaded on its
// own (<script type="module" async> in embed.html's head), before the WebAssembly and everything it needs, it
// reads the deployment's allowed origins (embed-config.json) and holds every message that arrives meanwhile. A
// portal that sends its images without waiting for dxlens:ready loses none: embed.mjs handles the held messages
// in the order they came once DxLens is ready, and the live region says, for a request from an allowed origin,
// that it opens when DxLens is ready.
//
// How to use (embed.mjs):
//   const allowed = await allowedOrigins;        // the origins embed-config.json allows ([] when unreadable)
//   onPortalMessage((event) => { ... });         // once ready: the held messages first, then each new one
import { announceHeld } from './intake.mjs';

async function readAllowedOrigins() {
  try {
    const res = await fetch('embed-config.json', { cache: 'no-store' });
    const config = await res.json();
    return (config.allowedOrigins ?? []).filter((o) => typeof o === 'string' && /^https?:\/\/[^/]+$/.test(o));
  } catch (err) {
    console.warn(`DxLens embed: embed-config.json unreadable (${err.message}); no portal may talk to this frame`);
    return [];
  }
}

export const MAX_NAME = 512; // the longest file name a request may carry
export const allowedOrigins = readAllowedOrigins();

const held = [];
const heldNames = []; // of the held requests from allowed origins: the live region names them all
let handle = null;

window.addEventListener('message', (event) => {
  if (handle) return handle(event);
  held.push(event);
  const data = event.data;
  if (event.source !== window.parent || data?.type !== 'dxlens:analyze') return;
  allowedOrigins.then((allowed) => {
    if (handle || !allowed.includes(event.origin)) return;
    heldNames.push(typeof data.name === 'string' ? data.name.slice(0, MAX_NAME) : 'image');
    announceHeld(heldNames);
  });
});

export function onPortalMessage(handler) {
  handle = handler;
  held.splice(0).forEach(handler);
}
