// module_hooks.test.mjs — the fields the page's JavaScript hangs on Emscripten's Module object are the ones
// web/module-hooks.mjs lists: src/platform/web/dx_library.js reads only listed ones (or the WASM's own
// exports, '_dx_...'), and web/ assigns Module fields only through setModuleHooks. Reads the sources as text;
// no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MODULE_HOOKS, setModuleHooks } from '../../web/module-hooks.mjs';
import { ROOT } from './harness.mjs';

const read = (file) => readFileSync(path.join(ROOT, file), 'utf8');

test('dx_library.js reads only the Module fields module-hooks.mjs lists', () => {
  const source = read('src/platform/web/dx_library.js');
  const names = [...source.matchAll(/Module\[\s*'([^']+)'\s*\]|Module\.(\w+)/g)].map((m) => m[1] ?? m[2]);
  assert.ok(names.length > 0, 'no Module fields found: has the way dx_library.js reads them changed?');
  const unlisted = [...new Set(names)].filter((n) => !n.startsWith('_') && !Object.hasOwn(MODULE_HOOKS, n));
  assert.deepEqual(unlisted, [], 'add them to web/module-hooks.mjs with what calls them and when');
});

test('web/ sets Module fields only through setModuleHooks', () => {
  // The names the page's modules use for the Module object: module (app.mjs, batch.mjs, intake.mjs),
  // instance (app.mjs, what createDxLens returned) and this.m (dx-api.mjs, risk-form.mjs).
  const assignment = /\b(?:module|instance|this\.m)\.(\w+)\s*=(?!=)/g;
  for (const file of readdirSync(path.join(ROOT, 'web')).filter((f) => f.endsWith('.mjs'))) {
    const direct = [...read(`web/${file}`).matchAll(assignment)].map((m) => m[1]);
    assert.deepEqual(direct, [], `web/${file} assigns Module fields directly`);
  }
});

test('setModuleHooks refuses a name that is not listed', () => {
  const module = {};
  setModuleHooks(module, { onFirstFrame: () => {} });
  assert.equal(typeof module.onFirstFrame, 'function');
  assert.throws(() => setModuleHooks(module, { onSomethingNew: () => {} }), /'onSomethingNew' is not a Module hook/);
  assert.equal(module.onSomethingNew, undefined);
});
