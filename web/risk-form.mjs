// risk-form.mjs — the page's side of the tabular risk form (src/app/risk_form.h): reads a CSV of cases picked
// through #dx-table-input (on this device; nothing is uploaded) and exposes the form's commands to scripts and
// tests as api.riskForm.
//
// How to use (app.mjs calls installRiskForm once the WASM module is ready):
//   api.riskForm.open('breast-fna');                 // the centre shows the form
//   api.riskForm.setField('mean radius', '17.99');   // like typing; false for an unknown feature
//   api.riskForm.fillExample(); api.riskForm.clear();
//   api.riskForm.analyze();                          // false when a field is invalid (nothing runs)
//   await api.riskForm.loadCsv(file) / loadCsvText('rows.csv', text);
//   api.riskForm.exportCsv();                        // the browser downloads the results CSV
//   api.riskForm.state();                            // { model, fields, outcome, batch } (see risk_form_api.cpp)
//   await api.riskForm.settled();                    // resolves once no analysis is running
import { wasmMemory } from './wasm-memory.mjs';

export class RiskFormApi {
  constructor(module) {
    this.m = module;
    this.memory = wasmMemory(module);
  }

  call(fn, ...strings) {
    return this.memory.call(fn, ...strings.map(String));
  }

  open(modelId) { return this.call('_dx_app_risk_open', modelId) === 1; }
  setField(feature, text) { return this.call('_dx_app_risk_set_field', feature, text) === 1; }
  fillExample() { return this.m._dx_app_risk_fill_example() === 1; }
  clear() { this.m._dx_app_risk_clear(); }
  analyze() { return this.m._dx_app_risk_analyze() === 1; }
  exportCsv() { return this.m._dx_app_risk_export_csv() === 1; }
  loadCsvText(name, text) { return this.call('_dx_app_risk_load_csv', name, text) === 1; }
  async loadCsv(file) { return this.loadCsvText(file.name, await file.text()); }

  state() { return this.memory.takeJson(this.m._dx_app_risk_state()); }

  // Answers arrive from ONNX Runtime's promises; poll the state until the form and every batch row are done.
  async settled(timeoutMs = 30_000) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const s = this.state();
      if (!s.model || (!s.outcome.running && s.batch.rows.every((r) => !r.running))) return s;
      if (performance.now() > deadline) throw new Error('The risk form is still analyzing');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export function installRiskForm(module, api) {
  api.riskForm = new RiskFormApi(module);
  const input = document.getElementById('dx-table-input');
  if (!input) return;
  input.addEventListener('change', async () => {
    const [file] = input.files;
    input.value = ''; // the same file can be loaded again after editing it
    if (file) await api.riskForm.loadCsv(file);
  });
}
