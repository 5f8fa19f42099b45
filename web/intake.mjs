// intake.mjs — how files reach the workstation: the Open picker (#dx-file-input), drag and drop of files
// and folders onto the page, and paste (Ctrl/Cmd+V). Every file is read here and handed to C++ as bytes
// (dx_app_open_file); nothing is uploaded. A model package folder comes through #dx-model-input.
//
// How to use: installIntake(module, api) once the WASM module is ready.
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

// Files from a drop, walking into dropped folders (batch.mjs routes a drop to the batch windows with it).
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

export function installIntake(module, api) {
  const fileInput = document.getElementById('dx-file-input');
  fileInput.addEventListener('change', async () => {
    await openFiles(module, fileInput.files);
    fileInput.value = ''; // the same file can be opened again
  });

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

  window.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dx-dragging');
  });
  window.addEventListener('dragleave', () => document.body.classList.remove('dx-dragging'));
  window.addEventListener('drop', async (e) => {
    e.preventDefault();
    document.body.classList.remove('dx-dragging');
    await openFiles(module, await droppedFiles(e.dataTransfer));
  });

  window.addEventListener('paste', async (e) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    const named = files.map((f, i) => new File([f], f.name && f.name !== 'image.png' ? f.name : `pasted-${Date.now()}-${i}.png`,
                                               { type: f.type }));
    await openFiles(module, named);
  });
}
