// portal.mjs — the example portal's script: embed DxLens from its own origin and analyze a picked file.
const src = new URLSearchParams(location.search).get('dxlens') || 'http://127.0.0.1:8080/';
const out = document.getElementById('out');
const { DxLens } = await import(new URL('dxlens-embed.js', src).href);

try {
  const dx = await DxLens.embed(document.getElementById('viewer'), { src });
  window.dx = dx;
  const select = document.getElementById('model');
  for (const m of dx.info.models) select.add(new Option(`${m.name} (${m.id})`, m.id));
  out.textContent = `DxLens ${dx.info.version} ready. Models: ${dx.info.models.map((m) => m.id).join(', ') || 'none'}.`;
  dx.on('progress', ({ fraction }) => { out.textContent = `Analyzing… ${Math.round(fraction * 100)}%`; });
  document.getElementById('file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const result = await dx.analyze(file, { model: select.value });
      out.textContent = JSON.stringify(result, null, 2);
    } catch (err) {
      out.textContent = `Error: ${err.message}`;
    }
  });
} catch (err) {
  out.textContent = `DxLens could not be embedded: ${err.message}`;
}
