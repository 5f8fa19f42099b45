// intake.mjs — how files reach the workstation: the Open picker (#dx-file-input), drag and drop of files
// and folders onto the page, and paste (Ctrl/Cmd+V). Every file is read here and handed to C++ as bytes
// (dx_app_open_file); nothing is uploaded. A model package folder comes through #dx-model-input.
//
// The page loads this module first, on its own (<script type="module" async> in index.html and embed.html), so
// it listens from the earliest moment: a file picked, dropped or pasted while the WebAssembly is still
// downloading is held, the live region says it opens when DxLens is ready, and installIntake opens it then.
// A file set on the input before even this module ran (the change event found nobody listening) is still on
// the input, and is taken from there.
//
// How to use: installIntake(module, api) once the WASM module is ready (app.mjs); announceHeld(names) for
// other things held until then (embed.mjs: a portal's requests).
import { pageText } from './page-text.mjs';
import { wasmMemory } from './wasm-memory.mjs';

async function openFiles(module, files) {
  // One at a time, in name order (a folder of DICOM slices arrives in a stable order).
  const sorted = [...files].sort((a, b) => (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name));
  const memory = wasmMemory(module);
  for (const file of sorted) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The name and bytes are in the WASM heap for the duration of the call; C++ copies what it keeps.
    memory.call('_dx_app_open_file', file.webkitRelativePath || file.name, bytes, bytes.length);
  }
}

// Files from a drop, walking into dropped folders (batch.mjs routes a drop to the batch windows with it). The
// entries are taken before the first await: a DataTransfer's items are readable only during the event.
export async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...dataTransfer.files];
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      Object.defineProperty(file, 'webkitRelativePath', { value: prefix + file.name });
      out.push(file);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

// Until installIntake: what was given, in order, each a Promise of its files.
const held = [];
let open = null; // (files) => Promise, once the WASM is ready

// "Opening when DxLens is ready: chest.png" in the live region (screen readers read it), in the page's language.
export function announceHeld(names) {
  const region = document.getElementById('dx-findings');
  if (region) region.textContent = `${pageText('openingWhenReady')}${names.filter(Boolean).join(', ')}`;
}

const heldNames = []; // every file held so far: the live region names them all, not only the latest

function give(files) {
  if (open) return open(files);
  held.push(files);
  files.then((list) => {
    heldNames.push(...list.map((f) => f.webkitRelativePath || f.name));
    if (!open && list.length) announceHeld(heldNames);
  }, () => {});
  return files;
}

// The picked files, taken off the input so that picking the same file again is a change too.
function takePicked(input) {
  const files = [...input.files];
  input.value = '';
  return files;
}

// The listeners sit on the document and the window, which exist before the inputs are parsed.
document.addEventListener('change', (e) => {
  if (e.target?.id === 'dx-file-input') give(Promise.resolve(takePicked(e.target)));
}, { capture: true });

window.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dx-dragging');
});
window.addEventListener('dragleave', () => document.body.classList.remove('dx-dragging'));
// Bubbling phase: batch.mjs's capturing listener takes a drop meant for the batch windows first.
window.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dx-dragging');
  give(droppedFiles(e.dataTransfer));
});

window.addEventListener('paste', (e) => {
  const files = [...(e.clipboardData?.files ?? [])];
  if (files.length === 0) return;
  e.preventDefault();
  const named = files.map((f, i) => new File([f], f.name && f.name !== 'image.png' ? f.name : `pasted-${Date.now()}-${i}.png`,
                                             { type: f.type }));
  give(Promise.resolve(named));
});

// Files put on the input before this module ran: their change event had no listener.
function takeAlreadyPicked() {
  const input = document.getElementById('dx-file-input');
  if (input?.files?.length) give(Promise.resolve(takePicked(input)));
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', takeAlreadyPicked, { once: true });
else takeAlreadyPicked();

export function installIntake(module, api) {
  takeAlreadyPicked();
  // From now on files open as they come; the held ones first, in the order they were given.
  let queue = Promise.resolve();
  const openInOrder = (files) => {
    queue = queue.then(() => files).then((list) => openFiles(module, list)).catch((err) =>
      console.error(`DxLens: a file could not be opened: ${err.message}`));
    return queue;
  };
  held.splice(0).forEach(openInOrder);
  open = openInOrder;

  const modelInput = document.getElementById('dx-model-input');
  modelInput.addEventListener('change', async () => {
    const files = [...modelInput.files];
    modelInput.value = '';
    try {
      await api.loadModelFiles(files);
    } catch (err) {
      document.getElementById('dx-findings').textContent = `The model package could not be opened: ${err.message}`;
    }
  });
}
