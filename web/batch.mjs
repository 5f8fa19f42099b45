// batch.mjs — folders for the Batch screening and Validation windows (src/platform/web/batch_bridge.cpp).
// The page keeps the picked File objects; C++ asks for one file's bytes at a time (dx_js_batch_read), so a
// folder of thousands of images never sits in memory at once. Nothing is uploaded.
//
// How to use: const batch = installBatch(module, api) once the WASM module is ready (app.mjs does), then
//   batch.queueFiles('batch', files)       // File objects (webkitRelativePath kept) or [{ path, bytes }]
//   batch.start('validation'); batch.cancel('batch'); batch.status('batch')  // status: progress JSON
//   batch.export('batch-csv' | 'validation-json' | 'validation-roc-csv' | 'validation-scores-csv')
//   batch.setThreshold(0.4); batch.setPositive('pneumonia'); batch.show('batch', true)
// Users pick folders through #dx-batch-folder-input / #dx-batch-files-input / #dx-validation-folder-input (the
// windows' buttons click them), or drop a folder while one of the windows is open.
import { droppedFiles } from './intake.mjs';
import { setModuleHooks } from './module-hooks.mjs';
import { wasmMemory } from './wasm-memory.mjs';

// Queues and exports are named here; C++ numbers them (api.enums.batchQueues and batchExports, from
// batch_bridge.cpp's name functions), so no enum order is kept in this file.
const INPUTS = [
  { id: 'dx-batch-folder-input', queue: 'batch', folder: true, label: 'Pick a folder of images for batch screening' },
  { id: 'dx-batch-files-input', queue: 'batch', folder: false, label: 'Pick images for batch screening' },
  { id: 'dx-validation-folder-input', queue: 'validation', folder: true,
    label: 'Pick a labelled folder for validation (one subfolder per class, or a CSV of file,label)' },
];

// Hidden files a file manager leaves behind are not part of a set.
function isHidden(path) {
  return path.split('/').some((part) => part.startsWith('.')) || /(^|\/)(Thumbs\.db|desktop\.ini)$/i.test(path);
}

const pathOf = (f) => f.webkitRelativePath || f.name;

// For validation: the labels CSV nearest the top of the pick, and the folder its file column is relative to.
async function findLabelsCsv(files) {
  const csvs = files.filter((f) => /\.csv$/i.test(pathOf(f)))
                    .sort((a, b) => pathOf(a).split('/').length - pathOf(b).split('/').length);
  if (csvs.length === 0) return null;
  const path = pathOf(csvs[0]);
  return { file: csvs[0], name: path, folder: path.slice(0, path.lastIndexOf('/') + 1), text: await csvs[0].text() };
}

export function installBatch(module, api) {
  const { batchQueues, batchExports } = api.enums;
  const picked = batchQueues.map(() => []); // per queue: the File objects of the current generation
  const generations = batchQueues.map(() => 0);
  const memory = wasmMemory(module);

  // A queue's number for C++, from its name or its number.
  const queueIndex = (queue) => {
    const index = typeof queue === 'number' ? queue : batchQueues.indexOf(queue);
    if (Number.isInteger(index) && index >= 0 && index < batchQueues.length) return index;
    throw new Error(`Unknown queue '${queue}' (${batchQueues.join(', ')})`);
  };

  async function queueFiles(queue, input) {
    const q = queueIndex(queue);
    let files = [...input].map((f) => (f instanceof Blob ? f : asFile(f))).filter((f) => !isHidden(pathOf(f)));
    const labels = batchQueues[q] === 'validation' ? await findLabelsCsv(files) : null;
    if (labels) files = files.filter((f) => f !== labels.file);
    files.sort((a, b) => pathOf(a).localeCompare(pathOf(b)));
    const generation = ++generations[q];
    picked[q] = files;
    const first = files.length ? pathOf(files[0]) : '';
    const source = first.includes('/') ? first.slice(0, first.indexOf('/')) : `${files.length} files`;
    const ok = memory.call('_dx_app_batch_set_files', q, generation, JSON.stringify(files.map(pathOf)), labels?.text ?? '',
                           labels?.name ?? '', labels?.folder ?? '', source);
    return ok === 1;
  }

  // C++ asks for one file; the answer comes back through _dx_app_batch_file_read / _failed.
  async function read(queue, generation, index) {
    const fail = (message) => memory.call('_dx_app_batch_file_failed', queue, generation, index, message);
    const file = generation === generations[queue] ? picked[queue][index] : null;
    if (!file) return fail('the picked folder was replaced before this file was read');
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      return fail(`the browser could not read it (moved, deleted or not permitted): ${err.message}`);
    }
    memory.call('_dx_app_batch_file_read', queue, generation, index, bytes, bytes.length); // C++ copies the bytes
  }

  for (const spec of INPUTS) {
    const input = document.createElement('input');
    Object.assign(input, { type: 'file', id: spec.id, multiple: true, hidden: true });
    if (spec.folder) input.webkitdirectory = true;
    else input.accept = '.dcm,.dicom,.png,.jpg,.jpeg,.bmp,.tga,.gif,application/dicom,image/*,*/*';
    input.setAttribute('aria-label', spec.label);
    input.addEventListener('change', async () => {
      const files = [...input.files];
      input.value = ''; // the same folder can be picked again
      await queueFiles(spec.queue, files);
    });
    document.body.appendChild(input);
  }

  const openPicker = (queue, folder) => {
    const name = batchQueues[queue];
    const spec = INPUTS.find((s) => s.queue === name && s.folder === folder) ?? INPUTS.find((s) => s.queue === name);
    document.getElementById(spec.id).click();
  };

  // A folder dropped while the Batch or Validation window is open goes there, not into the study list.
  window.addEventListener('drop', (e) => {
    const target = module._dx_app_batch_drop_target();
    if (target < 0) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    document.body.classList.remove('dx-dragging');
    droppedFiles(e.dataTransfer).then((files) => queueFiles(target, files));
  }, { capture: true });

  setModuleHooks(module, { dxBatch: { read, openPicker } });
  return {
    queueFiles,
    start: (queue) => module._dx_app_batch_start(queueIndex(queue)) === 1,
    cancel: (queue) => module._dx_app_batch_cancel(queueIndex(queue)),
    status: (queue) => memory.takeJson(module._dx_app_batch_status(queueIndex(queue))),
    export: (what) => {
      const index = batchExports.indexOf(what);
      if (index < 0) throw new Error(`Unknown export '${what}' (${batchExports.join(', ')})`);
      return module._dx_app_batch_export(index) === 1;
    },
    setThreshold: (t) => module._dx_app_validation_set_threshold(Number(t)),
    setPositive: (label) => memory.call('_dx_app_validation_set_positive', String(label)),
    show: (queue, visible = true) => module._dx_app_batch_show(queueIndex(queue), visible ? 1 : 0),
  };
}

// { path, bytes } (as tests and the embedding API pass files) as a File that remembers its folder path.
function asFile({ path, bytes }) {
  const file = new File([bytes], path.slice(path.lastIndexOf('/') + 1));
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}
